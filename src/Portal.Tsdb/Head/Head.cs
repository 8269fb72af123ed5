using System.Collections.Concurrent;
using Portal.Model;
using Portal.Tsdb.Index;

namespace Portal.Tsdb.Head;

/// <summary>
/// The in-memory part of a database: series with XOR chunks, an inverted index, and time bounds.
/// Thread-safe: series creation and the index are guarded by one lock; each series by its own lock.
/// </summary>
internal sealed class TsdbHead : IIndexSource
{
    internal const int SamplesPerChunk = 120;

    private sealed class PostingList
    {
        public readonly string Value;
        public int[] Refs = new int[2];
        public int Count;
        public PostingList(string value) => Value = value;

        public void Add(int r)
        {
            if (Count == Refs.Length) Array.Resize(ref Refs, Refs.Length * 2);
            int i = Count;
            while (i > 0 && Refs[i - 1] > r) { Refs[i] = Refs[i - 1]; i--; }
            Refs[i] = r;
            Count++;
        }

        public int[] Copy() => Refs.AsSpan(0, Count).ToArray();
    }

    private sealed class NameEntry(string name)
    {
        public readonly string Name = name;
        public readonly Dictionary<string, PostingList> Values = new(StringComparer.Ordinal);

        /// <summary>The values sorted, built on demand and dropped when a value is added or removed. Never mutated once built.</summary>
        public string[]? Sorted;

        /// <summary>The values in no order, for matching; built and dropped like <see cref="Sorted"/>.</summary>
        public string[]? Unsorted;

        public void ValuesChanged()
        {
            Sorted = null;
            Unsorted = null;
        }
    }

    private const int PageBits = 12;
    private const int PageSize = 1 << PageBits;

    // Series by ref in pages of 4096 slots: lock-free reads, writes under the index lock.
    private volatile MemSeries?[]?[] _pages = new MemSeries?[]?[16];
    private int _count;
    private readonly ConcurrentDictionary<Labels, MemSeries> _byLabels = new();
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, NameEntry> _postings = new(StringComparer.Ordinal);
    private readonly PostingList _all = new("");
    private int _nextRef = 1;
    private long _minT = long.MaxValue;
    private long _maxT = long.MinValue;
    private long _minValidTime = long.MinValue;

    public TsdbHead(long chunkRange, long oooWindow, int maxSeries)
    {
        ChunkRange = chunkRange;
        OooWindow = oooWindow;
        MaxSeries = maxSeries;
    }

    public long ChunkRange { get; }
    public long OooWindow { get; }
    public int MaxSeries { get; }

    /// <summary>Called under the index lock for each new series, before any sample of it can commit (WAL logging).</summary>
    public Action<int, Labels>? SeriesCreated { get; set; }

    public int NumSeries => Volatile.Read(ref _count);
    public long MinTime => Interlocked.Read(ref _minT);
    public long MaxTime => Interlocked.Read(ref _maxT);

    /// <summary>Samples older than this are refused (they would belong to persisted blocks).</summary>
    public long MinValidTime
    {
        get => Interlocked.Read(ref _minValidTime);
        set => Interlocked.Exchange(ref _minValidTime, value);
    }

    public bool TryGetByRef(int r, out MemSeries s)
    {
        var pages = _pages;
        int p = r >> PageBits;
        if (r >= 0 && p < pages.Length && pages[p] is { } page && Volatile.Read(ref page[r & (PageSize - 1)]) is { } found)
        {
            s = found;
            return true;
        }
        s = null!;
        return false;
    }

    private void SetByRef(int r, MemSeries? s)
    {
        var pages = _pages;
        int p = r >> PageBits;
        if (p >= pages.Length)
        {
            var grown = new MemSeries?[]?[Math.Max(pages.Length * 2, p + 1)];
            Array.Copy(pages, grown, pages.Length);
            _pages = pages = grown;
        }
        var page = pages[p] ??= new MemSeries?[PageSize];
        Volatile.Write(ref page[r & (PageSize - 1)], s);
    }
    public bool TryGetByLabels(Labels l, out MemSeries s) => _byLabels.TryGetValue(l, out s!);

