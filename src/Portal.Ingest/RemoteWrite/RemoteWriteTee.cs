using Portal.Model;

namespace Portal.Ingest.RemoteWrite;

/// <summary>A committed sample on its way to remote write queues.</summary>
public readonly record struct PendingSample(Labels Labels, long T, double V);

/// <summary>
/// Sits on a tenant's append path and hands every committed sample to the tenant's remote write queues
/// (<see cref="RemoteWriteQueue"/>). Samples of rolled-back transactions are never sent. When no queue is
/// configured, appenders pass straight through at no cost. This taps the append path rather than reading the
/// TSDB's write-ahead log, so samples committed while the portal is down or while a queue is full are not
/// re-sent later (a full queue counts them as dropped). Thread-safe.
/// </summary>
public sealed class RemoteWriteTee(IAppendable inner) : IAppendable
{
    private volatile RemoteWriteQueue[] _queues = [];

    /// <summary>The queues now receiving samples.</summary>
    public IReadOnlyList<RemoteWriteQueue> Queues => _queues;

    /// <summary>Replaces the queues; the caller disposes the old ones.</summary>
    public void SetQueues(RemoteWriteQueue[] queues) => _queues = queues;

    public IAppender Appender()
    {
        var queues = _queues;
        var app = inner.Appender();
        return queues.Length == 0 ? app : new TeeAppender(app, queues);
    }

    private sealed class TeeAppender(IAppender inner, RemoteWriteQueue[] queues) : IAppender
    {
        private readonly List<PendingSample> _pending = new();

        public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
        {
            var r = inner.Append(seriesRef, labels, t, v);
            if (labels is not null) _pending.Add(new PendingSample(labels, t, v));
            return r;
        }

        public Labels? StoredLabels(SeriesRef seriesRef) => inner.StoredLabels(seriesRef);

        public void Commit()
        {
            inner.Commit();
            foreach (var q in queues) q.Enqueue(_pending);
            _pending.Clear();
        }

        public void Rollback()
        {
            _pending.Clear();
            inner.Rollback();
        }
    }
}
