namespace Portal.Config.Prometheus;

/// <summary>The top level of a Prometheus configuration file (prometheus.yml).</summary>
[YamlType("config")]
public sealed class PrometheusConfig : ConfigObject
{
    [YamlKey("global")] public GlobalConfig? Global { get; set; }
    [YamlKey("runtime")] public RuntimeConfig? Runtime { get; set; }
    [YamlKey("alerting")] public AlertingConfig? Alerting { get; set; }
    [YamlKey("rule_files")] public List<string>? RuleFiles { get; set; }
    [YamlKey("scrape_config_files")] public List<string>? ScrapeConfigFiles { get; set; }
    [YamlKey("scrape_configs")] public List<ScrapeConfig>? ScrapeConfigs { get; set; }
    [YamlKey("storage")] public StorageConfig? Storage { get; set; }
    [YamlKey("tracing")] public TracingConfig? Tracing { get; set; }
    [YamlKey("remote_write")] public List<RemoteWriteConfig>? RemoteWrite { get; set; }
    [YamlKey("remote_read")] public List<RemoteReadConfig>? RemoteRead { get; set; }
    [YamlKey("otlp")] public OtlpConfig? Otlp { get; set; }
}

/// <summary>Values used across the other sections. Defaults: scrape_interval 1m, scrape_timeout 10s, evaluation_interval 1m.</summary>
[YamlType("global_config")]
public sealed class GlobalConfig : ConfigObject
{
    public static readonly Duration DefaultScrapeInterval = Duration.FromMinutes(1);
    public static readonly Duration DefaultScrapeTimeout = Duration.FromSeconds(10);
    public static readonly Duration DefaultEvaluationInterval = Duration.FromMinutes(1);

    [YamlKey("scrape_interval")] public Duration ScrapeInterval { get; set; }
    [YamlKey("scrape_timeout")] public Duration ScrapeTimeout { get; set; }
    [YamlKey("scrape_protocols")] public List<string>? ScrapeProtocols { get; set; }
    [YamlKey("evaluation_interval")] public Duration EvaluationInterval { get; set; }
    [YamlKey("rule_query_offset")] public Duration RuleQueryOffset { get; set; }
    /// <summary>Accepted for compatibility; Portal keeps its own query log, so this is ignored (a note says so).</summary>
    [YamlKey("query_log_file")] public string? QueryLogFile { get; set; }
    [YamlKey("scrape_failure_log_file")] public string? ScrapeFailureLogFile { get; set; }
    [YamlKey("external_labels")] public Dictionary<string, string>? ExternalLabels { get; set; }
    [YamlKey("body_size_limit")] public ByteSize BodySizeLimit { get; set; }
    [YamlKey("sample_limit")] public uint SampleLimit { get; set; }
    [YamlKey("target_limit")] public uint TargetLimit { get; set; }
    [YamlKey("label_limit")] public uint LabelLimit { get; set; }
    [YamlKey("label_name_length_limit")] public uint LabelNameLengthLimit { get; set; }
    [YamlKey("label_value_length_limit")] public uint LabelValueLengthLimit { get; set; }
    [YamlKey("keep_dropped_targets")] public uint KeepDroppedTargets { get; set; }
    [YamlKey("metric_name_validation_scheme")] public string? MetricNameValidationScheme { get; set; }
    [YamlKey("metric_name_escaping_scheme")] public string? MetricNameEscapingScheme { get; set; }
    [YamlKey("scrape_native_histograms")] public bool? ScrapeNativeHistograms { get; set; }
    [YamlKey("convert_classic_histograms_to_nhcb")] public bool ConvertClassicHistogramsToNhcb { get; set; }
    [YamlKey("always_scrape_classic_histograms")] public bool AlwaysScrapeClassicHistograms { get; set; }
    [YamlKey("extra_scrape_metrics")] public bool ExtraScrapeMetrics { get; set; }

    /// <summary>True when names are checked with the legacy (ASCII) rules.</summary>
    public bool LegacyNames => MetricNameValidationScheme == "legacy";
}

[YamlType("runtime_config")]
public sealed class RuntimeConfig : ConfigObject
{
    [YamlKey("gogc")] public int GoGc { get; set; }
}

