using System.Text.RegularExpressions;
using Portal.Config.Yaml;

namespace Portal.Config.Prometheus;

/// <summary>
/// Loads Prometheus configuration files with Prometheus's semantics: defaults, inheritance from <c>global</c>,
/// strict keys, duplicate job names refused. Every error found is reported with file, line and column.
/// Thread-safe: each call works on its own state.
/// </summary>
public static class PrometheusConfigLoader
{
    private static readonly Regex PatRulePath = new(@"^[^*]*(\*[^/]*)?$", RegexOptions.CultureInvariant);

    /// <summary>The scrape protocols Prometheus accepts, in its sort order.</summary>
    public static readonly string[] ScrapeProtocols =
        ["OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0"];

    public static readonly string[] DefaultScrapeProtocols = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
    public static readonly string[] DefaultProtoFirstScrapeProtocols = ["PrometheusProto", "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];

    private static readonly string[] EscapingSchemes = ["allow-utf-8", "underscores", "dots", "values"];

    /// <summary>Parses and validates <paramref name="yaml"/>; <paramref name="fileName"/> names it in errors. Does not touch the file system.</summary>
    public static ConfigLoadResult<PrometheusConfig> Load(string yaml, string fileName)
    {
        YDocument doc;
        try
        {
            doc = YamlTreeBuilder.Parse(yaml);
        }
        catch (YamlSyntaxException e)
        {
            return new(null, [new ConfigError(fileName, e.Position.Line, e.Position.Column, e.Message)], []);
        }
        var ctx = new LoadContext(fileName, doc);
        var cfg = doc.Root is null ? new PrometheusConfig() : Binder.Bind<PrometheusConfig>(doc.Root, ctx);
        if (cfg is not null) Finish(cfg, ctx);
        return new(cfg, ctx.Errors, ctx.Notes);
    }

    /// <summary>
    /// Loads a file from disk and, like Prometheus, also reads the files named by <c>scrape_config_files</c>
    /// (globs, relative to the file's folder), validating their jobs against this file's globals.
    /// </summary>
    public static ConfigLoadResult<PrometheusConfig> LoadFile(string path)
    {
        var result = Load(File.ReadAllText(path), path);
        if (!result.Success || result.Config!.ScrapeConfigFiles is not { Count: > 0 } files) return result;
        var cfg = result.Config;
        var errors = new List<ConfigError>();
        var jobs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sc in cfg.ScrapeConfigs ?? []) jobs[sc.JobName!] = "main config file";
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var pattern in files)
        {
            foreach (var file in Glob(dir, pattern))
            {
                var sub = LoadScrapeConfigFile(File.ReadAllText(file), file, cfg.Global!);
                errors.AddRange(sub.Errors);
                foreach (var sc in sub.Config?.ScrapeConfigs ?? [])
                {
                    if (jobs.TryGetValue(sc.JobName!, out var first))
                    {
                        var p = sc.PositionOf("job_name") ?? sc.Position ?? new SourcePosition(1, 1);
                        errors.Add(new ConfigError(file, p.Line, p.Column, $"found multiple scrape configs with job name \"{sc.JobName}\", first found in {first}"));
                        continue;
                    }
                    jobs[sc.JobName!] = $"\"{file}\"";
                }
            }
        }
        return errors.Count == 0 ? result : new(null, errors, result.Notes);
    }

    /// <summary>Loads a file holding only <c>scrape_configs</c> (a <c>scrape_config_files</c> entry) with the given globals.</summary>
    public static ConfigLoadResult<ScrapeConfigsFile> LoadScrapeConfigFile(string yaml, string fileName, GlobalConfig global)
    {
        YDocument doc;
        try
        {
            doc = YamlTreeBuilder.Parse(yaml);
        }
        catch (YamlSyntaxException e)
        {
            return new(null, [new ConfigError(fileName, e.Position.Line, e.Position.Column, e.Message)], []);
        }
        var ctx = new LoadContext(fileName, doc);
        var f = doc.Root is null ? new ScrapeConfigsFile() : Binder.Bind<ScrapeConfigsFile>(doc.Root, ctx);
        if (f is not null) ValidateScrapeConfigs(ctx, f.ScrapeConfigs, global, f);
        return new(f, ctx.Errors, ctx.Notes);
    }

    private static IEnumerable<string> Glob(string dir, string pattern)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(dir, pattern);
        var folder = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        if (!Directory.Exists(folder)) return [];
        if (!name.Contains('*')) return File.Exists(full) ? [full] : [];
        var found = Directory.GetFiles(folder, name);
        Array.Sort(found, StringComparer.Ordinal);
        return found;
    }

    private static void Finish(PrometheusConfig cfg, LoadContext ctx)
    {
        var g = cfg.Global ??= new GlobalConfig();
        ValidateGlobal(ctx, g);
        cfg.Runtime ??= new RuntimeConfig();
        if (cfg.Runtime.GoGc == 0) cfg.Runtime.GoGc = 75;
        cfg.Otlp ??= new OtlpConfig();

        foreach (var (key, list, what) in new[] { ("rule_files", cfg.RuleFiles, "rule file"), ("scrape_config_files", cfg.ScrapeConfigFiles, "scrape config file") })
            foreach (var rf in list ?? [])
                if (!PatRulePath.IsMatch(rf ?? ""))
                    ctx.Error(cfg, key, $"invalid {what} path \"{rf}\" (only the last path element may contain a *)");

        ValidateScrapeConfigs(ctx, cfg.ScrapeConfigs, g, cfg);

        if (cfg.Alerting is { } al)
        {
            foreach (var rc in al.AlertRelabelConfigs ?? []) rc?.ValidateAction(ctx, g.LegacyNames);
            foreach (var am in al.Alertmanagers ?? [])
            {
                if (am is null) continue;
                foreach (var rc in am.AlertRelabelConfigs ?? []) rc?.ValidateAction(ctx, g.LegacyNames);
                foreach (var rc in am.RelabelConfigs ?? []) rc?.ValidateAction(ctx, g.LegacyNames);
            }
        }

        var rwNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rw in cfg.RemoteWrite ?? [])
        {
            if (rw is null) { ctx.Error(cfg, "remote_write", "empty or null remote write config section"); continue; }
            if (!string.IsNullOrEmpty(rw.Name) && !rwNames.Add(rw.Name))
                ctx.Error(rw, "name", $"found multiple remote write configs with job name \"{rw.Name}\"");
            foreach (var rc in rw.WriteRelabelConfigs ?? []) rc?.ValidateAction(ctx, g.LegacyNames);
            rw.QueueConfig ??= new QueueConfig();
            rw.MetadataConfig ??= new MetadataConfig();
        }
        var rrNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rr in cfg.RemoteRead ?? [])
        {
            if (rr is null) { ctx.Error(cfg, "remote_read", "empty or null remote read config section"); continue; }
            if (!string.IsNullOrEmpty(rr.Name) && !rrNames.Add(rr.Name))
                ctx.Error(rr, "name", $"found multiple remote read configs with job name \"{rr.Name}\"");
        }

        var ts = cfg.Otlp.TranslationStrategy ?? "";
        if (ts.Length > 0 && Array.IndexOf(OtlpConfig.TranslationStrategies, ts) < 0)
            ctx.Error(cfg.Otlp, "translation_strategy", $"unsupported OTLP translation strategy \"{ts}\" (one of {string.Join(", ", OtlpConfig.TranslationStrategies)})");
        else if (ts is "NoTranslation" or "NoUTF8EscapingWithSuffixes" && g.LegacyNames)
            ctx.Error(cfg.Otlp, "translation_strategy", $"OTLP translation strategy \"{ts}\" is not allowed when UTF8 is disabled");
    }

    private static void ValidateGlobal(LoadContext ctx, GlobalConfig g)
    {
        var scheme = g.MetricNameValidationScheme;
        if (string.IsNullOrEmpty(scheme)) g.MetricNameValidationScheme = "utf8";
        else if (scheme is not ("utf8" or "legacy"))
        {
            ctx.Error(g, "metric_name_validation_scheme", $"unknown metric_name_validation_scheme \"{scheme}\" (use utf8 or legacy)");
            g.MetricNameValidationScheme = "utf8";
        }
        foreach (var (k, v) in g.ExternalLabels ?? [])
        {
            if (!RelabelConfig.LabelNameOk(k, g.LegacyNames)) ctx.Error(g, "external_labels", $"\"{k}\" is not a valid label name");
            if (!RelabelConfig.IsValidUtf8(v)) ctx.Error(g, "external_labels", $"\"{v}\" is not a valid label value");
        }
        if (g.ScrapeInterval.IsZero) g.ScrapeInterval = GlobalConfig.DefaultScrapeInterval;
        if (g.ScrapeTimeout > g.ScrapeInterval)
            ctx.Error(g, "scrape_timeout", $"global scrape timeout greater than scrape interval ({g.ScrapeTimeout} > {g.ScrapeInterval})");
        if (g.ScrapeTimeout.IsZero) g.ScrapeTimeout = Duration.Min(GlobalConfig.DefaultScrapeTimeout, g.ScrapeInterval);
        if (g.EvaluationInterval.IsZero) g.EvaluationInterval = GlobalConfig.DefaultEvaluationInterval;
        g.ScrapeNativeHistograms ??= false;
        if (g.ScrapeProtocols is not null)
        {
            var err = CheckProtocols(g.ScrapeProtocols);
            if (err is not null) ctx.Error(g, "scrape_protocols", err + " for global config");
        }
        if (!string.IsNullOrEmpty(g.MetricNameEscapingScheme) && Array.IndexOf(EscapingSchemes, g.MetricNameEscapingScheme) < 0)
            ctx.Error(g, "metric_name_escaping_scheme", $"unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \"{g.MetricNameEscapingScheme}\"");
        if (!string.IsNullOrEmpty(g.QueryLogFile))
            ctx.Note(g, "query_log_file", "query_log_file is ignored: Portal records queries in its own query log");
        foreach (var (k, v) in g.ExternalLabels ?? [])
            if (v.Contains('$'))
                ctx.Note(g, "external_labels", $"external label {k}: environment variable references are kept as written, not expanded");
    }

    private static string? CheckProtocols(List<string> protocols)
    {
        if (protocols.Count == 0) return "scrape_protocols cannot be empty";
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in protocols)
        {
            if (!seen.Add(p ?? "")) return $"duplicated protocol in scrape_protocols, got [{string.Join(" ", protocols)}]";
            if (Array.IndexOf(ScrapeProtocols, p) < 0) return $"scrape_protocols: {UnknownProtocol(p)}";
        }
        return null;
    }

    private static string UnknownProtocol(string? p) =>
        $"unknown scrape protocol {p}, supported: [{string.Join(" ", ScrapeProtocols)}]";

    internal static void ValidateScrapeConfigs(LoadContext ctx, List<ScrapeConfig>? scrapeConfigs, GlobalConfig g, ConfigObject owner)
    {
        var jobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sc in scrapeConfigs ?? [])
        {
            if (sc is null) { ctx.Error(owner, "scrape_configs", "empty or null scrape config section"); continue; }
            ApplyGlobals(ctx, sc, g);
            if (!string.IsNullOrEmpty(sc.JobName) && !jobs.Add(sc.JobName))
                ctx.Error(sc, "job_name", $"found multiple scrape configs with job name \"{sc.JobName}\"");
        }
    }

    private static void ApplyGlobals(LoadContext ctx, ScrapeConfig c, GlobalConfig g)
    {
        var job = c.JobName;
        if (c.ScrapeInterval.IsZero) c.ScrapeInterval = g.ScrapeInterval;
        if (c.ScrapeTimeout > c.ScrapeInterval)
            ctx.Error(c, "scrape_timeout", $"scrape timeout greater than scrape interval for scrape config with job name \"{job}\" ({c.ScrapeTimeout} > {c.ScrapeInterval})");
        if (c.ScrapeTimeout.IsZero) c.ScrapeTimeout = Duration.Min(g.ScrapeTimeout, c.ScrapeInterval);
        if (c.BodySizeLimit.Bytes == 0) c.BodySizeLimit = g.BodySizeLimit;
        if (c.SampleLimit == 0) c.SampleLimit = g.SampleLimit;
        if (c.TargetLimit == 0) c.TargetLimit = g.TargetLimit;
        if (c.LabelLimit == 0) c.LabelLimit = g.LabelLimit;
        if (c.LabelNameLengthLimit == 0) c.LabelNameLengthLimit = g.LabelNameLengthLimit;
        if (c.LabelValueLengthLimit == 0) c.LabelValueLengthLimit = g.LabelValueLengthLimit;
        if (c.KeepDroppedTargets == 0) c.KeepDroppedTargets = g.KeepDroppedTargets;
        if (string.IsNullOrEmpty(c.ScrapeFailureLogFile)) c.ScrapeFailureLogFile = g.ScrapeFailureLogFile;
        c.ScrapeNativeHistograms ??= g.ScrapeNativeHistograms;
        c.ExtraScrapeMetrics ??= g.ExtraScrapeMetrics;
        if (c.ScrapeProtocols is null)
        {
            c.ScrapeProtocols = g.ScrapeProtocols is not null ? [.. g.ScrapeProtocols]
                : c.ScrapeNativeHistograms == true ? [.. DefaultProtoFirstScrapeProtocols] : [.. DefaultScrapeProtocols];
        }
        else
        {
            var err = CheckProtocols(c.ScrapeProtocols);
            if (err is not null) ctx.Error(c, "scrape_protocols", $"{err} for scrape config with job name \"{job}\"");
        }
        if (!string.IsNullOrEmpty(c.FallbackScrapeProtocol) && Array.IndexOf(ScrapeProtocols, c.FallbackScrapeProtocol) < 0)
            ctx.Error(c, "fallback_scrape_protocol", $"invalid fallback_scrape_protocol for scrape config with job name \"{job}\": {UnknownProtocol(c.FallbackScrapeProtocol)}");

        bool localUnset = false;
        switch (c.MetricNameValidationScheme)
        {
            case null or "":
                localUnset = true;
                c.MetricNameValidationScheme = g.MetricNameValidationScheme;
                break;
            case "legacy" or "utf8":
                break;
            default:
                ctx.Error(c, "metric_name_validation_scheme", $"unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got {c.MetricNameValidationScheme}");
                return;
        }
        var globalEscaping = string.IsNullOrEmpty(g.MetricNameEscapingScheme)
            ? (g.LegacyNames ? "underscores" : "allow-utf-8")
            : g.MetricNameEscapingScheme;
        if (string.IsNullOrEmpty(c.MetricNameEscapingScheme))
        {
            c.MetricNameEscapingScheme = localUnset ? globalEscaping
                : c.MetricNameValidationScheme == "legacy" ? "underscores" : "allow-utf-8";
        }
        if (c.MetricNameEscapingScheme == "allow-utf-8")
        {
            if (c.MetricNameValidationScheme != "utf8")
                ctx.Error(c, c.IsSet("metric_name_escaping_scheme") ? "metric_name_escaping_scheme" : null,
                    "utf8 metric names requested but validation scheme is not set to UTF8");
        }
        else if (Array.IndexOf(EscapingSchemes, c.MetricNameEscapingScheme) < 0)
            ctx.Error(c, "metric_name_escaping_scheme", $"unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \"{c.MetricNameEscapingScheme}\"");

        c.ConvertClassicHistogramsToNhcb ??= g.ConvertClassicHistogramsToNhcb;
        c.AlwaysScrapeClassicHistograms ??= g.AlwaysScrapeClassicHistograms;

        bool legacy = c.MetricNameValidationScheme == "legacy";
        foreach (var rc in c.RelabelConfigs ?? []) rc?.ValidateAction(ctx, legacy);
        foreach (var rc in c.MetricRelabelConfigs ?? []) rc?.ValidateAction(ctx, legacy);
    }
}

/// <summary>A file named by <c>scrape_config_files</c>: only <c>scrape_configs</c> is allowed.</summary>
[YamlType("scrape_configs_file")]
public sealed class ScrapeConfigsFile : ConfigObject
{
    [YamlKey("scrape_configs")] public List<ScrapeConfig>? ScrapeConfigs { get; set; }
}
