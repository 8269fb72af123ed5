using Microsoft.Extensions.Logging;
using Portal.Config.Prometheus;
using Portal.Model;
using Portal.Rules;

namespace Portal.Tenancy;

/// <summary>
/// Wires a tenant's <see cref="RuleManager"/> to its engine: results enter through the tenant's limited
/// appendable, queries read its TSDB, the group limit is the tenant's MaxRuleGroups. The running rule files
/// are also kept under <c>&lt;tenant&gt;/rules/</c> (one file per document, written only after the manager
/// accepted them) so an engine that opens again starts with them. Thread-safe.
/// </summary>
public static class TenantRules
{
    private const string FolderName = "rules";

    /// <summary>Creates and starts the manager of a newly opened engine (no rules until <see cref="LoadStored"/> or <see cref="ApplyFile"/>).</summary>
    internal static RuleManager CreateManager(TenantEngine engine, TimeProvider clock, ILoggerFactory? loggers)
    {
        var manager = new RuleManager(new RuleManagerOptions
        {
            TenantId = engine.TenantId,
            Appendable = engine.Appendable,
            Queryable = engine.Queryable,
            Engine = engine.Query,
            Clock = clock,
            MaxRuleGroups = engine.Limits.MaxRuleGroups,
        }, loggers?.CreateLogger($"Portal.Rules[{engine.TenantId}]"));
        manager.Start();
        return manager;
    }

    private static string Folder(TenantEngine engine) => Path.Combine(engine.Directory, FolderName);

    /// <summary>Loads the rule files the tenant last ran into its manager; returns their problems (none normally).</summary>
    public static IReadOnlyList<RuleLoadError> LoadStored(TenantEngine engine)
    {
        var dir = Folder(engine);
        if (!System.IO.Directory.Exists(dir)) return [];
        var files = new List<KeyValuePair<string, string>>();
        foreach (var path in System.IO.Directory.GetFiles(dir))
        {
            if (path.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            var name = Uri.UnescapeDataString(Path.GetFileName(path));
            files.Add(new(name, File.ReadAllText(path)));
        }
        files.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return engine.Rules.Update(files);
    }

    /// <summary>
    /// Replaces (or adds) one rule file and reloads all of the tenant's files. On errors (bad file, too many
    /// groups) the running rules stay and nothing is stored.
    /// </summary>
    public static IReadOnlyList<RuleLoadError> ApplyFile(TenantEngine engine, string name, string yaml)
    {
        lock (engine.Rules)
        {
            var files = new List<KeyValuePair<string, string>>();
            foreach (var f in engine.Rules.Files)
                if (f.Key != name) files.Add(f);
            files.Add(new(name, yaml));
            files.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var errors = engine.Rules.Update(files);
            if (errors.Count > 0) return errors;
            var dir = Folder(engine);
            System.IO.Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, Uri.EscapeDataString(name));
            var tmp = path + ".tmp";
            File.WriteAllText(tmp, yaml);
            File.Move(tmp, path, overwrite: true);
            return [];
        }
    }

    /// <summary>Takes the rule-related globals of a Prometheus configuration (evaluation_interval, rule_query_offset, external_labels).</summary>
    public static IReadOnlyList<RuleLoadError> ApplyGlobals(TenantEngine engine, PrometheusConfig config, string? externalUrl = null)
    {
        var g = config.Global;
        var interval = g is null || g.EvaluationInterval.Milliseconds <= 0 ? TimeSpan.FromMinutes(1) : g.EvaluationInterval.ToTimeSpan();
        var offset = g?.RuleQueryOffset.ToTimeSpan() ?? TimeSpan.Zero;
        var lb = new LabelsBuilder();
        foreach (var (k, v) in g?.ExternalLabels ?? []) lb.Set(k, v);
        return engine.Rules.SetGlobals(interval, offset, lb.Build(), externalUrl);
    }
}