/// <summary>One scrape job. Unset intervals, timeouts and limits inherit the global values on load.</summary>
[YamlType("scrape_config")]
public sealed class ScrapeConfig : ConfigObject
{
    [YamlKey("job_name")] public string? JobName { get; set; }
    [YamlKey("honor_labels")] public bool HonorLabels { get; set; }
    [YamlKey("honor_timestamps")] public bool HonorTimestamps { get; set; } = true;
    [YamlKey("track_timestamps_staleness")] public bool TrackTimestampsStaleness { get; set; }
    [YamlKey("params")] public Dictionary<string, List<string>>? Params { get; set; }
    [YamlKey("scrape_interval")] public Duration ScrapeInterval { get; set; }
    [YamlKey("scrape_timeout")] public Duration ScrapeTimeout { get; set; }
    [YamlKey("scrape_protocols")] public List<string>? ScrapeProtocols { get; set; }
    [YamlKey("fallback_scrape_protocol")] public string? FallbackScrapeProtocol { get; set; }
    [YamlKey("scrape_native_histograms")] public bool? ScrapeNativeHistograms { get; set; }
    [YamlKey("always_scrape_classic_histograms")] public bool? AlwaysScrapeClassicHistograms { get; set; }
    [YamlKey("convert_classic_histograms_to_nhcb")] public bool? ConvertClassicHistogramsToNhcb { get; set; }
    [YamlKey("scrape_failure_log_file")] public string? ScrapeFailureLogFile { get; set; }
    [YamlKey("metrics_path")] public string? MetricsPath { get; set; } = "/metrics";
    [YamlKey("scheme")] public string? Scheme { get; set; } = "http";
    [YamlKey("enable_compression")] public bool EnableCompression { get; set; } = true;
    [YamlKey("body_size_limit")] public ByteSize BodySizeLimit { get; set; }
    [YamlKey("sample_limit")] public uint SampleLimit { get; set; }
    [YamlKey("target_limit")] public uint TargetLimit { get; set; }
    [YamlKey("label_limit")] public uint LabelLimit { get; set; }
    [YamlKey("label_name_length_limit")] public uint LabelNameLengthLimit { get; set; }
    [YamlKey("label_value_length_limit")] public uint LabelValueLengthLimit { get; set; }
    [YamlKey("native_histogram_bucket_limit")] public uint NativeHistogramBucketLimit { get; set; }
    [YamlKey("native_histogram_min_bucket_factor")] public double NativeHistogramMinBucketFactor { get; set; }
    [YamlKey("keep_dropped_targets")] public uint KeepDroppedTargets { get; set; }
    [YamlKey("metric_name_validation_scheme")] public string? MetricNameValidationScheme { get; set; }
    [YamlKey("metric_name_escaping_scheme")] public string? MetricNameEscapingScheme { get; set; }
    [YamlKey("extra_scrape_metrics")] public bool? ExtraScrapeMetrics { get; set; }
    [YamlInline] public ServiceDiscoveryConfigs ServiceDiscovery { get; set; } = new();
    [YamlInline] public HttpClientConfig HttpClientConfig { get; set; } = new();
    [YamlKey("relabel_configs")] public List<RelabelConfig>? RelabelConfigs { get; set; }
    [YamlKey("metric_relabel_configs")] public List<RelabelConfig>? MetricRelabelConfigs { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(JobName)) ctx.Error(this, IsSet("job_name") ? "job_name" : null, "job_name is empty");
        ServiceDiscovery.ValidateSections(ctx, this);
        if (RelabelConfigs is null || RelabelConfigs.Count == 0) ConfigChecks.CheckStaticTargets(ctx, ServiceDiscovery);
        ConfigChecks.NoNullItems(ctx, this, "relabel_configs", RelabelConfigs, "empty or null target relabeling rule in scrape config");
        ConfigChecks.NoNullItems(ctx, this, "metric_relabel_configs", MetricRelabelConfigs, "empty or null metric relabeling rule in scrape config");
    }
}

[YamlType("alerting_config")]
public sealed class AlertingConfig : ConfigObject
{
    [YamlKey("alert_relabel_configs")] public List<RelabelConfig>? AlertRelabelConfigs { get; set; }
    [YamlKey("alertmanagers")] public List<AlertmanagerEndpointConfig>? Alertmanagers { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        ConfigChecks.NoNullItems(ctx, this, "alert_relabel_configs", AlertRelabelConfigs, "empty or null alert relabeling rule");
        ConfigChecks.NoNullItems(ctx, this, "alertmanagers", Alertmanagers, "empty or null alertmanager config section");
    }
}

