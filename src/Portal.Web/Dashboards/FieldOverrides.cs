using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Web.Dashboards;

/// <summary>
/// The effective field config of one series of a panel: <c>fieldConfig.defaults</c> with the matching
/// <c>fieldConfig.overrides</c> applied in order. <see cref="Color"/> is a fixed colour, or null for the palette's.
/// </summary>
public sealed record FieldConfig
{
    /// <summary>The name the legend, tooltip and stat show (the <c>displayName</c> property, else the query's series name).</summary>
    public required string DisplayName { get; init; }
    public string? Color { get; init; }
    public string Unit { get; init; } = "";
    public int? Decimals { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public string DrawStyle { get; init; } = "line";
    public double FillOpacity { get; init; }
    public double LineWidth { get; init; } = 1;

    /// <summary><c>auto</c>, <c>left</c>, <c>right</c> or <c>hidden</c>.</summary>
    public string AxisPlacement { get; init; } = "auto";

    /// <summary><c>none</c>, <c>normal</c> or <c>percent</c>, within <see cref="StackGroup"/>.</summary>
    public string StackMode { get; init; } = "none";
    public string StackGroup { get; init; } = "A";
    public bool HideFromViz { get; init; }
    public bool HideFromLegend { get; init; }
    public bool HideFromTooltip { get; init; }
    public ValueMappings Mappings { get; init; } = ValueMappings.Empty;

    /// <summary>The raw <c>mappings</c> array in effect (for the browser's tooltip), or null.</summary>
    public JsonArray? MappingsJson { get; init; }
    public IReadOnlyList<ThresholdStep> Thresholds { get; init; } = [];
}

/// <summary>
/// Grafana's field overrides for Prometheus series: matchers <c>byName</c>, <c>byNames</c>, <c>byRegexp</c>,
/// <c>byFrameRefID</c> and <c>byType</c>; properties <c>color</c>, <c>unit</c>, <c>decimals</c>, <c>min</c>,
/// <c>max</c>, <c>displayName</c>, <c>mappings</c>, <c>thresholds</c> and <c>custom.drawStyle</c>,
/// <c>custom.fillOpacity</c>, <c>custom.lineWidth</c>, <c>custom.axisPlacement</c>, <c>custom.stacking</c>,
/// <c>custom.hideFrom</c>. A later override wins over an earlier one; properties it does not know are ignored.
/// </summary>
public static partial class FieldOverrides
{
    [GeneratedRegex(@"\$\{__(?:field|series)\.(?:name|displayName)\}|\$\{__field\.labels(?:\.(?<l>\w+)|\[""(?<l>[^""]+)""\])\}|\$\{__field\.labels\}")]
    private static partial Regex FieldTemplate();

    /// <summary>The panel's defaults as a field config for a series named <paramref name="name"/>.</summary>
    public static FieldConfig Defaults(PanelModel panel, string name = "")
    {
        var d = (panel.Json["fieldConfig"] as JsonObject)?["defaults"] as JsonObject;
        var custom = d?["custom"] as JsonObject;
        var hide = custom?["hideFrom"] as JsonObject;
        var mappings = d?["mappings"] as JsonArray;
        return new FieldConfig
        {
            DisplayName = name,
            Color = FixedColor(d?["color"]),
            Unit = panel.Unit,
            Decimals = panel.Decimals,
            Min = panel.Min,
            Max = panel.Max,
            DrawStyle = panel.DrawStyle,
            FillOpacity = panel.FillOpacity,
            LineWidth = panel.LineWidth,
            AxisPlacement = GrafanaJson.Str(custom?["axisPlacement"]) ?? "auto",
            StackMode = panel.StackMode,
            StackGroup = GrafanaJson.Str(custom?["stacking"]?["group"]) ?? "A",
            HideFromViz = GrafanaJson.Bool(hide?["viz"]) || GrafanaJson.Bool(hide?["graph"]),
            HideFromLegend = GrafanaJson.Bool(hide?["legend"]),
            HideFromTooltip = GrafanaJson.Bool(hide?["tooltip"]),
            Mappings = ValueMappings.Parse(mappings),
            MappingsJson = mappings is { Count: > 0 } ? mappings : null,
            Thresholds = panel.Thresholds,
        };
    }

