using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>
/// Brings a Grafana dashboard of any schema version from 16 (and the older <c>rows</c> layout) to the current
/// panel model (<see cref="CurrentSchemaVersion"/>), as Grafana's own migration does: top-level <c>rows</c> become
/// row panels and <c>gridPos</c>; <c>graph</c> panels become <c>timeseries</c> with <c>fieldConfig</c> and
/// <c>options</c>; <c>singlestat</c> becomes <c>stat</c>; old <c>text</c> panels move content into options.
/// Fields it does not know are kept, so nothing a newer Grafana wrote is lost. Works on a copy.
/// </summary>
public static class DashboardMigrator
{
    public const int CurrentSchemaVersion = 39;

    /// <summary>Grafana's grid: 24 columns; a cell is 30 px high with an 8 px gap.</summary>
    public const int GridColumns = 24, CellHeight = 30, CellGap = 8;

    /// <summary>A migrated deep copy of <paramref name="dashboard"/>.</summary>
    public static JsonObject Migrate(JsonObject dashboard)
    {
        var d = (JsonObject)dashboard.DeepClone();
        if (d["rows"] is JsonArray rows)
        {
            MigrateRows(d, rows);
            d.Remove("rows");
        }
        var panels = GrafanaJson.Arr(d, "panels");
        int nextId = NextPanelId(panels);
        foreach (var p in AllPanels(panels)) MigratePanel(p, ref nextId);
        GrafanaJson.Arr(GrafanaJson.Obj(d, "templating"), "list");
        if (d["time"] is not JsonObject) d["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" };
        d["schemaVersion"] = CurrentSchemaVersion;
        return d;
    }

    /// <summary>Every panel, including those inside collapsed rows.</summary>
    public static IEnumerable<JsonObject> AllPanels(JsonArray panels)
    {
        foreach (var n in panels)
        {
            if (n is not JsonObject p) continue;
            yield return p;
            if (p["panels"] is JsonArray inner)
                foreach (var c in inner)
                    if (c is JsonObject cp) yield return cp;
        }
    }

    private static int NextPanelId(JsonArray panels)
    {
        int max = 0;
        foreach (var p in AllPanels(panels))
            if (GrafanaJson.Num(p["id"]) is { } id) max = Math.Max(max, (int)id);
        return max + 1;
    }

    /// <summary>Grafana's pre-16 layout: rows of panels with a pixel height and 12-column spans.</summary>
    private static void MigrateRows(JsonObject d, JsonArray rows)
    {
        var panels = GrafanaJson.Arr(d, "panels");
        int y = 0;
        bool showRows = rows.Count > 1 || rows.OfType<JsonObject>().Any(r => GrafanaJson.Bool(r["showTitle"]) || GrafanaJson.Bool(r["collapse"]));
        int nextId = 1 + rows.OfType<JsonObject>().SelectMany(r => (r["panels"] as JsonArray ?? []).OfType<JsonObject>())
            .Select(p => (int)(GrafanaJson.Num(p["id"]) ?? 0)).DefaultIfEmpty(0).Max();
        foreach (var r in rows.OfType<JsonObject>())
        {
            int h = RowHeight(r["height"]);
            bool collapsed = GrafanaJson.Bool(r["collapse"]);
            JsonObject? rowPanel = null;
            if (showRows)
            {
                rowPanel = new JsonObject
                {
                    ["id"] = nextId++,
                    ["type"] = "row",
                    ["title"] = GrafanaJson.Str(r["title"]) ?? "",
                    ["collapsed"] = collapsed,
                    ["gridPos"] = Pos(0, y, GridColumns, 1),
                    ["panels"] = new JsonArray(),
                };
                if (r["repeat"] is { } repeat) rowPanel["repeat"] = repeat.DeepClone();
                panels.Add(rowPanel);
                y++;
            }
            int x = 0, rowY = y, maxBottom = y;
            foreach (var p in (r["panels"] as JsonArray ?? []).OfType<JsonObject>().ToList())
            {
                var copy = (JsonObject)p.DeepClone();
                int w = (int)Math.Round((GrafanaJson.Num(copy["span"]) ?? 12) * 2);
                w = Math.Clamp(w, 1, GridColumns);
                int ph = copy["height"] is { } ownHeight ? RowHeight(ownHeight) : h;
                if (x + w > GridColumns) { x = 0; rowY = maxBottom; }
                copy["gridPos"] = Pos(x, rowY, w, ph);
                copy.Remove("span");
                copy.Remove("height");
                x += w;
                maxBottom = Math.Max(maxBottom, rowY + ph);
                if (collapsed && rowPanel is not null) ((JsonArray)rowPanel["panels"]!).Add(copy);
                else panels.Add(copy);
            }
            if (!collapsed) y = maxBottom;
        }
    }

