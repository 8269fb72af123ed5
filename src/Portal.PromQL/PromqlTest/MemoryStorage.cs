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
                if (Matcher.AllMatch(matchers, l)) return true;
            return false;
        }
    }

    public IAppender Appender() => new MemoryAppender(this);

    public IQuerier Querier(long mint, long maxt) => new MemoryQuerier(this, mint, maxt);


    /// <summary>Index of the first sample with T ≥ <paramref name="t"/>.</summary>
    private static int LowerBound(List<Sample> samples, long t)
    {
        int lo = 0, hi = samples.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (samples[mid].T < t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>A series snapshot over an array; its iterator seeks by binary search.</summary>
    private sealed class ArraySeries(Labels labels, Sample[] samples) : ISeries
    {
        public Labels Labels { get; } = labels;

        public ISampleIterator Iterator(ISampleIterator? reuse = null)
        {
            if (reuse is ArrayIterator it)
            {
                it.Reset(samples);
                return it;
            }
            return new ArrayIterator(samples);
        }
    }

    private sealed class ArrayIterator(Sample[] samples) : ISampleIterator
    {
        private Sample[] _samples = samples;
        private int _i = -1;

        public void Reset(Sample[] s)
        {
            _samples = s;
            _i = -1;
        }

        public ValueKind Next() => ++_i < _samples.Length ? ValueKind.Float : ValueKind.None;

        public ValueKind Seek(long t)
        {
            if (_i < 0) _i = 0;
            if (_i < _samples.Length && _samples[_i].T >= t) return ValueKind.Float;
            int lo = _i, hi = _samples.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_samples[mid].T < t) lo = mid + 1;
                else hi = mid;
            }
            _i = lo;
            return _i < _samples.Length ? ValueKind.Float : ValueKind.None;
        }

        public Sample At() => _samples[_i];
        public long AtT() => _samples[_i].T;
        public Exception? Error => null;
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
                    if (!Matcher.AllMatch(matchers, labels)) continue;
                    int lo = LowerBound(samples, mint), hi = LowerBound(samples, maxt == long.MaxValue ? maxt : maxt + 1);
                    if (hi <= lo) continue;
                    var sel = new Sample[hi - lo];
                    samples.CopyTo(lo, sel, 0, hi - lo);
                    result.Add(new ArraySeries(labels, sel));
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
                    if (Matcher.AllMatch(matchers, l) && l.Get(name) is { Length: > 0 } v) set.Add(v);
            }
            return [.. set];
        }

        public IReadOnlyList<string> LabelNames(params Matcher[] matchers)
        {
            var set = new SortedSet<string>(StringComparer.Ordinal);
            lock (storage._lock)
            {
                foreach (var l in storage._series.Keys)
                    if (Matcher.AllMatch(matchers, l))
                        foreach (var x in l) set.Add(x.Name);
            }
            return [.. set];
        }

        public void Dispose()
        {
        }
    }
}