    /// <summary>Finds or creates the series for valid labels. Throws <see cref="AppendException"/> when the series limit is hit.</summary>
    public MemSeries GetOrCreate(Labels labels)
    {
        if (_byLabels.TryGetValue(labels, out var s)) return s;
        lock (_indexLock)
        {
            if (_byLabels.TryGetValue(labels, out s)) return s;
            if (MaxSeries > 0 && _count >= MaxSeries)
                throw new AppendException(AppendError.TooManySeries, $"series limit of {MaxSeries} reached, refusing new series {labels}", labels);
            int r = _nextRef++;
            s = AddLocked(r, labels);
            SeriesCreated?.Invoke(r, s.Labels);
            return s;
        }
    }

    /// <summary>During replay: the series for a logged ref, reusing an existing series with the same labels.</summary>
    public MemSeries CreateWithRef(int r, Labels labels)
    {
        lock (_indexLock)
        {
            if (_byLabels.TryGetValue(labels, out var s)) return s;
            if (r >= _nextRef) _nextRef = r + 1;
            return AddLocked(r, labels);
        }
    }

    private MemSeries AddLocked(int r, Labels labels)
    {
        var span = labels.AsSpan();
        var interned = new Label[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            var l = span[i];
            if (!_postings.TryGetValue(l.Name, out var ne)) { ne = new NameEntry(l.Name); _postings[l.Name] = ne; }
            if (!ne.Values.TryGetValue(l.Value, out var pl))
            {
                pl = new PostingList(l.Value);
                ne.Values[l.Value] = pl;
                ne.ValuesChanged();
            }
            pl.Add(r);
            interned[i] = new Label(ne.Name, pl.Value);
        }
        _all.Add(r);
        var s = new MemSeries(r, Labels.FromSortedUnchecked(interned));
        SetByRef(r, s);
        _count++;
        _byLabels[s.Labels] = s;
        return s;
    }

    public void NoteTime(long t)
    {
        long cur;
        while (t < (cur = Interlocked.Read(ref _minT)) && Interlocked.CompareExchange(ref _minT, t, cur) != cur) { }
        while (t > (cur = Interlocked.Read(ref _maxT)) && Interlocked.CompareExchange(ref _maxT, t, cur) != cur) { }
    }

    /// <summary>
    /// Applies one committed sample; returns false when it is refused at commit (another appender
    /// committed a conflicting sample first). The caller holds no series lock. With <paramref name="noteTime"/> false the caller must call <see cref="NoteTime"/> itself.
    /// </summary>
    public bool ApplySample(MemSeries s, long t, double v, bool noteTime = true)
    {
        lock (s)
        {
            if (t > s.MaxT)
            {
                if (t < MinValidTime) return false;
                s.AppendInOrder(t, v, ChunkRange, SamplesPerChunk);
            }
            else if (t == s.MaxT) return false;
            else
            {
                if (OooWindow <= 0 || t < MaxTime - OooWindow || t < MinValidTime) return false;
                if (!s.InsertOoo(t, v)) return false;
            }
        }
        if (noteTime) NoteTime(t);
        return true;
    }

    public void AddTombstone(MemSeries s, Interval iv)
    {
        lock (s) s.Tombstones = IntervalOps.Add(s.Tombstones, iv);
    }

    /// <summary>All live series (a snapshot of the references).</summary>
    public List<MemSeries> AllSeries()
    {
        var list = new List<MemSeries>(NumSeries);
        foreach (var page in _pages)
        {
            if (page is null) continue;
            foreach (var s in page)
                if (s is not null) list.Add(s);
        }
        return list;
    }