[YamlType("sigv4_config")]
public sealed class SigV4Config : ConfigObject
{
    [YamlKey("region")] public string? Region { get; set; }
    [YamlKey("access_key")] public string? AccessKey { get; set; }
    [YamlKey("secret_key")] public Secret? SecretKey { get; set; }
    [YamlKey("profile")] public string? Profile { get; set; }
    [YamlKey("role_arn")] public string? RoleArn { get; set; }
    [YamlKey("external_id")] public string? ExternalId { get; set; }
    [YamlKey("use_fips_sts_endpoint")] public bool UseFipsStsEndpoint { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey?.Value))
            ctx.Error(this, null, "must provide a AWS SigV4 Access key and Secret Key if credentials are specified in the SigV4 config");
    }
}

/// <summary>How Prometheus finds and talks to Alertmanagers (an entry of <c>alerting.alertmanagers</c>).</summary>
[YamlType("alertmanager_config")]
public sealed class AlertmanagerEndpointConfig : ConfigObject
{
    [YamlInline] public ServiceDiscoveryConfigs ServiceDiscovery { get; set; } = new();
    [YamlInline] public HttpClientConfig HttpClientConfig { get; set; } = new();
    [YamlKey("sigv4")] public SigV4Config? SigV4 { get; set; }
    [YamlKey("scheme")] public string? Scheme { get; set; } = "http";
    [YamlKey("path_prefix")] public string? PathPrefix { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; } = Duration.FromSeconds(10);
    [YamlKey("api_version")] public string? ApiVersion { get; set; } = "v2";
    [YamlKey("relabel_configs")] public List<RelabelConfig>? RelabelConfigs { get; set; }
    [YamlKey("alert_relabel_configs")] public List<RelabelConfig>? AlertRelabelConfigs { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (ApiVersion != "v2") ctx.Error(this, "api_version", $"expected Alertmanager api version to be one of [v2] but got {ApiVersion}");
        if (HttpClientConfig.AnyAuth && SigV4 is not null)
            ctx.Error(this, "sigv4", "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured");
        ServiceDiscovery.ValidateSections(ctx, this);
        if (RelabelConfigs is null || RelabelConfigs.Count == 0) ConfigChecks.CheckStaticTargets(ctx, ServiceDiscovery);
        ConfigChecks.NoNullItems(ctx, this, "relabel_configs", RelabelConfigs, "empty or null Alertmanager target relabeling rule");
        ConfigChecks.NoNullItems(ctx, this, "alert_relabel_configs", AlertRelabelConfigs, "empty or null Alertmanager alert relabeling rule");
    }
}

[YamlType("queue_config")]
public sealed class QueueConfig : ConfigObject
{
    [YamlKey("capacity")] public int Capacity { get; set; } = 10000;
    [YamlKey("max_shards")] public int MaxShards { get; set; } = 50;
    [YamlKey("min_shards")] public int MinShards { get; set; } = 1;
    [YamlKey("max_samples_per_send")] public int MaxSamplesPerSend { get; set; } = 2000;
    [YamlKey("batch_send_deadline")] public Duration BatchSendDeadline { get; set; } = Duration.FromSeconds(5);
    [YamlKey("min_backoff")] public Duration MinBackoff { get; set; } = new(30);
    [YamlKey("max_backoff")] public Duration MaxBackoff { get; set; } = Duration.FromSeconds(5);
    [YamlKey("retry_on_http_429")] public bool RetryOnHttp429 { get; set; }
    [YamlKey("sample_age_limit")] public Duration SampleAgeLimit { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Capacity <= 0) ctx.Error(this, "capacity", "queue_config capacity must be greater than 0");
        if (MaxShards <= 0) ctx.Error(this, "max_shards", "queue_config max_shards must be greater than 0");
        if (MinShards <= 0) ctx.Error(this, "min_shards", "queue_config min_shards must be greater than 0");
        if (MaxSamplesPerSend <= 0) ctx.Error(this, "max_samples_per_send", "queue_config max_samples_per_send must be greater than 0");
        if (MinShards > MaxShards && MaxShards > 0) ctx.Error(this, "min_shards", $"queue_config min_shards ({MinShards}) must not be greater than max_shards ({MaxShards})");
        if (MaxBackoff < MinBackoff) ctx.Error(this, "max_backoff", $"queue_config max_backoff ({MaxBackoff}) must not be less than min_backoff ({MinBackoff})");
    }
}

