using Portal.Tenancy;
using Prometheus;

namespace Portal.Web.Hosting;

/// <summary>
/// Publishes every open tenant's remote write queues on the portal's /metrics under Prometheus's own metric names
/// (<c>prometheus_remote_storage_*</c>), labelled with the tenant, the queue's name and its URL, plus how far each
/// queue's reader is behind the tenant's WAL. Values are read from the queues when /metrics is scraped; series of
/// queues that no longer run are removed.
/// </summary>
internal sealed class RemoteWriteMetrics(TenantEngineRegistry registry)
{
    private static readonly string[] LabelNames = ["tenant", "remote_name", "url"];

    private static readonly Counter Sent = Metrics.CreateCounter("prometheus_remote_storage_samples_total",
        "Samples sent to the remote storage (accepted by it).", LabelNames);
    private static readonly Counter Failed = Metrics.CreateCounter("prometheus_remote_storage_samples_failed_total",
        "Samples given up on: refused by the remote storage or still unsent when the queue stopped.", LabelNames);
    private static readonly Counter Retried = Metrics.CreateCounter("prometheus_remote_storage_samples_retried_total",
        "Samples sent again after a retryable failure.", LabelNames);
    private static readonly Counter Dropped = Metrics.CreateCounter("prometheus_remote_storage_samples_dropped_total",
        "Samples read from the WAL but never queued, their series gone from storage when read.", LabelNames);
    private static readonly Gauge Pending = Metrics.CreateGauge("prometheus_remote_storage_samples_pending",
        "Samples queued but not yet sent.", LabelNames);
    private static readonly Gauge HighestSent = Metrics.CreateGauge("prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
        "Timestamp of the newest sample the remote storage accepted.", LabelNames);
    private static readonly Gauge Lag = Metrics.CreateGauge("portal_remote_write_lag_seconds",
        "Seconds between the newest queued sample and the newest sent one (0 when caught up).", LabelNames);
    private static readonly Gauge Unread = Metrics.CreateGauge("portal_remote_write_wal_unread_bytes",
        "Bytes of the tenant's WAL written but not yet read by the queue (it holds back while the endpoint is slow or down).", LabelNames);

    private readonly Lock _sync = new();
    private HashSet<(string, string, string)> _published = [];

    /// <summary>Refreshes the metrics from <paramref name="registry"/> before each /metrics scrape.</summary>
    public static void Register(TenantEngineRegistry registry)
    {
        var metrics = new RemoteWriteMetrics(registry);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(metrics.Update);
    }

    internal void Update()
    {
        lock (_sync)
        {
            var now = new HashSet<(string, string, string)>();
            foreach (var engine in registry.OpenEngines)
                foreach (var q in engine.Push.RemoteWriteQueues)
                {
                    var key = (engine.TenantId, q.Name, q.Url);
                    if (!now.Add(key)) continue;
                    string[] l = [key.Item1, key.Item2, key.Item3];
                    var m = q.Metrics;
                    Sent.WithLabels(l).IncTo(m.SamplesSent);
                    Failed.WithLabels(l).IncTo(m.SamplesFailed);
                    Retried.WithLabels(l).IncTo(m.SamplesRetried);
                    Dropped.WithLabels(l).IncTo(m.SamplesDropped);
                    Pending.WithLabels(l).Set(m.SamplesPending);
                    HighestSent.WithLabels(l).Set(m.HighestSentTimestampMs / 1000.0);
                    Lag.WithLabels(l).Set(m.LagSeconds);
                    Unread.WithLabels(l).Set(m.WalUnreadBytes);
                }
            foreach (var (tenant, name, url) in _published.Except(now))
            {
                foreach (var c in new[] { Sent, Failed, Retried, Dropped }) c.RemoveLabelled(tenant, name, url);
                foreach (var g in new[] { Pending, HighestSent, Lag, Unread }) g.RemoveLabelled(tenant, name, url);
            }
            _published = now;
        }
    }
}
