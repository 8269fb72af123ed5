using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>A panel's place on the 24-column grid, in grid cells.</summary>
public readonly record struct GridPos(int X, int Y, int W, int H)
{
    public int Bottom => Y + H;

    public bool Overlaps(GridPos o) => X < o.X + o.W && o.X < X + W && Y < o.Y + o.H && o.Y < Y + H;
}

/// <summary>One threshold step: from <see cref="Value"/> (null: the base, minus infinity) upwards, draw in <see cref="Color"/>.</summary>
public sealed record ThresholdStep(double? Value, string Color);

/// <summary>One Prometheus query of a panel (a Grafana target), read and written in place in its JSON.</summary>
public sealed class TargetModel(JsonObject json)
{
    public JsonObject Json { get; } = json;

    public string RefId { get => GrafanaJson.Str(Json["refId"]) ?? ""; set => Json["refId"] = value; }
    public string Expr { get => GrafanaJson.Str(Json["expr"]) ?? ""; set => Json["expr"] = value; }

    /// <summary>Legend format such as <c>{{instance}}</c>; empty or <c>__auto</c> names series by their labels.</summary>
    public string LegendFormat { get => GrafanaJson.Str(Json["legendFormat"]) ?? ""; set => GrafanaJson.Set(Json, "legendFormat", value.Length == 0 ? null : value); }

    /// <summary>Min step (Grafana's per-query <c>interval</c>), e.g. <c>30s</c>; empty for the panel's or the default.</summary>
    public string MinStep { get => GrafanaJson.Str(Json["interval"]) ?? ""; set => GrafanaJson.Set(Json, "interval", value.Length == 0 ? null : value); }

    public int IntervalFactor => Math.Max(1, (int)(GrafanaJson.Num(Json["intervalFactor"]) ?? 1));

    /// <summary>Instant query (at the range's end) rather than range.</summary>
    public bool Instant { get => GrafanaJson.Bool(Json["instant"]) && !GrafanaJson.Bool(Json["range"]); set { Json["instant"] = value; Json["range"] = !value; } }

    /// <summary><c>time_series</c>, <c>table</c> or <c>heatmap</c>.</summary>
    public string Format { get => GrafanaJson.Str(Json["format"]) ?? "time_series"; set => Json["format"] = value; }

    public bool Hide { get => GrafanaJson.Bool(Json["hide"]); set => Json["hide"] = value; }
}

/// <summary>
/// A panel of a migrated dashboard (<see cref="DashboardMigrator"/>), read and written in place in its JSON so
/// fields this model does not know survive an edit.
/// </summary>
public sealed class PanelModel(JsonObject json)
{
    /// <summary>Panel types the portal draws.</summary>
    public static readonly IReadOnlyList<string> Types = ["timeseries", "stat", "gauge", "bargauge", "table", "text"];

    public JsonObject Json { get; } = json;

    public int Id { get => (int)(GrafanaJson.Num(Json["id"]) ?? 0); set => Json["id"] = value; }
    public string Type { get => GrafanaJson.Str(Json["type"]) ?? "timeseries"; set => Json["type"] = value; }
    public string Title { get => GrafanaJson.Str(Json["title"]) ?? ""; set => Json["title"] = value; }
    public string Description => GrafanaJson.Str(Json["description"]) ?? "";
    public bool IsRow => Type == "row";
    public bool Collapsed { get => GrafanaJson.Bool(Json["collapsed"]); set => Json["collapsed"] = value; }

    public GridPos Pos
    {
        get
        {
            var g = Json["gridPos"] as JsonObject;
            int w = (int)(GrafanaJson.Num(g?["w"]) ?? 12), h = (int)(GrafanaJson.Num(g?["h"]) ?? 8);
            return new GridPos(Math.Clamp((int)(GrafanaJson.Num(g?["x"]) ?? 0), 0, DashboardMigrator.GridColumns - 1), Math.Max(0, (int)(GrafanaJson.Num(g?["y"]) ?? 0)),
                Math.Clamp(w, 1, DashboardMigrator.GridColumns), Math.Max(1, h));
        }
        set
        {
            var g = GrafanaJson.Obj(Json, "gridPos");
            g["x"] = value.X; g["y"] = value.Y; g["w"] = value.W; g["h"] = value.H;
        }
    }