[YamlType("metadata_config")]
public sealed class MetadataConfig : ConfigObject
{
    [YamlKey("send")] public bool Send { get; set; } = true;
    [YamlKey("send_interval")] public Duration SendInterval { get; set; } = Duration.FromMinutes(1);
    [YamlKey("max_samples_per_send")] public int MaxSamplesPerSend { get; set; } = 2000;
}

[YamlType("azuread_managed_identity")]
public sealed class AzureAdManagedIdentity : ConfigObject
{
    [YamlKey("client_id")] public string? ClientId { get; set; }
}

[YamlType("azuread_oauth")]
public sealed class AzureAdOAuth : ConfigObject
{
    [YamlKey("client_id")] public string? ClientId { get; set; }
    [YamlKey("client_secret")] public Secret? ClientSecret { get; set; }
    [YamlKey("tenant_id")] public string? TenantId { get; set; }
}

[YamlType("azuread_sdk")]
public sealed class AzureAdSdk : ConfigObject
{
    [YamlKey("tenant_id")] public string? TenantId { get; set; }
}

[YamlType("azuread_workload_identity")]
public sealed class AzureAdWorkloadIdentity : ConfigObject
{
    [YamlKey("client_id")] public string? ClientId { get; set; }
    [YamlKey("tenant_id")] public string? TenantId { get; set; }
    [YamlKey("token_file_path")] public string? TokenFilePath { get; set; }
}

[YamlType("azuread")]
public sealed class AzureAdConfig : ConfigObject
{
    [YamlKey("cloud")] public string? Cloud { get; set; } = "AzurePublic";
    [YamlKey("managed_identity")] public AzureAdManagedIdentity? ManagedIdentity { get; set; }
    [YamlKey("oauth")] public AzureAdOAuth? OAuth { get; set; }
    [YamlKey("sdk")] public AzureAdSdk? Sdk { get; set; }
    [YamlKey("workload_identity")] public AzureAdWorkloadIdentity? WorkloadIdentity { get; set; }
    [YamlKey("scope")] public string? Scope { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Cloud is not ("AzurePublic" or "AzureChina" or "AzureGovernment"))
            ctx.Error(this, "cloud", "must provide a cloud in the Azure AD config (AzurePublic, AzureChina or AzureGovernment)");
        int n = (ManagedIdentity is null ? 0 : 1) + (OAuth is null ? 0 : 1) + (Sdk is null ? 0 : 1) + (WorkloadIdentity is null ? 0 : 1);
        if (n == 0) ctx.Error(this, null, "must provide an Azure Managed Identity, Azure OAuth, Azure SDK or Azure Workload Identity in the Azure AD config");
        if (n > 1) ctx.Error(this, null, "cannot provide more than one of Azure Managed Identity, Azure OAuth, Azure SDK or Azure Workload Identity in the Azure AD config");
    }
}

[YamlType("google_iam")]
public sealed class GoogleIamConfig : ConfigObject
{
    [YamlKey("credentials_file")] public string? CredentialsFile { get; set; }
}