    /// <summary>
    /// Each series' effective field config, in series order. Matchers see the series' name after the defaults'
    /// <c>displayName</c>, as Grafana's do.
    /// </summary>
    public static IReadOnlyList<FieldConfig> Resolve(PanelModel panel, IReadOnlyList<PanelSeries> series)
    {
        var baseConfig = Defaults(panel);
        var defaultName = GrafanaJson.Str((panel.Json["fieldConfig"] as JsonObject)?["defaults"]?["displayName"]);
        var rules = Rules(panel);
        var result = new List<FieldConfig>(series.Count);
        foreach (var s in series)
        {
            var name = defaultName is { Length: > 0 } ? DisplayName(defaultName, s) : s.Name;
            var field = baseConfig with { DisplayName = name };
            foreach (var (matcher, properties) in rules)
                if (matcher(s, name))
                    foreach (var p in properties) field = Apply(field, p, s);
            result.Add(field);
        }
        return result;
    }

    /// <summary>
    /// The panel's data with each series renamed to its display name, and the effective field configs in the same order.
    /// The series' points are shared, not copied.
    /// </summary>
    public static (PanelData Data, IReadOnlyList<FieldConfig> Fields) Apply(PanelModel panel, PanelData data)
    {
        var fields = Resolve(panel, data.Series);
        bool renamed = false;
        for (int i = 0; i < fields.Count && !renamed; i++) renamed = fields[i].DisplayName != data.Series[i].Name;
        if (!renamed) return (data, fields);
        var series = data.Series.Select((s, i) => s with { Name = fields[i].DisplayName }).ToList();
        return (data with { Series = series }, fields);
    }

