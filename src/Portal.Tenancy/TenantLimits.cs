namespace Portal.Tenancy;

/// <summary>
/// What one tenant may use. Defaults come from the <c>Limits</c> settings section; a tenant's
/// overrides replace single values. Names follow Grafana Mimir's where Mimir has the limit
/// (shown in each summary) so operators recognise them.
/// </summary>
public sealed record TenantLimits
{
    /// <summary><c>ingestion_rate</c>: samples per second accepted on average, across every ingest path.</summary>
    public double IngestionRate { get; init; } = 100_000;

    /// <summary><c>ingestion_burst_size</c>: samples accepted at once above the average rate.</summary>
    public int IngestionBurstSize { get; init; } = 1_000_000;

    /// <summary><c>max_global_series_per_user</c>: active (in-memory) series; 0 means no limit.</summary>
    public int MaxGlobalSeriesPerUser { get; init; } = 1_000_000;

    /// <summary><c>max_label_names_per_series</c>: labels per series including <c>__name__</c>.</summary>
    public int MaxLabelNamesPerSeries { get; init; } = 30;

    /// <summary>Scrape targets across all jobs (after relabeling).</summary>
    public int MaxScrapeTargets { get; init; } = 1_000;

    /// <summary>The shortest scrape or evaluation interval a tenant's configuration may ask for.</summary>
    public TimeSpan MinScrapeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples one query may hold in memory at once (Prometheus's query.max-samples).</summary>
    public int MaxSamplesPerQuery { get; init; } = 50_000_000;

    /// <summary>How long one query may run (Prometheus's query.timeout).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>ruler_max_rule_groups_per_tenant</c>.</summary>
    public int MaxRuleGroups { get; init; } = 100;

    /// <summary><c>compactor_blocks_retention_period</c>: how long samples are kept.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(15);

    /// <summary>Largest request body on push paths (remote write, Pushgateway), in bytes.</summary>
    public long MaxRequestBodyBytes { get; init; } = 32 * 1024 * 1024;
}