/// <summary>One <c>remote_write</c> endpoint. HTTP/2 is off by default here, as in Prometheus.</summary>
[YamlType("remote_write_config")]
public sealed class RemoteWriteConfig : ConfigObject
{
    public static readonly string[] ProtobufMessages = ["prometheus.WriteRequest", "io.prometheus.write.v2.Request"];

    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("remote_timeout")] public Duration RemoteTimeout { get; set; } = Duration.FromSeconds(30);
    [YamlKey("headers")] public Dictionary<string, string>? Headers { get; set; }
    [YamlKey("write_relabel_configs")] public List<RelabelConfig>? WriteRelabelConfigs { get; set; }
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("send_exemplars")] public bool SendExemplars { get; set; }
    [YamlKey("send_native_histograms")] public bool SendNativeHistograms { get; set; }
    [YamlKey("round_robin_dns")] public bool RoundRobinDns { get; set; }
    [YamlKey("protobuf_message")] public string? ProtobufMessage { get; set; } = "prometheus.WriteRequest";
    [YamlInline] public HttpClientConfig HttpClientConfig { get; set; } = new() { EnableHttp2 = false };
    [YamlKey("queue_config")] public QueueConfig? QueueConfig { get; set; } = new();
    [YamlKey("metadata_config")] public MetadataConfig? MetadataConfig { get; set; } = new();
    [YamlKey("sigv4")] public SigV4Config? SigV4 { get; set; }
    [YamlKey("azuread")] public AzureAdConfig? AzureAd { get; set; }
    [YamlKey("google_iam")] public GoogleIamConfig? GoogleIam { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Url)) ctx.Error(this, IsSet("url") ? "url" : null, "url for remote_write is empty");
        else UrlCheck.Validate(ctx, this, "url", Url, requireHttp: false);
        ConfigChecks.NoNullItems(ctx, this, "write_relabel_configs", WriteRelabelConfigs, "empty or null relabeling rule in remote write config");
        ConfigChecks.CheckRemoteHeaders(ctx, this, Headers);
        if (ProtobufMessage is not null && Array.IndexOf(ProtobufMessages, ProtobufMessage) < 0)
            ctx.Error(this, "protobuf_message", $"invalid protobuf_message value: unknown type for remote write protobuf message {ProtobufMessage}, supported: {string.Join(", ", ProtobufMessages)}");
        var auth = new List<string>();
        if (HttpClientConfig.BasicAuth is not null) auth.Add("basic_auth");
        if (HttpClientConfig.Authorization is not null) auth.Add("authorization");
        if (HttpClientConfig.OAuth2 is not null) auth.Add("oauth2");
        if (SigV4 is not null) auth.Add("sigv4");
        if (AzureAd is not null) auth.Add("azuread");
        if (GoogleIam is not null) auth.Add("google_iam");
        if (auth.Count > 1)
            ctx.Error(this, null, $"at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: [{string.Join(" ", auth)}]");
    }
}

/// <summary>One <c>remote_read</c> endpoint.</summary>
[YamlType("remote_read_config")]
public sealed class RemoteReadConfig : ConfigObject
{
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("remote_timeout")] public Duration RemoteTimeout { get; set; } = Duration.FromMinutes(1);
    [YamlKey("chunked_read_limit")] public ulong ChunkedReadLimit { get; set; } = 50_000_000;
    [YamlKey("headers")] public Dictionary<string, string>? Headers { get; set; }
    [YamlKey("read_recent")] public bool ReadRecent { get; set; }
    [YamlKey("name")] public string? Name { get; set; }
    [YamlInline] public HttpClientConfig HttpClientConfig { get; set; } = new();
    [YamlKey("required_matchers")] public Dictionary<string, string>? RequiredMatchers { get; set; }
    [YamlKey("filter_external_labels")] public bool FilterExternalLabels { get; set; } = true;

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Url)) ctx.Error(this, IsSet("url") ? "url" : null, "url for remote_read is empty");
        else UrlCheck.Validate(ctx, this, "url", Url, requireHttp: false);
        ConfigChecks.CheckRemoteHeaders(ctx, this, Headers);
    }
}

