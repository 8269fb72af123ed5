using Portal.Model;

namespace Portal.Ingest.Tests;

/// <summary>An in-memory appendable that records committed samples per series; optionally refuses some.</summary>
public sealed class RecordingAppendable : IAppendable
{
    private readonly object _lock = new();
    private readonly Dictionary<Labels, List<Sample>> _series = new();

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
            return new SeriesRef((ulong)labels.Hash | 1);
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
