using Portal.Config.Yaml;
using Portal.Model;

namespace Portal.Config.Rules;

/// <summary>A rule file: a list of groups.</summary>
[YamlType("rule_file")]
public sealed class RuleFile : ConfigObject
{
    [YamlKey("groups")] public List<RuleGroup>? Groups { get; set; }
}

/// <summary>A rule group: rules evaluated together at one interval (the global evaluation_interval when unset).</summary>
[YamlType("rule_group")]
public sealed class RuleGroup : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("interval")] public Duration? Interval { get; set; }
    [YamlKey("query_offset")] public Duration? QueryOffset { get; set; }
    [YamlKey("limit")] public int Limit { get; set; }
    [YamlKey("labels")] public Dictionary<string, string>? Labels { get; set; }
    [YamlKey("rules")] public List<Rule>? Rules { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Name)) ctx.Error(this, IsSet("name") ? "name" : null, "Groupname must not be empty");
        foreach (var k in Labels?.Keys ?? (IEnumerable<string>)[])
            if (!LabelNames.IsValidUtf8Name(k)) ctx.Error(this, "labels", $"invalid label name: {k}");
        if (Limit < 0) ctx.Error(this, "limit", "limit must not be negative");
    }
}

/// <summary>A recording rule (<see cref="Record"/>) or an alerting rule (<see cref="Alert"/>).</summary>
[YamlType("rule")]
public sealed class Rule : ConfigObject
{
    [YamlKey("record")] public string? Record { get; set; }
    [YamlKey("alert")] public string? Alert { get; set; }
    [YamlKey("expr")] public string? Expr { get; set; }
    [YamlKey("for")] public Duration? For { get; set; }
    [YamlKey("keep_firing_for")] public Duration? KeepFiringFor { get; set; }
    [YamlKey("labels")] public Dictionary<string, string>? Labels { get; set; }
    [YamlKey("annotations")] public Dictionary<string, string>? Annotations { get; set; }

    public bool IsAlert => Alert is not null;

    internal override void Validate(LoadContext ctx)
    {
        bool rec = IsSet("record"), al = IsSet("alert");
        if (rec && al) ctx.Error(this, "alert", "only one of 'record' and 'alert' must be set");
        else if (!rec && !al) ctx.Error(this, null, "one of 'record' or 'alert' must be set");
        if (rec && string.IsNullOrEmpty(Record)) ctx.Error(this, "record", "field 'record' must not be empty");
        if (al && string.IsNullOrEmpty(Alert)) ctx.Error(this, "alert", "field 'alert' must not be empty");

        if (string.IsNullOrWhiteSpace(Expr)) ctx.Error(this, IsSet("expr") ? "expr" : null, "field 'expr' must be set in rule");
        else
        {
            var node = KeyNodes is not null && KeyNodes.TryGetValue("expr", out var n) ? n as YScalar : null;
            int end = Expr.TrimEnd().Length;
            foreach (var e in RuleExpressionValidator.Validate(Expr))
            {
                // Errors at the end of input point just past the last character, not at the block's trailing newline.
                int offset = Math.Min(e.Offset, end);
                var p = node is not null && ctx.Document is not null ? ctx.Document.PositionInScalar(node, offset) : LoadContext.Where(this, "expr");
                ctx.Error(p, e.Message);
            }
        }

        if (rec && !al)
        {
            if (IsSet("annotations")) ctx.Error(this, "annotations", "invalid field 'annotations' in recording rule");
            if (IsSet("for")) ctx.Error(this, "for", "invalid field 'for' in recording rule");
            if (IsSet("keep_firing_for")) ctx.Error(this, "keep_firing_for", "invalid field 'keep_firing_for' in recording rule");
            if (!string.IsNullOrEmpty(Record) && !LabelNames.IsValidUtf8Name(Record))
                ctx.Error(this, "record", $"invalid recording rule name: {Record}");
        }

        foreach (var (k, v) in Labels ?? [])
        {
            if (!LabelNames.IsValidUtf8Name(k)) ctx.Error(this, "labels", $"invalid label name: {k}");
            if (k == "__name__") ctx.Error(this, "labels", "invalid label name: __name__ (a rule may not set the metric name through labels)");
            CheckTemplate(ctx, "labels", k, v);
        }
        foreach (var (k, v) in Annotations ?? [])
        {
            if (!LabelNames.IsValidUtf8Name(k)) ctx.Error(this, "annotations", $"invalid annotation name: {k}");
            CheckTemplate(ctx, "annotations", k, v);
        }
    }

    private void CheckTemplate(LoadContext ctx, string section, string key, string text)
    {
        if (TemplateChecker.Check(text) is not { } err) return;
        SourcePosition p = LoadContext.Where(this, section);
        if (KeyNodes is not null && KeyNodes.TryGetValue(section, out var map) && map is YMapping m)
            foreach (var (k, v) in m.Entries)
                if (k.Value == key && v is YScalar vs && ctx.Document is not null)
                    p = ctx.Document.PositionInScalar(vs, err.Offset);
        ctx.Error(p, $"{section} {key}: {err.Message}");
    }
}

/// <summary>Loads rule files strictly (unknown keys, bad expressions and templates are errors with line:column). Thread-safe.</summary>
public static class RuleFileLoader
{
    public static ConfigLoadResult<RuleFile> Load(string yaml, string fileName)
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
        if (doc.Root is YScalar legacy && legacy.Value.StartsWith("ALERT ", StringComparison.Ordinal))
        {
            ctx.Error(legacy.Start, "this is the Prometheus 1.x rule format (ALERT ... IF ...); since Prometheus 2.0 rule files are YAML: groups: - name: ... rules: - alert: NAME expr: ... for: ...");
            return new(null, ctx.Errors, ctx.Notes);
        }
        var file = doc.Root is null ? new RuleFile() : Binder.Bind<RuleFile>(doc.Root, ctx);
        if (doc.DocumentCount > 1)
            ctx.Notes.Add(new ConfigError(fileName, 1, 1, $"the file holds {doc.DocumentCount} YAML documents; only the first is used"));
        if (file is not null)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var g in file.Groups ?? [])
            {
                if (g is null) { ctx.Error(file, "groups", "empty or null rule group"); continue; }
                if (!string.IsNullOrEmpty(g.Name) && !names.Add(g.Name))
                    ctx.Error(g, "name", $"groupname: \"{g.Name}\" is repeated in the same file");
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var r in g.Rules ?? [])
                {
                    if (r is null) { ctx.Error(g, "rules", "empty or null rule"); continue; }
                    var id = (r.Record ?? "alert:" + r.Alert) + "\n" + r.Expr + "\n" + string.Join(",", r.Labels ?? []);
                    if (!seen.Add(id))
                        ctx.Note(r, r.IsAlert ? "alert" : "record", $"duplicate rule {(r.IsAlert ? r.Alert : r.Record)} in group {g.Name}");
                }
            }
        }
        return new(file, ctx.Errors, ctx.Notes);
    }

    public static ConfigLoadResult<RuleFile> LoadFile(string path) => Load(File.ReadAllText(path), path);
}