[YamlType("tsdb_retention")]
public sealed class TsdbRetentionConfig : ConfigObject
{
    [YamlKey("time")] public Duration Time { get; set; }
    [YamlKey("size")] public ByteSize Size { get; set; }
    [YamlKey("percentage")] public double Percentage { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Percentage < 0 || Percentage > 100 || double.IsNaN(Percentage))
            ctx.Error(this, "percentage", $"retention percentage must be between 0 and 100, got {Percentage.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }
}

[YamlType("chunk_encoding")]
public sealed class TsdbChunkEncodingConfig : ConfigObject
{
    [YamlKey("floats")] public string? Floats { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (Floats is not null and not ("xor" or "xor2"))
            ctx.Error(this, "floats", $"unknown float chunk encoding \"{Floats}\" (use xor or xor2)");
    }
}

[YamlType("tsdb")]
public sealed class TsdbConfig : ConfigObject
{
    [YamlKey("out_of_order_time_window")] public Duration OutOfOrderTimeWindow { get; set; }
    [YamlKey("stale_series_compaction_threshold")] public double StaleSeriesCompactionThreshold { get; set; }
    [YamlKey("retention")] public TsdbRetentionConfig? Retention { get; set; }
    [YamlKey("chunk_encoding")] public TsdbChunkEncodingConfig? ChunkEncoding { get; set; }
}

[YamlType("exemplars")]
public sealed class ExemplarsConfig : ConfigObject
{
    [YamlKey("max_exemplars")] public long MaxExemplars { get; set; } = 100000;
}

[YamlType("storage_config")]
public sealed class StorageConfig : ConfigObject
{
    [YamlKey("tsdb")] public TsdbConfig? Tsdb { get; set; }
    [YamlKey("exemplars")] public ExemplarsConfig? Exemplars { get; set; }
}

[YamlType("tracing_config")]
public sealed class TracingConfig : ConfigObject
{
    [YamlKey("client_type")] public string? ClientType { get; set; } = "grpc";
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("sampling_fraction")] public double SamplingFraction { get; set; }
    [YamlKey("insecure")] public bool Insecure { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("headers")] public Dictionary<string, string>? Headers { get; set; }
    [YamlKey("compression")] public string? Compression { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (ClientType is not ("http" or "grpc"))
            ctx.Error(this, "client_type", $"expected tracing client type to be to be http or grpc, but got {ClientType}");
        foreach (var h in Headers?.Keys ?? (IEnumerable<string>)[])
        {
            if (string.Equals(h, "authorization", StringComparison.OrdinalIgnoreCase))
                ctx.Error(this, "headers", "custom authorization header configuration is not yet supported");
            else if (ConfigChecks.ReservedRemoteHeaders.Contains(h))
                ctx.Error(this, "headers", $"{h} is a reserved header. It must not be changed");
        }
        if (string.IsNullOrEmpty(Endpoint)) ctx.Error(this, null, "tracing endpoint must be set");
        if (!string.IsNullOrEmpty(Compression) && Compression != "gzip")
            ctx.Error(this, "compression", $"invalid compression type {Compression} provided, valid options: gzip");
    }
}

[YamlType("otlp_config")]
public sealed class OtlpConfig : ConfigObject
{
    public static readonly string[] TranslationStrategies =
        ["UnderscoreEscapingWithSuffixes", "UnderscoreEscapingWithoutSuffixes", "NoUTF8EscapingWithSuffixes", "NoTranslation"];

    [YamlKey("promote_all_resource_attributes")] public bool PromoteAllResourceAttributes { get; set; }
    [YamlKey("promote_resource_attributes")] public List<string>? PromoteResourceAttributes { get; set; }
    [YamlKey("ignore_resource_attributes")] public List<string>? IgnoreResourceAttributes { get; set; }
    [YamlKey("translation_strategy")] public string? TranslationStrategy { get; set; } = "UnderscoreEscapingWithSuffixes";
    [YamlKey("keep_identifying_resource_attributes")] public bool KeepIdentifyingResourceAttributes { get; set; }
    [YamlKey("convert_histograms_to_nhcb")] public bool ConvertHistogramsToNhcb { get; set; }
    [YamlKey("promote_scope_metadata")] public bool PromoteScopeMetadata { get; set; }
    [YamlKey("label_name_underscore_sanitization")] public bool LabelNameUnderscoreSanitization { get; set; } = true;
    [YamlKey("label_name_preserve_multiple_underscores")] public bool LabelNamePreserveMultipleUnderscores { get; set; } = true;

    internal override void Validate(LoadContext ctx)
    {
        if (PromoteAllResourceAttributes)
        {
            if (PromoteResourceAttributes is { Count: > 0 })
                ctx.Error(this, "promote_resource_attributes", "'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
            else Sanitize(ctx, "ignore_resource_attributes", IgnoreResourceAttributes, "ignored");
        }
        else
        {
            if (IgnoreResourceAttributes is { Count: > 0 })
                ctx.Error(this, "ignore_resource_attributes", "'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
            else Sanitize(ctx, "promote_resource_attributes", PromoteResourceAttributes, "promoted");
        }
    }

    private void Sanitize(LoadContext ctx, string key, List<string>? attrs, string adjective)
    {
        if (attrs is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < attrs.Count; i++)
        {
            var a = (attrs[i] ?? "").Trim();
            if (a.Length == 0) { ctx.Error(this, key, $"invalid '{key}': empty {adjective} OTel resource attribute"); continue; }
            if (!seen.Add(a)) { ctx.Error(this, key, $"invalid '{key}': duplicated {adjective} OTel resource attribute \"{a}\""); continue; }
            attrs[i] = a;
        }
    }
}