    public IReadOnlyList<TargetModel> Targets =>
        (Json["targets"] as JsonArray ?? []).OfType<JsonObject>().Select(t => new TargetModel(t)).ToList();

    /// <summary>Adds a query with the next free refId (A, B, …).</summary>
    public TargetModel AddTarget(string expr = "")
    {
        var list = GrafanaJson.Arr(Json, "targets");
        var used = Targets.Select(t => t.RefId).ToHashSet(StringComparer.Ordinal);
        string refId = "A";
        for (int i = 0; used.Contains(refId); i++) refId = i < 26 ? ((char)('A' + i)).ToString() : "Q" + i;
        var t = new JsonObject { ["refId"] = refId, ["expr"] = expr, ["range"] = true };
        list.Add(t);
        return new TargetModel(t);
    }

    public void RemoveTarget(TargetModel target) => (Json["targets"] as JsonArray)?.Remove(target.Json);

    /// <summary>The panel's min interval (<c>interval</c>), a lower bound for every query's step.</summary>
    public string MinInterval { get => GrafanaJson.Str(Json["interval"]) ?? ""; set => GrafanaJson.Set(Json, "interval", value.Length == 0 ? null : value); }

    public int? MaxDataPoints => GrafanaJson.Num(Json["maxDataPoints"]) is { } m && m > 0 ? (int)m : null;

    private JsonObject Defaults => GrafanaJson.Obj(GrafanaJson.Obj(Json, "fieldConfig"), "defaults");
    private JsonObject Custom => GrafanaJson.Obj(Defaults, "custom");
    private JsonObject Options => GrafanaJson.Obj(Json, "options");

    public string Unit { get => GrafanaJson.Str((Json["fieldConfig"] as JsonObject)?["defaults"]?["unit"]) ?? ""; set => GrafanaJson.Set(Defaults, "unit", value.Length == 0 ? null : value); }
    public double? Min { get => GrafanaJson.Num((Json["fieldConfig"] as JsonObject)?["defaults"]?["min"]); set => GrafanaJson.Set(Defaults, "min", value); }
    public double? Max { get => GrafanaJson.Num((Json["fieldConfig"] as JsonObject)?["defaults"]?["max"]); set => GrafanaJson.Set(Defaults, "max", value); }
    public int? Decimals { get => GrafanaJson.Num((Json["fieldConfig"] as JsonObject)?["defaults"]?["decimals"]) is { } d ? (int)d : null; set => GrafanaJson.Set(Defaults, "decimals", value); }

    /// <summary>Threshold steps by value, the base step first; Grafana's default (green, red at 80) when none are set.</summary>
    public IReadOnlyList<ThresholdStep> Thresholds
    {
        get
        {
            var steps = (Json["fieldConfig"] as JsonObject)?["defaults"]?["thresholds"]?["steps"] as JsonArray;
            if (steps is null) return [new(null, "green"), new(80, "red")];
            return steps.OfType<JsonObject>().Select(s => new ThresholdStep(GrafanaJson.Num(s["value"]), GrafanaJson.Str(s["color"]) ?? "green"))
                .OrderBy(s => s.Value ?? double.NegativeInfinity).ToList();
        }
        set
        {
            var arr = new JsonArray();
            foreach (var s in value.OrderBy(s => s.Value ?? double.NegativeInfinity))
                arr.Add(new JsonObject { ["color"] = s.Color, ["value"] = s.Value });
            Defaults["thresholds"] = new JsonObject { ["mode"] = "absolute", ["steps"] = arr };
        }
    }