    private static List<(Func<PanelSeries, string, bool> Matcher, List<JsonObject> Properties)> Rules(PanelModel panel)
    {
        var rules = new List<(Func<PanelSeries, string, bool>, List<JsonObject>)>();
        foreach (var o in ((panel.Json["fieldConfig"] as JsonObject)?["overrides"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (o["matcher"] is not JsonObject m || Matcher(m) is not { } matcher) continue;
            var props = (o["properties"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (props.Count > 0) rules.Add((matcher, props));
        }
        return rules;
    }

    /// <summary>The series test of one override matcher, or null for a matcher that matches no Prometheus series.</summary>
    public static Func<PanelSeries, string, bool>? Matcher(JsonObject matcher)
    {
        var options = matcher["options"];
        switch (GrafanaJson.Str(matcher["id"]))
        {
            case "byName":
                return GrafanaJson.Str(options) is { } name ? (_, n) => n == name : null;
            case "byNames":
                var names = ((options as JsonObject)?["names"] as JsonArray ?? []).Select(GrafanaJson.Str).OfType<string>().ToHashSet(StringComparer.Ordinal);
                bool exclude = GrafanaJson.Str((options as JsonObject)?["mode"]) == "exclude";
                return (_, n) => names.Contains(n) != exclude;
            case "byRegexp":
                return GrafanaJson.Str(options) is { Length: > 0 } pattern && ValueMappings.ToRegex(pattern) is { } re ? (_, n) => SafeMatch(re, n) : null;
            case "byFrameRefID":
                return GrafanaJson.Str(options) is { } refId ? (s, _) => s.RefId == refId : null;
            case "byType":
                return GrafanaJson.Str(options) == "number" ? (_, _) => true : null;
            default:
                return null;
        }
    }

    private static bool SafeMatch(Regex re, string text)
    {
        try { return re.IsMatch(text); }
        catch (RegexMatchTimeoutException) { return false; }
    }

    private static FieldConfig Apply(FieldConfig f, JsonObject property, PanelSeries s)
    {
        var v = property["value"];
        switch (GrafanaJson.Str(property["id"]))
        {
            case "color": return FixedColor(v) is { } c ? f with { Color = c } : f;
            case "unit": return f with { Unit = GrafanaJson.Str(v) ?? "" };
            case "decimals": return f with { Decimals = GrafanaJson.Num(v) is { } d ? (int)d : null };
            case "min": return f with { Min = GrafanaJson.Num(v) };
            case "max": return f with { Max = GrafanaJson.Num(v) };
            case "displayName": return GrafanaJson.Str(v) is { Length: > 0 } dn ? f with { DisplayName = DisplayName(dn, s) } : f;
            case "mappings": return f with { Mappings = ValueMappings.Parse(v), MappingsJson = v as JsonArray };
            case "thresholds":
                if ((v as JsonObject)?["steps"] is not JsonArray steps) return f;
                return f with
                {
                    Thresholds = steps.OfType<JsonObject>().Select(x => new ThresholdStep(GrafanaJson.Num(x["value"]), GrafanaJson.Str(x["color"]) ?? "green"))
                        .OrderBy(x => x.Value ?? double.NegativeInfinity).ToList(),
                };
            case "custom.drawStyle": return GrafanaJson.Str(v) is { } ds ? f with { DrawStyle = ds } : f;
            case "custom.fillOpacity": return GrafanaJson.Num(v) is { } fo ? f with { FillOpacity = fo } : f;
            case "custom.lineWidth": return GrafanaJson.Num(v) is { } lw ? f with { LineWidth = lw } : f;
            case "custom.axisPlacement": return GrafanaJson.Str(v) is { } ap ? f with { AxisPlacement = ap } : f;
            case "custom.stacking":
                return v is JsonObject st
                    ? f with { StackMode = GrafanaJson.Str(st["mode"]) ?? "none", StackGroup = GrafanaJson.Str(st["group"]) ?? "A" }
                    : f;
            case "custom.hideFrom":
                return v is JsonObject h
                    ? f with { HideFromViz = GrafanaJson.Bool(h["viz"]) || GrafanaJson.Bool(h["graph"]), HideFromLegend = GrafanaJson.Bool(h["legend"]), HideFromTooltip = GrafanaJson.Bool(h["tooltip"]) }
                    : f;
            default:
                return f;
        }
    }

    /// <summary>The colour of a <c>color</c> value in <c>fixed</c> or <c>shades</c> mode (CSS), else null.</summary>
    private static string? FixedColor(JsonNode? color) =>
        color is JsonObject c && GrafanaJson.Str(c["mode"]) is "fixed" or "shades" && GrafanaJson.Str(c["fixedColor"]) is { Length: > 0 } fixedColor
            ? UnitFormat.Css(fixedColor)
            : null;

    /// <summary>A display name template: <c>${__field.name}</c>, <c>${__series.name}</c>, <c>${__field.labels.x}</c> and <c>${__field.labels}</c>.</summary>
    public static string DisplayName(string template, PanelSeries s)
    {
        if (!template.Contains("${__", StringComparison.Ordinal)) return template;
        return FieldTemplate().Replace(template, m =>
        {
            if (m.Groups["l"].Success) return s.Labels.Get(m.Groups["l"].Value);
            if (m.Value == "${__field.labels}") return string.Join(", ", s.Labels.Where(l => l.Name != Portal.Model.Labels.MetricName).Select(l => $"{l.Name}=\"{l.Value}\""));
            return s.Name;
        });
    }

    /// <summary>
    /// What wwwroot/js/portal-dashboard.js needs beyond the chart data to draw each series as its field config says
    /// (index-aligned with the series): colour, axis side with its unit and range, draw style, fill, width, stack, tooltip.
    /// </summary>
    public static object Payload(IReadOnlyList<FieldConfig> fields) =>
        fields.Select((f, i) => new
        {
            color = f.Color ?? PanelPayloads.Palette[i % PanelPayloads.Palette.Count],
            unit = f.Unit,
            decimals = f.Decimals,
            min = f.Min,
            max = f.Max,
            axis = f.AxisPlacement,
            drawStyle = f.DrawStyle,
            fillOpacity = f.FillOpacity,
            lineWidth = f.LineWidth,
            stack = f.StackMode,
            stackGroup = f.StackGroup,
            hideTooltip = f.HideFromTooltip,
            mappings = f.MappingsJson,
        }).ToList();

    /// <summary>The colour of series <paramref name="index"/>: its field config's fixed colour, else the palette's.</summary>
    public static string SeriesColor(FieldConfig field, int index) => field.Color ?? PanelPayloads.Palette[index % PanelPayloads.Palette.Count];
}
