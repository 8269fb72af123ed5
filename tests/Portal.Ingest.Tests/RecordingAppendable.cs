using Portal.Model;

namespace Portal.Ingest.Tests;

/// <summary>
/// An in-memory appendable that records committed samples per series; optionally refuses some. Like real storage it
/// keeps its own copy of each label set (made at the series' first append) and hands it out through
/// <see cref="IAppender.StoredLabels"/>; <see cref="AppendedLabels"/> records the instance each append was given.
/// </summary>
public sealed class RecordingAppendable : IAppendable
{
    private readonly object _lock = new();
    private readonly Dictionary<Labels, List<Sample>> _series = new();
    private readonly Dictionary<Labels, Labels> _stored = new();
    private readonly Dictionary<ulong, Labels> _storedByRef = new();

    /// <summary>The label set instance passed to every accepted append, in order.</summary>
    public List<Labels> AppendedLabels { get; } = new();

    /// <summary>This store's own copy of a label set, or null before its first append.</summary>
    public Labels? StoredCopy(Labels l)
    {
        lock (_lock) return _stored.GetValueOrDefault(l);
    }

    public int Commits { get; private set; }
    public int Rollbacks { get; private set; }

    /// <summary>When set, returns an exception to throw for a sample, or null to accept it.</summary>
    public Func<Labels, long, double, AppendException?>? Refuse { get; set; }

    public IAppender Appender() => new App(this);

    public List<Sample> Samples(Labels l)
    {
        lock (_lock) return _series.TryGetValue(l, out var s) ? [.. s] : [];
    }

    public List<Sample> Samples(params string[] kv) => Samples(Labels.FromStrings(kv));

    public List<Labels> AllSeries()
    {
        lock (_lock) return [.. _series.Keys];
    }

    public Labels? Find(string metricName, string label = "", string value = "")
    {
        lock (_lock)
            foreach (var l in _series.Keys)
                if (l.MetricNameValue == metricName && (label == "" || l.Get(label) == value)) return l;
        return null;
    }

    public double Last(string metricName)
    {
        var l = Find(metricName) ?? throw new InvalidOperationException($"no series {metricName}");
        return Samples(l)[^1].V;
    }

    private sealed class App(RecordingAppendable owner) : IAppender
    {
        private readonly List<(Labels, Sample)> _pending = new();
        private bool _done;

        public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
        {
            if (_done) throw new InvalidOperationException("appender used after commit/rollback");
            var refuse = owner.Refuse?.Invoke(labels, t, v);
            if (refuse is not null) throw refuse;
            _pending.Add((labels, new Sample(t, v)));
            var r = new SeriesRef((ulong)labels.Hash | 1);
            lock (owner._lock)
            {
                owner.AppendedLabels.Add(labels);
                if (!owner._stored.ContainsKey(labels))
                {
                    var copy = new LabelsBuilder(labels).Build();
                    owner._stored[copy] = copy;
                    owner._storedByRef[r.Value] = copy;
                }
            }
            return r;
        }

        public Labels? StoredLabels(SeriesRef seriesRef)
        {
            lock (owner._lock) return owner._storedByRef.GetValueOrDefault(seriesRef.Value);
        }

        public void Commit()
        {
            _done = true;
            lock (owner._lock)
            {
                foreach (var (l, s) in _pending)
                {
                    if (!owner._series.TryGetValue(l, out var list)) owner._series[l] = list = new List<Sample>();
                    list.Add(s);
                }
                owner.Commits++;
            }
        }

        public void Rollback()
        {
            _done = true;
            lock (owner._lock) owner.Rollbacks++;
        }
    }
}
