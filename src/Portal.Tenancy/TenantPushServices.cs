using Microsoft.Extensions.Logging;
using Portal.Config.Prometheus;
using Portal.Ingest.Pushgateway;
using Portal.Ingest.RemoteWrite;
using Portal.Model;

namespace Portal.Tenancy;

/// <summary>
/// A tenant's push paths that keep state between requests: its Pushgateway (groups persisted under
/// <c>&lt;tenant dir&gt;/pushgateway/</c>, ingested into the tenant's storage every scrape interval) and its
/// remote write queues (the <c>remote_write</c> section, each following the tenant's WAL).
/// Created and disposed with the <see cref="TenantEngine"/>. Thread-safe.
/// </summary>
public sealed class TenantPushServices : IDisposable
{
    /// <summary>Prometheus's default scrape interval, used until a configuration sets another.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly IAppendable _appendable;
    private readonly TimeProvider _clock;
    private readonly ILogger? _log;
    private readonly PushIngester _ingester = new();
    private readonly Lock _ingestLock = new();
    private readonly ITimer _timer;
    private TimeSpan _interval = DefaultInterval;
    private bool _disposed;

    /// <summary>The tenant's Pushgateway groups.</summary>
    public PushgatewayStore Pushgateway { get; }

    /// <summary>How often pushed groups are ingested: the tenant's global scrape_interval.</summary>
    public TimeSpan Interval => _interval;

    private readonly ICommittedSampleLog _wal;
    private volatile RemoteWriteQueue[] _queues = [];

    /// <summary>What each running queue was made from (its remote_write entry and the external labels), index for index.</summary>
    private string[] _queueKeys = [];
    private readonly Lock _queuesLock = new();

    /// <summary>
    /// True while the tenant has remote write queues or pushed groups: work that runs without requests, so the
    /// engine should not be closed as idle.
    /// </summary>
    public bool HasWork => _queues.Length > 0 || Pushgateway.Groups().Count > 0;

    /// <summary>Label sets seen on the tenant's remote write receiver, for the fast decoding path.</summary>
    public RemoteWriteSeriesCache RemoteWriteCache { get; } = new();

    /// <summary>The running remote write queues, one per <c>remote_write</c> entry.</summary>
    public IReadOnlyList<RemoteWriteQueue> RemoteWriteQueues => _queues;

    internal TenantPushServices(string tenantDirectory, IAppendable appendable, ICommittedSampleLog wal, TimeProvider clock, ILogger? log)
    {
        _wal = wal;
        _appendable = appendable;
        _clock = clock;
        _log = log;
        Pushgateway = new PushgatewayStore(Path.Combine(tenantDirectory, "pushgateway"), clock);
        _timer = clock.CreateTimer(_ => Tick(), null, _interval, _interval);
    }

    /// <summary>
    /// Applies the parts of a tenant's running Prometheus configuration that concern pushing: the global
    /// scrape_interval (the Pushgateway ingestion period) and the remote_write queues. As in Prometheus, a queue
    /// whose remote_write entry and external labels are unchanged keeps running (and its place in the WAL); new
    /// ones follow the WAL from now on; removed or changed ones stop reading it and get a second to flush.
    /// <paramref name="connect"/>, when set, opens every outbound connection (hosted mode's address check).
    /// </summary>
    public void ApplyConfig(PrometheusConfig config, Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        lock (_queuesLock)
        {
            if (_disposed) return;
            var external = string.Join("\n", (config.Global?.ExternalLabels ?? new Dictionary<string, string>())
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
            var old = _queues.ToList();
            var oldKeys = _queueKeys.ToList();
            var queues = new List<RemoteWriteQueue>();
            var keys = new List<string>();
            foreach (var rw in config.RemoteWrite ?? [])
            {
                var key = Portal.Config.ConfigSerializer.ToYaml(rw, maskSecrets: false) + "\n" + external;
                int same = oldKeys.IndexOf(key);
                RemoteWriteQueue q;
                if (same >= 0)
                {
                    q = old[same];
                    old.RemoveAt(same);
                    oldKeys.RemoveAt(same);
                }
                else
                {
                    q = new RemoteWriteQueue(rw, config.Global?.ExternalLabels, line => _log?.LogWarning("{Line}", line), connect);
                    q.Start(_wal.OpenReader());
                }
                queues.Add(q);
                keys.Add(key);
            }
            _queues = [.. queues];
            _queueKeys = [.. keys];
            foreach (var q in old) _ = q.DisposeAsync().AsTask();
        }

        var ms = config.Global?.ScrapeInterval.Milliseconds ?? 0;
        var interval = ms > 0 ? TimeSpan.FromMilliseconds(ms) : DefaultInterval;
        lock (_ingestLock)
        {
            if (_disposed || interval == _interval) return;
            _interval = interval;
            _timer.Change(interval, interval);
        }
    }

    /// <summary>Ingests the pushed groups now (the timer does this every <see cref="Interval"/>).</summary>
    public PushIngester.Result IngestPushed()
    {
        lock (_ingestLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _ingester.Ingest(Pushgateway.Groups(), _appendable, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    private void Tick()
    {
        try
        {
            lock (_ingestLock)
            {
                if (_disposed) return;
                var groups = Pushgateway.Groups();
                var r = _ingester.Ingest(groups, _appendable, _clock.GetUtcNow().ToUnixTimeMilliseconds());
                if (r.Refused > 0) _log?.LogWarning("Pushgateway ingestion refused {Refused} samples", r.Refused);
            }
        }
        catch (Exception e)
        {
            _log?.LogWarning(e, "Pushgateway ingestion failed; the next interval retries");
        }
    }

    public void Dispose()
    {
        lock (_ingestLock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _timer.Dispose();
        RemoteWriteQueue[] queues;
        lock (_queuesLock)
        {
            queues = _queues;
            _queues = [];
            _queueKeys = [];
        }
        foreach (var q in queues) q.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