    /// <summary>
    /// Drops data before <paramref name="mint"/> (now held by blocks), removes series left empty and
    /// raises <see cref="MinValidTime"/>. Returns the number of series removed.
    /// </summary>
    public int Truncate(long mint)
    {
        if (mint > MinValidTime) MinValidTime = mint;
        var removed = new List<MemSeries>();
        long newMin = long.MaxValue;
        foreach (var s in AllSeries())
        {
            lock (s)
            {
                if (s.Truncate(mint))
                {
                    removed.Add(s);
                    continue;
                }
                long m = s.MinTime;
                if (m < newMin) newMin = m;
            }
        }
        if (removed.Count > 0)
        {
            lock (_indexLock)
            {
                var gone = new HashSet<int>();
                var touched = new HashSet<PostingList>();
                foreach (var s in removed)
                {
                    lock (s)
                    {
                        // An appender may have revived the series meanwhile.
                        if (s.ChunkCount > 0 || s.PendingOwner != 0) continue;
                        SetByRef(s.Ref, null);
                        _count--;
                        _byLabels.TryRemove(s.Labels, out _);
                        gone.Add(s.Ref);
                    }
                    foreach (var l in s.Labels.AsSpan())
                        if (_postings.TryGetValue(l.Name, out var ne) && ne.Values.TryGetValue(l.Value, out var pl)) touched.Add(pl);
                }
                touched.Add(_all);
                foreach (var pl in touched) Filter(pl, gone);
                var emptyNames = new List<string>();
                foreach (var ne in _postings.Values)
                {
                    List<string>? emptyValues = null;
                    foreach (var kv in ne.Values)
                        if (kv.Value.Count == 0) (emptyValues ??= new()).Add(kv.Key);
                    if (emptyValues is not null)
                    {
                        foreach (var v in emptyValues) ne.Values.Remove(v);
                        ne.ValuesChanged();
                    }
                    if (ne.Values.Count == 0) emptyNames.Add(ne.Name);
                }
                foreach (var n in emptyNames) _postings.Remove(n);
            }
        }
        Interlocked.Exchange(ref _minT, newMin);
        if (NumSeries == 0) Interlocked.Exchange(ref _maxT, long.MinValue);
        return removed.Count;
    }

    private static void Filter(PostingList pl, HashSet<int> gone)
    {
        int n = 0;
        for (int i = 0; i < pl.Count; i++)
            if (!gone.Contains(pl.Refs[i])) pl.Refs[n++] = pl.Refs[i];
        pl.Count = n;
    }

    public IReadOnlyList<string> LabelNames()
    {
        lock (_indexLock)
        {
            var names = new List<string>(_postings.Keys);
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <summary>Sorted values, kept between calls until the label gets a new value or loses one.</summary>
    public IReadOnlyList<string> LabelValues(string name)
    {
        lock (_indexLock)
        {
            if (!_postings.TryGetValue(name, out var ne)) return [];
            if (ne.Sorted is null)
            {
                var values = new string[ne.Values.Count];
                ne.Values.Keys.CopyTo(values, 0);
                Array.Sort(values, StringComparer.Ordinal);
                ne.Sorted = values;
            }
            return ne.Sorted;
        }
    }

    /// <summary>
    /// The label's values (a snapshot kept until they change, sorted or not) are tested outside the index
    /// lock, so a slow regex over many values does not hold up series creation; the kept values' postings are then
    /// copied under the lock.
    /// </summary>
    public int[] PostingsForValues(string name, Func<string, bool> keep)
    {
        string[] values;
        lock (_indexLock)
        {
            if (!_postings.TryGetValue(name, out var ne)) return PostingsOps.Empty;
            values = ne.Sorted ?? (ne.Unsorted ??= [.. ne.Values.Keys]);
        }
        var kept = new List<string>();
        foreach (var v in values)
            if (keep(v)) kept.Add(v);
        if (kept.Count == 0) return PostingsOps.Empty;
        var lists = new List<int[]>(kept.Count);
        lock (_indexLock)
        {
            if (!_postings.TryGetValue(name, out var ne)) return PostingsOps.Empty;
            foreach (var v in kept)
                if (ne.Values.TryGetValue(v, out var pl)) lists.Add(pl.Copy());
        }
        return PostingsOps.Union(lists);
    }

    public int[] Postings(string name, string value)
    {
        lock (_indexLock)
        {
            if (!_postings.TryGetValue(name, out var ne) || !ne.Values.TryGetValue(value, out var pl)) return PostingsOps.Empty;
            return pl.Copy();
        }
    }

    public int[] AllPostings()
    {
        lock (_indexLock) return _all.Copy();
    }

    /// <summary>Per-name statistics for <see cref="TsdbDatabase.Status"/>: (name, value, series count).</summary>
    public List<(string Name, string Value, int Count)> PostingStats()
    {
        lock (_indexLock)
        {
            var list = new List<(string, string, int)>();
            foreach (var ne in _postings.Values)
                foreach (var pl in ne.Values.Values)
                    list.Add((ne.Name, pl.Value, pl.Count));
            return list;
        }
    }
}
