using System.Globalization;
using System.Text;
using Portal.Config.Prometheus;
using Portal.Ingest.Discovery;
using Portal.Model;

namespace Portal.Ingest.Scrape;

/// <summary>Health of a target as the targets API reports it.</summary>
public enum TargetHealth : byte
{
    Unknown,
    Up,
    Down,
}

/// <summary>
/// One scrape target: its labels after relabeling (<see cref="Labels"/>, internal <c>__</c> labels removed),
/// the labels it was discovered with, where and how often it is scraped, and the outcome of the latest scrape.
/// Identity is the full post-relabeling label set. Thread-safe: the scrape loop updates the state, readers get
/// a consistent snapshot through <see cref="State"/>.
/// </summary>
public sealed class ScrapeTarget
{
    private readonly object _lock = new();
    private TargetState _state = new(TargetHealth.Unknown, null, TimeSpan.Zero, null, 0);

    public ScrapeTarget(Labels labels, Labels discoveredLabels, string scrapePool, Uri url, TimeSpan interval, TimeSpan timeout)
    {
        FullLabels = labels;
        DiscoveredLabels = discoveredLabels;
        ScrapePool = scrapePool;
        Url = url;
        Interval = interval;
        Timeout = timeout;
        var b = new LabelsBuilder();
        foreach (var l in labels.AsSpan())
            if (!l.Name.StartsWith("__", StringComparison.Ordinal)) b.Set(l.Name, l.Value);
        Labels = b.Build();
    }

    /// <summary>Labels after relabeling, including internal ones such as <c>__address__</c> and <c>__param_*</c>.</summary>
    public Labels FullLabels { get; }

    /// <summary>Labels attached to every sample of the target (no <c>__</c> labels).</summary>
    public Labels Labels { get; }

    /// <summary>Labels before relabeling (with <c>__meta_*</c>), as discovered.</summary>
    public Labels DiscoveredLabels { get; }

    public string ScrapePool { get; }
    public Uri Url { get; }
    public TimeSpan Interval { get; }
    public TimeSpan Timeout { get; }

    /// <summary>The latest scrape outcome.</summary>
    public TargetState State
    {
        get { lock (_lock) return _state; }
    }

    /// <summary>The metric metadata (TYPE, HELP, UNIT) of the target's latest scrapes, sorted by metric name.</summary>
    public IReadOnlyList<MetricMetadata> Metadata => _metadata?.Snapshot ?? [];

    private TargetMetadataCache? _metadata;

    internal void AttachMetadata(TargetMetadataCache cache) => _metadata = cache;

    internal void Report(TargetState s)
    {
        lock (_lock) _state = s;
    }

    /// <summary>A stable 64-bit hash of labels and URL, used to spread scrape times over the interval.</summary>
    public ulong Hash
    {
        get
        {
            ulong h = FullLabels.Hash;
            foreach (char c in Url.AbsoluteUri) h = (h ^ c) * 1099511628211UL;
            return h;
        }
    }

    public override string ToString() => $"{ScrapePool} {Url}";
}

/// <summary>One scrape's outcome: health, when it started, how long it took, the error (if any), samples scraped.</summary>
public sealed record TargetState(TargetHealth Health, DateTimeOffset? LastScrape, TimeSpan LastDuration, string? LastError, int LastSamples);

/// <summary>A discovered target that relabeling (or an invalid result) removed, kept for the targets page.</summary>
public sealed record DroppedTarget(Labels DiscoveredLabels, string ScrapePool, string? Error);

/// <summary>Turns discovered label sets into targets with Prometheus's rules (scrape/target.go PopulateLabels). Thread-safe.</summary>
public static class TargetBuilder
{
    public const string SchemeLabel = "__scheme__";
    public const string MetricsPathLabel = "__metrics_path__";
    public const string IntervalLabel = "__scrape_interval__";
    public const string TimeoutLabel = "__scrape_timeout__";
    public const string ParamPrefix = "__param_";
    public const string MetaPrefix = "__meta_";