    private static int RowHeight(JsonNode? height)
    {
        double px = 250;
        var s = GrafanaJson.Str(height);
        if (s is { Length: > 0 } && double.TryParse(s.Replace("px", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) px = v;
        return Math.Max(1, (int)Math.Ceiling(px / (CellHeight + CellGap)));
    }

    private static JsonObject Pos(int x, int y, int w, int h) => new() { ["x"] = x, ["y"] = y, ["w"] = w, ["h"] = h };

    private static void MigratePanel(JsonObject p, ref int nextId)
    {
        if (GrafanaJson.Num(p["id"]) is null) p["id"] = nextId++;
        UpgradeLegacyMappings(p);
        if (p["gridPos"] is not JsonObject) p["gridPos"] = Pos(0, 0, 12, 8);
        switch (GrafanaJson.Str(p["type"]))
        {
            case "graph":
                GraphToTimeSeries(p);
                break;
            case "singlestat":
                SinglestatToStat(p);
                break;
            case "text":
                var options = GrafanaJson.Obj(p, "options");
                if (p["content"] is { } content) { options["content"] = content.DeepClone(); p.Remove("content"); }
                if (p["mode"] is { } mode) { options["mode"] = mode.DeepClone(); p.Remove("mode"); }
                break;
        }
    }

    private static readonly string[] GraphKeys =
    [
        "bars", "lines", "points", "fill", "fillGradient", "linewidth", "pointradius", "stack", "percentage", "steppedLine",
        "nullPointMode", "yaxes", "yaxis", "xaxis", "legend", "tooltip", "thresholds", "aliasColors", "renderer",
        "dashes", "dashLength", "spaceLength", "seriesOverrides", "timeRegions", "hiddenSeries",
    ];

    private static void GraphToTimeSeries(JsonObject p)
    {
        var fieldConfig = GrafanaJson.Obj(p, "fieldConfig");
        var defaults = GrafanaJson.Obj(fieldConfig, "defaults");
        var custom = GrafanaJson.Obj(defaults, "custom");
        var overrides = GrafanaJson.Arr(fieldConfig, "overrides");
        var options = GrafanaJson.Obj(p, "options");

        if (p["yaxes"] is JsonArray { Count: > 0 } yaxes && yaxes[0] is JsonObject left)
        {
            if (GrafanaJson.Str(left["format"]) is { Length: > 0 } unit) defaults["unit"] = unit;
            if (GrafanaJson.Num(left["min"]) is { } min) defaults["min"] = min;
            if (GrafanaJson.Num(left["max"]) is { } max) defaults["max"] = max;
            if (GrafanaJson.Num(left["decimals"]) is { } dec) defaults["decimals"] = (int)dec;
            if (GrafanaJson.Str(left["label"]) is { Length: > 0 } label) custom["axisLabel"] = label;
            if (GrafanaJson.Num(left["logBase"]) is { } lb && lb > 1) custom["scaleDistribution"] = new JsonObject { ["type"] = "log", ["log"] = lb };
        }
        bool bars = GrafanaJson.Bool(p["bars"]), lines = GrafanaJson.Bool(p["lines"], true), points = GrafanaJson.Bool(p["points"]);
        custom["drawStyle"] = bars ? "bars" : !lines && points ? "points" : "line";
        custom["lineWidth"] = GrafanaJson.Num(p["linewidth"]) ?? 1;
        custom["fillOpacity"] = bars ? 100 : (GrafanaJson.Num(p["fill"]) ?? 1) * 10;
        custom["showPoints"] = points ? "always" : "never";
        custom["lineInterpolation"] = GrafanaJson.Bool(p["steppedLine"]) ? "stepAfter" : "linear";
        custom["spanNulls"] = GrafanaJson.Str(p["nullPointMode"]) == "connected";
        custom["stacking"] = new JsonObject
        {
            ["mode"] = GrafanaJson.Bool(p["stack"]) ? GrafanaJson.Bool(p["percentage"]) ? "percent" : "normal" : "none",
            ["group"] = "A",
        };

        var legend = p["legend"] as JsonObject ?? new JsonObject();
        var calcs = new JsonArray();
        foreach (var (flag, calc) in new[] { ("avg", "mean"), ("current", "lastNotNull"), ("min", "min"), ("max", "max"), ("total", "sum") })
            if (GrafanaJson.Bool(legend[flag])) calcs.Add(calc);
        bool showLegend = GrafanaJson.Bool(legend["show"], true);
        options["legend"] = new JsonObject
        {
            ["showLegend"] = showLegend,
            ["displayMode"] = !showLegend ? "hidden" : GrafanaJson.Bool(legend["alignAsTable"]) ? "table" : "list",
            ["placement"] = GrafanaJson.Bool(legend["rightSide"]) ? "right" : "bottom",
            ["calcs"] = calcs,
        };
        var tooltip = p["tooltip"] as JsonObject;
        options["tooltip"] = new JsonObject { ["mode"] = tooltip is null || GrafanaJson.Bool(tooltip["shared"], true) ? "multi" : "single", ["sort"] = "none" };

        if (p["thresholds"] is JsonArray { Count: > 0 } graphThresholds)
        {
            var steps = new JsonArray { new JsonObject { ["color"] = "green", ["value"] = null } };
            bool area = false;
            foreach (var t in graphThresholds.OfType<JsonObject>().OrderBy(t => GrafanaJson.Num(t["value"]) ?? 0))
            {
                if (GrafanaJson.Num(t["value"]) is not { } v) continue;
                var color = GrafanaJson.Str(t["colorMode"]) switch
                {
                    "warning" => "orange",
                    "ok" => "green",
                    "custom" => GrafanaJson.Str(t["lineColor"]) ?? GrafanaJson.Str(t["fillColor"]) ?? "red",
                    _ => "red",
                };
                steps.Add(new JsonObject { ["color"] = color, ["value"] = v });
                area |= GrafanaJson.Bool(t["fill"]);
            }
            defaults["thresholds"] = new JsonObject { ["mode"] = "absolute", ["steps"] = steps };
            custom["thresholdsStyle"] = new JsonObject { ["mode"] = area ? "line+area" : "line" };
        }
        if (p["aliasColors"] is JsonObject aliases)
        {
            foreach (var (name, color) in aliases)
            {
                if (GrafanaJson.Str(color) is not { Length: > 0 } c) continue;
                overrides.Add(new JsonObject
                {
                    ["matcher"] = new JsonObject { ["id"] = "byName", ["options"] = name },
                    ["properties"] = new JsonArray { new JsonObject { ["id"] = "color", ["value"] = new JsonObject { ["mode"] = "fixed", ["fixedColor"] = c } } },
                });
            }
        }
        SeriesOverridesToOverrides(p, overrides);
        foreach (var k in GraphKeys) p.Remove(k);
        p["type"] = "timeseries";
    }

    private static void SinglestatToStat(JsonObject p)
    {
        var fieldConfig = GrafanaJson.Obj(p, "fieldConfig");
        var defaults = GrafanaJson.Obj(fieldConfig, "defaults");
        GrafanaJson.Arr(fieldConfig, "overrides");
        var options = GrafanaJson.Obj(p, "options");
        if (GrafanaJson.Str(p["format"]) is { Length: > 0 } unit) defaults["unit"] = unit;
        if (GrafanaJson.Num(p["decimals"]) is { } dec) defaults["decimals"] = (int)dec;
        var calc = GrafanaJson.Str(p["valueName"]) switch
        {
            "avg" => "mean", "min" => "min", "max" => "max", "total" => "sum", "first" => "first", "delta" => "delta", "range" => "range",
            _ => "lastNotNull",
        };
        options["reduceOptions"] = new JsonObject { ["calcs"] = new JsonArray(calc), ["fields"] = "", ["values"] = false };
        options["graphMode"] = p["sparkline"] is JsonObject spark && GrafanaJson.Bool(spark["show"]) ? "area" : "none";
        options["colorMode"] = GrafanaJson.Bool(p["colorBackground"]) ? "background" : "value";
        if (GrafanaJson.Str(p["thresholds"]) is { Length: > 0 } text)
        {
            var colors = (p["colors"] as JsonArray)?.Select(GrafanaJson.Str).ToList() ?? [];
            var steps = new JsonArray { new JsonObject { ["color"] = colors.ElementAtOrDefault(0) ?? "green", ["value"] = null } };
            int i = 1;
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    steps.Add(new JsonObject { ["color"] = colors.ElementAtOrDefault(i++) ?? "red", ["value"] = v });
            defaults["thresholds"] = new JsonObject { ["mode"] = "absolute", ["steps"] = steps };
        }
        bool gauge = p["gauge"] is JsonObject g && GrafanaJson.Bool(g["show"]);
        if (gauge && p["gauge"] is JsonObject gj)
        {
            if (GrafanaJson.Num(gj["minValue"]) is { } min) defaults["min"] = min;
            if (GrafanaJson.Num(gj["maxValue"]) is { } max) defaults["max"] = max;
        }
        if (SinglestatMappings(p, defaults["thresholds"] as JsonObject) is { Count: > 0 } mappings) defaults["mappings"] = mappings;
        foreach (var k in new[] { "format", "decimals", "valueName", "sparkline", "colorBackground", "colorValue", "colors", "thresholds", "gauge", "valueMaps", "mappingType", "mappingTypes", "rangeMaps", "nullPointMode", "postfix", "prefix", "postfixFontSize", "prefixFontSize", "valueFontSize", "tableColumn" })
            p.Remove(k);
        p["type"] = gauge ? "gauge" : "stat";
    }

    /// <summary>
    /// The graph panel's <c>seriesOverrides</c> and <c>hiddenSeries</c> as field overrides, as Grafana's migration to
    /// the time series panel writes them: an alias in slashes matches by regex, else by name; <c>yaxis: 2</c> gives
    /// the right axis with the second y axis' settings that differ from the first.
    /// </summary>
    private static void SeriesOverridesToOverrides(JsonObject p, JsonArray overrides)
    {
        var yaxes = p["yaxes"] as JsonArray;
        foreach (var so in (p["seriesOverrides"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (GrafanaJson.Str(so["alias"]) is not { Length: > 0 } alias) continue;
            bool regex = alias.Length > 1 && alias[0] == '/' && alias.LastIndexOf('/') > 0;
            var props = new JsonArray();
            JsonObject? dash = null;
            foreach (var (key, v) in so)
            {
                switch (key)
                {
                    case "yaxis":
                        if (GrafanaJson.Num(v) == 2) SecondAxis(yaxes, props);
                        break;
                    case "fill":
                        if (GrafanaJson.Num(v) is { } fill) props.Add(Prop("custom.fillOpacity", fill * 10));
                        break;
                    case "fillBelowTo":
                        props.Add(Prop("custom.fillBelowTo", v?.DeepClone()));
                        break;
                    case "fillGradient":
                        if (GrafanaJson.Num(v) is { } g && g > 0) { props.Add(Prop("custom.fillGradient", "opacity")); props.Add(Prop("custom.fillOpacity", g * 10)); }
                        break;
                    case "points":
                        props.Add(Prop("custom.showPoints", GrafanaJson.Bool(v) ? "always" : "never"));
                        break;
                    case "bars":
                        if (GrafanaJson.Bool(v)) { props.Add(Prop("custom.drawStyle", "bars")); props.Add(Prop("custom.fillOpacity", 100)); }
                        else props.Add(Prop("custom.drawStyle", "line"));
                        break;
                    case "lines":
                        props.Add(GrafanaJson.Bool(v) ? Prop("custom.drawStyle", "line") : Prop("custom.lineWidth", 0));
                        break;
                    case "linewidth":
                        if (GrafanaJson.Num(v) is { } lw) props.Add(Prop("custom.lineWidth", lw));
                        break;
                    case "pointradius":
                        if (GrafanaJson.Num(v) is { } pr) props.Add(Prop("custom.pointSize", 2 + pr * 2));
                        break;
                    case "dashes" or "dashLength" or "spaceLength":
                        dash ??= new JsonObject
                        {
                            ["fill"] = GrafanaJson.Bool(p["dashes"]) ? "dash" : "solid",
                            ["dash"] = new JsonArray(GrafanaJson.Num(p["dashLength"]) ?? 10, GrafanaJson.Num(p["spaceLength"]) ?? 10),
                        };
                        if (key == "dashes") dash["fill"] = GrafanaJson.Bool(v) ? "dash" : "solid";
                        else if (GrafanaJson.Num(v) is { } len) ((JsonArray)dash["dash"]!)[key == "dashLength" ? 0 : 1] = len;
                        break;
                    case "stack":
                        // A string names the stack group; any other truthy value stacks in the default group A.
                        bool named = v is JsonValue sv && sv.GetValueKind() == System.Text.Json.JsonValueKind.String;
                        var group = named ? GrafanaJson.Str(v)! : "A";
                        bool stacked = named ? group.Length > 0 : GrafanaJson.Bool(v);
                        props.Add(Prop("custom.stacking", new JsonObject { ["mode"] = stacked ? "normal" : "none", ["group"] = group.Length > 0 ? group : "A" }));
                        break;
                    case "color":
                        if (GrafanaJson.Str(v) is { Length: > 0 } c) props.Add(Prop("color", new JsonObject { ["fixedColor"] = c, ["mode"] = "fixed" }));
                        break;
                    case "transform":
                        props.Add(Prop("custom.transform", GrafanaJson.Str(v) == "negative-Y" ? "negative-Y" : "constant"));
                        break;
                }
            }
            if (dash is not null) props.Add(Prop("custom.lineStyle", dash));
            if (props.Count == 0) continue;
            overrides.Add(new JsonObject
            {
                ["matcher"] = new JsonObject { ["id"] = regex ? "byRegexp" : "byName", ["options"] = alias },
                ["properties"] = props,
            });
        }
        foreach (var (name, hidden) in p["hiddenSeries"] as JsonObject ?? new JsonObject())
        {
            if (!GrafanaJson.Bool(hidden)) continue;
            overrides.Add(new JsonObject
            {
                ["matcher"] = new JsonObject { ["id"] = "byName", ["options"] = name },
                ["properties"] = new JsonArray(Prop("custom.hideFrom", new JsonObject { ["legend"] = false, ["tooltip"] = false, ["viz"] = true })),
            });
        }
    }

    /// <summary>The second y axis' settings that differ from the first, and the right-hand placement.</summary>
    private static void SecondAxis(JsonArray? yaxes, JsonArray props)
    {
        var y1 = yaxes?.ElementAtOrDefault(0) as JsonObject;
        var y2 = yaxes?.ElementAtOrDefault(1) as JsonObject;
        if (y2 is not null)
        {
            if (GrafanaJson.Str(y2["format"]) is { Length: > 0 } unit && unit != GrafanaJson.Str(y1?["format"])) props.Add(Prop("unit", unit));
            foreach (var key in new[] { "decimals", "min", "max" })
                if (GrafanaJson.Num(y2[key]) is { } n && n != GrafanaJson.Num(y1?[key])) props.Add(Prop(key, n));
        }
        props.Add(Prop("custom.axisPlacement", "right"));
        if (y2 is not null && GrafanaJson.Str(y2["label"]) is { Length: > 0 } label && label != GrafanaJson.Str(y1?["label"])) props.Add(Prop("custom.axisLabel", label));
    }

    private static JsonObject Prop(string id, JsonNode? value) => new() { ["id"] = id, ["value"] = value };

    /// <summary>
    /// A singlestat's <c>valueMaps</c> or <c>rangeMaps</c> (by <c>mappingType</c> 1 or 2, else whichever is set) as
    /// value mappings; each takes the colour the thresholds give its text when the text is a number, as Grafana's upgrade does.
    /// </summary>
    private static JsonArray SinglestatMappings(JsonObject p, JsonObject? thresholds)
    {
        var valueMaps = p["valueMaps"] as JsonArray ?? [];
        var rangeMaps = p["rangeMaps"] as JsonArray ?? [];
        int type = (int)(GrafanaJson.Num(p["mappingType"]) ?? 0);
        if (type == 0) type = valueMaps.Count > 0 ? 1 : rangeMaps.Count > 0 ? 2 : 0;
        var legacy = new JsonArray();
        foreach (var m in (type == 1 ? valueMaps : type == 2 ? rangeMaps : []).OfType<JsonObject>())
        {
            var copy = (JsonObject)m.DeepClone();
            copy["type"] = type;
            legacy.Add(copy);
        }
        return UpgradeMappings(legacy, thresholds);
    }

    /// <summary>Grafana 7's mappings (<c>{type: 1|2, …}</c>) in a panel's field config defaults, in today's shape.</summary>
    private static void UpgradeLegacyMappings(JsonObject p)
    {
        if ((p["fieldConfig"] as JsonObject)?["defaults"] is not JsonObject defaults || defaults["mappings"] is not JsonArray mappings) return;
        if (!mappings.OfType<JsonObject>().Any(m => GrafanaJson.Num(m["type"]) is not null)) return;
        defaults["mappings"] = UpgradeMappings(mappings, defaults["thresholds"] as JsonObject);
    }

    private static JsonArray UpgradeMappings(JsonArray mappings, JsonObject? thresholds)
    {
        var steps = (thresholds?["steps"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => new ThresholdStep(GrafanaJson.Num(s["value"]), GrafanaJson.Str(s["color"]) ?? "green")).OrderBy(s => s.Value ?? double.NegativeInfinity).ToList();
        var result = new JsonArray();
        var values = new JsonObject();
        foreach (var m in mappings.OfType<JsonObject>())
        {
            if (GrafanaJson.Num(m["type"]) is not { } type)
            {
                result.Add(m.DeepClone());
                continue;
            }
            var text = GrafanaJson.Str(m["text"]) ?? "";
            string? color = null;
            if (steps.Count > 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var numeric))
            {
                color = steps[0].Color;
                foreach (var s in steps)
                    if (s.Value is null || numeric >= s.Value) color = s.Color;
            }
            var res = new JsonObject { ["text"] = text };
            if (color is not null) res["color"] = color;
            if (type == 1 && GrafanaJson.Str(m["value"]) is { } value)
            {
                if (value == "null") result.Add(new JsonObject { ["type"] = "special", ["options"] = new JsonObject { ["match"] = "null", ["result"] = res } });
                else values[value] = res;
            }
            else if (type == 2)
            {
                result.Add(new JsonObject
                {
                    ["type"] = "range",
                    ["options"] = new JsonObject { ["from"] = GrafanaJson.Num(m["from"]), ["to"] = GrafanaJson.Num(m["to"]), ["result"] = res },
                });
            }
        }
        if (values.Count > 0) result.Insert(0, new JsonObject { ["type"] = "value", ["options"] = values });
        int index = 0;
        foreach (var m in result.OfType<JsonObject>())
        {
            if (m["options"] is not JsonObject o) continue;
            if (GrafanaJson.Str(m["type"]) == "value") foreach (var (_, r) in o) { if (r is JsonObject ro) ro["index"] = index++; }
            else if (o["result"] is JsonObject r) r["index"] = index++;
        }
        return result;
    }
}