    /// <summary>How thresholds show on a time series: <c>off</c>, <c>line</c>, <c>area</c>, <c>line+area</c>, <c>dashed</c>.</summary>
    public string ThresholdsStyle { get => GrafanaJson.Str(CustomRead?["thresholdsStyle"]?["mode"]) ?? "off"; set => Custom["thresholdsStyle"] = new JsonObject { ["mode"] = value }; }

    private JsonObject? CustomRead => (Json["fieldConfig"] as JsonObject)?["defaults"]?["custom"] as JsonObject;

    /// <summary><c>line</c>, <c>bars</c> or <c>points</c>.</summary>
    public string DrawStyle { get => GrafanaJson.Str(CustomRead?["drawStyle"]) ?? "line"; set => Custom["drawStyle"] = value; }

    /// <summary><c>none</c>, <c>normal</c> or <c>percent</c>.</summary>
    public string StackMode { get => GrafanaJson.Str(CustomRead?["stacking"]?["mode"]) ?? "none"; set => Custom["stacking"] = new JsonObject { ["mode"] = value, ["group"] = "A" }; }

    public double FillOpacity { get => GrafanaJson.Num(CustomRead?["fillOpacity"]) ?? 0; set => Custom["fillOpacity"] = value; }
    public double LineWidth { get => GrafanaJson.Num(CustomRead?["lineWidth"]) ?? 1; set => Custom["lineWidth"] = value; }
    public bool SpanNulls => GrafanaJson.Bool(CustomRead?["spanNulls"]);
    public string AxisLabel => GrafanaJson.Str(CustomRead?["axisLabel"]) ?? "";
    public string LineInterpolation => GrafanaJson.Str(CustomRead?["lineInterpolation"]) ?? "linear";

    private JsonObject? LegendRead => (Json["options"] as JsonObject)?["legend"] as JsonObject;

    public bool ShowLegend
    {
        get => GrafanaJson.Bool(LegendRead?["showLegend"], true) && GrafanaJson.Str(LegendRead?["displayMode"]) != "hidden";
        set
        {
            var l = GrafanaJson.Obj(Options, "legend");
            l["showLegend"] = value;
            if (!value) l["displayMode"] = "hidden";
            else if (GrafanaJson.Str(l["displayMode"]) is null or "hidden") l["displayMode"] = "list";
        }
    }

    /// <summary><c>list</c> or <c>table</c>.</summary>
    public string LegendDisplay { get => GrafanaJson.Str(LegendRead?["displayMode"]) is "table" ? "table" : "list"; set => GrafanaJson.Obj(Options, "legend")["displayMode"] = value; }
    public string LegendPlacement { get => GrafanaJson.Str(LegendRead?["placement"]) is "right" ? "right" : "bottom"; set => GrafanaJson.Obj(Options, "legend")["placement"] = value; }