    /// <summary>
    /// Builds the pre-relabeling labels (group labels, <c>job</c>, scheme, path, interval, timeout, params), applies
    /// <c>relabel_configs</c>, validates the result and creates the target. Returns null with
    /// <paramref name="error"/> null when relabeling dropped it, or null with an error when the result is unusable.
    /// </summary>
    public static ScrapeTarget? Build(Labels target, Labels groupLabels, ScrapeConfig cfg, out Labels discovered, out string? error)
    {
        error = null;
        var lb = new LabelsBuilder(target);
        foreach (var l in groupLabels.AsSpan())
            if (!target.Has(l.Name)) lb.Set(l.Name, l.Value);
        SetDefault(lb, "job", cfg.JobName ?? "");
        SetDefault(lb, IntervalLabel, cfg.ScrapeInterval.ToString());
        SetDefault(lb, TimeoutLabel, cfg.ScrapeTimeout.ToString());
        SetDefault(lb, MetricsPathLabel, cfg.MetricsPath ?? "/metrics");
        SetDefault(lb, SchemeLabel, cfg.Scheme ?? "http");
        if (cfg.Params is not null)
            foreach (var (k, v) in cfg.Params)
                if (v is { Count: > 0 }) SetDefault(lb, ParamPrefix + k, v[0]);
        discovered = lb.Build();

        var lset = Relabeling.Relabeler.Process(discovered, cfg.RelabelConfigs);
        if (lset is null) return null;
        lb.Reset(lset);

        var addr = lset.Get(TargetGroup.AddressLabel);
        if (addr.Length == 0) { error = "no address"; return null; }
        if (addr.Contains('/') || addr.Contains('?') || addr.Contains('#')) { error = $"\"{addr}\" is not a valid hostname"; return null; }

        if (!PromDuration.TryParse(lset.Get(IntervalLabel), out long ivMs, out _)) { error = $"error parsing scrape interval \"{lset.Get(IntervalLabel)}\""; return null; }
        if (!PromDuration.TryParse(lset.Get(TimeoutLabel), out long toMs, out _)) { error = $"error parsing scrape timeout \"{lset.Get(TimeoutLabel)}\""; return null; }
        if (ivMs == 0) { error = "scrape interval cannot be 0"; return null; }
        if (toMs == 0) { error = "scrape timeout cannot be 0"; return null; }
        if (toMs > ivMs) { error = $"scrape timeout cannot be greater than scrape interval (\"{PromDuration.Format(toMs)}\" > \"{PromDuration.Format(ivMs)}\")"; return null; }

        // Meta labels are gone after relabeling; instance defaults to the address.
        foreach (var l in lset.AsSpan())
            if (l.Name.StartsWith(MetaPrefix, StringComparison.Ordinal)) lb.Delete(l.Name);
        if (lb.Get("instance").Length == 0) lb.Set("instance", addr);
        lset = lb.Build();
        foreach (var l in lset.AsSpan())
        {
            if (!LabelNames.IsValidUtf8Name(l.Name)) { error = $"invalid label name \"{l.Name}\""; return null; }
            if (!LabelNames.IsValidUtf8Name(l.Value)) { error = $"invalid label value for \"{l.Name}\": \"{l.Value}\""; return null; }
        }

        var scheme = lset.Get(SchemeLabel);
        if (scheme is not ("http" or "https")) { error = $"invalid scheme \"{scheme}\" (must be http or https)"; return null; }
        Uri url;
        try
        {
            url = BuildUrl(lset, cfg);
        }
        catch (UriFormatException e)
        {
            error = $"invalid target URL: {e.Message}";
            return null;
        }
        return new ScrapeTarget(lset, discovered, cfg.JobName ?? "", url, TimeSpan.FromMilliseconds(ivMs), TimeSpan.FromMilliseconds(toMs));
    }

    private static void SetDefault(LabelsBuilder lb, string name, string value)
    {
        if (lb.Get(name).Length == 0) lb.Set(name, value);
    }

    /// <summary>scheme://address/path?params — config params, each overridden by a <c>__param_name</c> label.</summary>
    public static Uri BuildUrl(Labels lset, ScrapeConfig cfg)
    {
        var query = new List<KeyValuePair<string, string>>();
        var overridden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in lset.AsSpan())
        {
            if (!l.Name.StartsWith(ParamPrefix, StringComparison.Ordinal)) continue;
            var name = l.Name[ParamPrefix.Length..];
            overridden.Add(name);
            query.Add(new(name, l.Value));
        }
        if (cfg.Params is not null)
            foreach (var (k, vs) in cfg.Params)
            {
                if (overridden.Contains(k)) continue;
                foreach (var v in vs) query.Add(new(k, v));
            }
        query.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var sb = new StringBuilder();
        sb.Append(lset.Get(SchemeLabel)).Append("://").Append(lset.Get(TargetGroup.AddressLabel));
        var path = lset.Get(MetricsPathLabel);
        if (!path.StartsWith('/')) sb.Append('/');
        sb.Append(path);
        for (int i = 0; i < query.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&');
            sb.Append(Uri.EscapeDataString(query[i].Key)).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }
        return new Uri(sb.ToString(), UriKind.Absolute);
    }

    internal static string FormatSeconds(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}
