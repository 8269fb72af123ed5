using Microsoft.Extensions.Logging;
using Portal.Ingest.Scrape;
using Portal.Model;
using Portal.PromQL;
using Portal.Rules;
using Portal.Tsdb;

namespace Portal.Tenancy;

/// <summary>
/// Everything one tenant runs: its TSDB under <c>&lt;storage&gt;/tenants/&lt;tenant-id&gt;/</c>, the
/// query engine, and the limited door samples enter by. Thread-safe. Created and disposed by
/// <see cref="TenantEngineRegistry"/>; callers never dispose it themselves.
/// </summary>
public sealed class TenantEngine : IDisposable
{
    private readonly TimeProvider _clock;
    private long _lastUsedTicks;

    public string TenantId { get; }
    public string Directory { get; }
    public TenantLimits Limits { get; }
    public TenantUsage Usage { get; } = new();
    public TsdbDatabase Tsdb { get; }
    public PromQLEngine Query { get; }

    /// <summary>How the tenant's outbound connections are opened (hosted mode's public-address check), or null for the default.</summary>
    public Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? OutboundConnect { get; }

    /// <summary>Where every sample enters: label checks and limits, then the TSDB.</summary>
    public IAppendable Appendable { get; }

    /// <summary>The tenant's scrape jobs, appending through <see cref="Appendable"/>; configured from its prometheus.yml.</summary>
    public ScrapeManager Scrape { get; }

    /// <summary>Pushgateway and remote write sending for this tenant.</summary>
    public TenantPushServices Push { get; }

    /// <summary>Where queries read: the TSDB (head and blocks).</summary>
    public Portal.Model.IQueryable Queryable => Tsdb;

    /// <summary>The tenant's recording and alerting rules (see <see cref="TenantRules"/>).</summary>
    public RuleManager Rules { get; }

    /// <summary>The tenant's Alertmanager (started on first use; see <see cref="TenantAlerting"/>); receives the rules' alerts.</summary>
    public TenantAlerting Alerting { get; }

    internal TenantEngine(string tenantId, string directory, TenantLimits limits, TimeProvider clock, ILoggerFactory? loggers,
        Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? outboundConnect = null)
    {
        OutboundConnect = outboundConnect;
        TenantId = tenantId;
        Directory = directory;
        Limits = limits;
        _clock = clock;
        Tsdb = TsdbDatabase.Open(directory, new TsdbOptions
        {
            RetentionMs = (long)limits.Retention.TotalMilliseconds,
            MaxSeries = limits.MaxGlobalSeriesPerUser,
        }, loggers?.CreateLogger($"Portal.Tsdb[{tenantId}]"));
        Query = new PromQLEngine(new EngineOptions
        {
            Timeout = limits.QueryTimeout,
            MaxSamples = limits.MaxSamplesPerQuery,
        });
        Appendable = new LimitedAppendable(Tsdb, limits,
            new TokenBucket(limits.IngestionRate, limits.IngestionBurstSize, clock), Usage);
        Scrape = new ScrapeManager(Appendable, new ScrapeManagerOptions
        {
            OffsetSeed = Labels.FromStrings("tenant", tenantId).Hash,
            ConnectCallback = outboundConnect,
        });
        Push = new TenantPushServices(directory, Appendable, Tsdb, clock, loggers?.CreateLogger($"Portal.Push[{tenantId}]"));
        Rules = TenantRules.CreateManager(this, clock, loggers);
        Alerting = new TenantAlerting(tenantId, directory, clock, loggers, outboundConnect);
        Rules.AlertSink = Alerting;
        ConfigAppliedAt = clock.GetUtcNow();
        Touch();
    }

    /// <summary>What /api/v1/status/config shows until a configuration is applied: Prometheus's defaults.</summary>
    public const string DefaultConfigYaml = "global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\n  evaluation_interval: 1m\n";

    /// <summary>The running Prometheus configuration as shown to the tenant (secrets masked).</summary>
    public string DisplayConfigYaml { get; private set; } = DefaultConfigYaml;

    /// <summary>When the running configuration was applied (the engine's start until one is).</summary>
    public DateTimeOffset ConfigAppliedAt { get; private set; }

    /// <summary>Records the configuration now running, as it may be shown back (secrets already masked).</summary>
    public void SetDisplayConfig(string maskedYaml)
    {
        DisplayConfigYaml = maskedYaml;
        ConfigAppliedAt = _clock.GetUtcNow();
    }

    /// <summary>When the engine was last asked for; idle engines are closed to give memory back.</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    internal void Touch() => Interlocked.Exchange(ref _lastUsedTicks, _clock.GetUtcNow().UtcTicks);

    /// <summary>Stops scraping, then closes the TSDB.</summary>
    public void Dispose()
    {
        Rules.Dispose();
        Alerting.Dispose();
        Scrape.Dispose();
        Push.Dispose();
        Tsdb.Dispose();
    }
}