    /// <summary>Values the legend shows per series (Grafana reducer ids: <c>lastNotNull</c>, <c>mean</c>, <c>min</c>, <c>max</c>, <c>sum</c>, …).</summary>
    public IReadOnlyList<string> LegendCalcs
    {
        get => (LegendRead?["calcs"] as JsonArray ?? []).Select(GrafanaJson.Str).OfType<string>().ToList();
        set => GrafanaJson.Obj(Options, "legend")["calcs"] = new JsonArray(value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
    }

    /// <summary>The reducer a stat, gauge or bar gauge shows (first of <c>reduceOptions.calcs</c>), <c>lastNotNull</c> by default.</summary>
    public string ReduceCalc
    {
        get => ((Json["options"] as JsonObject)?["reduceOptions"]?["calcs"] as JsonArray)?.Select(GrafanaJson.Str).FirstOrDefault(c => c is { Length: > 0 }) ?? "lastNotNull";
        set
        {
            var r = GrafanaJson.Obj(Options, "reduceOptions");
            r["calcs"] = new JsonArray(value);
            r["values"] ??= false;
            r["fields"] ??= "";
        }
    }

    /// <summary>Stat's sparkline: <c>area</c> or <c>none</c>.</summary>
    public string GraphMode => GrafanaJson.Str((Json["options"] as JsonObject)?["graphMode"]) ?? "area";

    /// <summary>Bar gauge orientation: <c>horizontal</c>, <c>vertical</c> or <c>auto</c>.</summary>
    public string Orientation => GrafanaJson.Str((Json["options"] as JsonObject)?["orientation"]) ?? "auto";

    /// <summary>Text panel: <c>markdown</c> or <c>html</c>.</summary>
    public string TextMode { get => GrafanaJson.Str((Json["options"] as JsonObject)?["mode"]) ?? "markdown"; set => Options["mode"] = value; }
    public string TextContent { get => GrafanaJson.Str((Json["options"] as JsonObject)?["content"]) ?? ""; set => Options["content"] = value; }

    /// <summary>Series colours fixed by name (field overrides matching <c>byName</c> with a fixed colour).</summary>
    public IReadOnlyDictionary<string, string> FixedColors
    {
        get
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var o in ((Json["fieldConfig"] as JsonObject)?["overrides"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (GrafanaJson.Str(o["matcher"]?["id"]) != "byName" || GrafanaJson.Str(o["matcher"]?["options"]) is not { } name) continue;
                foreach (var p in (o["properties"] as JsonArray ?? []).OfType<JsonObject>())
                    if (GrafanaJson.Str(p["id"]) == "color" && GrafanaJson.Str(p["value"]?["fixedColor"]) is { } c) map[name] = c;
            }
            return map;
        }
    }

    /// <summary>The variable the panel is repeated for (<c>repeat</c>, see <see cref="PanelRepeats"/>); empty for none, which also drops the direction and per-row limit.</summary>
    public string Repeat
    {
        get => GrafanaJson.Str(Json["repeat"]) ?? "";
        set
        {
            var name = value.Trim().TrimStart('$');
            GrafanaJson.Set(Json, "repeat", name.Length == 0 ? null : name);
            if (name.Length > 0) return;
            Json.Remove("repeatDirection");
            Json.Remove("maxPerRow");
        }
    }

    /// <summary><c>h</c> (side by side, the default) or <c>v</c> (stacked).</summary>
    public string RepeatDirection { get => GrafanaJson.Str(Json["repeatDirection"]) == "v" ? "v" : "h"; set => Json["repeatDirection"] = value == "v" ? "v" : "h"; }

    /// <summary>Copies per line of a horizontal repeat (<c>maxPerRow</c>); null for Grafana's default of 4.</summary>
    public int? MaxPerRow { get => GrafanaJson.Num(Json["maxPerRow"]) is { } m && m >= 1 ? (int)m : null; set => GrafanaJson.Set(Json, "maxPerRow", value is >= 1 ? value : null); }

    /// <summary>Children of a row panel (held inside it while collapsed).</summary>
    public JsonArray RowPanels => GrafanaJson.Arr(Json, "panels");

    /// <summary>A new panel of <paramref name="type"/> with one empty query, Grafana's defaults for the type.</summary>
    public static PanelModel Create(string type, int id, GridPos pos)
    {
        var p = new PanelModel(new JsonObject
        {
            ["id"] = id, ["type"] = type, ["title"] = "Panel title",
            ["fieldConfig"] = new JsonObject { ["defaults"] = new JsonObject(), ["overrides"] = new JsonArray() },
            ["options"] = new JsonObject(),
        });
        p.Pos = pos;
        if (type == "text") { p.TextMode = "markdown"; p.TextContent = "# Title\n\nWrite **markdown** here."; }
        else p.AddTarget();
        if (type == "timeseries")
        {
            p.DrawStyle = "line"; p.LineWidth = 1; p.FillOpacity = 0; p.StackMode = "none";
            p.Json["options"]!["legend"] = new JsonObject { ["showLegend"] = true, ["displayMode"] = "list", ["placement"] = "bottom", ["calcs"] = new JsonArray() };
        }
        return p;
    }
}
