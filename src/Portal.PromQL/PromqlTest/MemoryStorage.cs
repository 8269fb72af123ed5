using Portal.Model;
using IQueryable = Portal.Model.IQueryable;

namespace Portal.PromQL.PromqlTest;

/// <summary>
/// A small in-memory storage of float series for test scripts and unit tests. Samples are kept sorted
/// per series; appending at an existing timestamp replaces the value. Thread-safe (one lock); queriers
/// snapshot the data they return.
/// </summary>
public sealed class MemoryStorage : IAppendable, IQueryable
{
    private readonly object _lock = new();
    private readonly Dictionary<Labels, List<Sample>> _series = new();
    private readonly HashSet<Labels> _histogramSeries = new();

    /// <summary>Removes every series.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _series.Clear();
            _histogramSeries.Clear();
        }
    }

    /// <summary>Adds or replaces one float sample directly (no transaction).</summary>
    public void Add(Labels labels, long t, double v)
    {
        lock (_lock)
        {
            if (!_series.TryGetValue(labels, out var list))
            {
                list = new List<Sample>();
                _series[labels] = list;
            }
            if (list.Count == 0 || list[^1].T < t)
            {
                list.Add(new Sample(t, v));
                return;
            }
            int i = list.BinarySearch(new Sample(t, 0), SampleTimeComparer.Instance);
            if (i >= 0) list[i] = new Sample(t, v);
            else list.Insert(~i, new Sample(t, v));
        }
    }

    /// <summary>Records that <paramref name="labels"/> has native histogram samples, which this storage cannot hold.</summary>
    public void MarkHistogramSeries(Labels labels)
    {
        lock (_lock) _histogramSeries.Add(labels);
    }

    /// <summary>True when a series matching all <paramref name="matchers"/> has native histogram samples.</summary>
    public bool AnyHistogramSeriesMatches(IReadOnlyList<Matcher> matchers)
    {
        lock (_lock)
        {
            foreach (var l in _histogramSeries)
                if (MatchesAll(l, matchers)) return true;
            return false;
        }
    }

    public IAppender Appender() => new MemoryAppender(this);

    public IQuerier Querier(long mint, long maxt) => new MemoryQuerier(this, mint, maxt);

    private static bool MatchesAll(Labels l, IReadOnlyList<Matcher> matchers)
    {
        foreach (var m in matchers)
            if (!m.Matches(l.Get(m.Name))) return false;
        return true;
    }

    private sealed class SampleTimeComparer : IComparer<Sample>
    {
        public static readonly SampleTimeComparer Instance = new();
        public int Compare(Sample x, Sample y) => x.T.CompareTo(y.T);
    }

    private sealed class MemoryAppender(MemoryStorage storage) : IAppender
    {
        private readonly List<(Labels, long, double)> _pending = new();

        public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
        {
            if (LabelNames.Validate(labels) is { } err) throw new AppendException(AppendError.InvalidLabels, err, labels);
            _pending.Add((labels, t, v));
            return new SeriesRef((ulong)labels.Hash | 1);
        }

        public void Commit()
        {
            foreach (var (l, t, v) in _pending) storage.Add(l, t, v);
            _pending.Clear();
        }

        public void Rollback() => _pending.Clear();
    }

    private sealed class MemoryQuerier(MemoryStorage storage, long mint, long maxt) : IQuerier
    {
        public ISeriesSet Select(bool sortSeries, SelectHints? hints, params Matcher[] matchers)
        {
            var result = new List<ISeries>();
            lock (storage._lock)
            {
                foreach (var (labels, samples) in storage._series)
                {
                    if (!MatchesAll(labels, matchers)) continue;
                    var sel = new List<Sample>();
                    foreach (var s in samples)
                        if (s.T >= mint && s.T <= maxt) sel.Add(s);
                    if (sel.Count > 0) result.Add(new ListSeries(labels, sel));
                }
            }
            if (sortSeries) result.Sort((a, b) => a.Labels.CompareTo(b.Labels));
            return new ListSeriesSet(result);
        }

        public IReadOnlyList<string> LabelValues(string name, params Matcher[] matchers)
        {
            var set = new SortedSet<string>(StringComparer.Ordinal);
            lock (storage._lock)
            {
                foreach (var l in storage._series.Keys)
                    if (MatchesAll(l, matchers) && l.Get(name) is { Length: > 0 } v) set.Add(v);
            }
            return [.. set];
        }

        public IReadOnlyList<string> LabelNames(params Matcher[] matchers)
        {
            var set = new SortedSet<string>(StringComparer.Ordinal);
            lock (storage._lock)
            {
                foreach (var l in storage._series.Keys)
                    if (MatchesAll(l, matchers))
                        foreach (var x in l) set.Add(x.Name);
            }
            return [.. set];
        }

        public void Dispose()
        {
        }
    }
}
