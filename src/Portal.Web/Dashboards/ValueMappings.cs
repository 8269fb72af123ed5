using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Web.Dashboards;

/// <summary>What a value mapping gives a value: a text (null keeps the formatted value) and a colour (null keeps the threshold's).</summary>
public sealed record MappingResult(string? Text, string? Color);

/// <summary>
/// Grafana's value mappings (<c>fieldConfig.defaults.mappings</c>), tried in order, the first match wins:
/// <c>value</c> (the value's text equals a key), <c>range</c> (from ≤ value ≤ to, either end open when null),
/// <c>regex</c> (the value's text matches; <c>$1</c> in the result text refers to the match's groups) and
/// <c>special</c> (<c>null</c>, <c>nan</c>, <c>null+nan</c>, <c>true</c>, <c>false</c>, <c>empty</c>).
/// The Grafana 7 shape (<c>{type: 1, value, text}</c>, <c>{type: 2, from, to, text}</c>) is read too.
/// </summary>
public sealed class ValueMappings
{
    private abstract record Rule(MappingResult Result);
    private sealed record ValueRule(Dictionary<string, MappingResult> Map) : Rule(new MappingResult(null, null));
    private sealed record RangeRule(double? From, double? To, MappingResult R) : Rule(R);
    private sealed record RegexRule(Regex Pattern, MappingResult R) : Rule(R);
    private sealed record SpecialRule(string Match, MappingResult R) : Rule(R);

    private readonly List<Rule> _rules;

    private ValueMappings(List<Rule> rules) => _rules = rules;

    /// <summary>No mappings: every value keeps its formatted text and threshold colour.</summary>
    public static readonly ValueMappings Empty = new([]);

    public int Count => _rules.Count;

    /// <summary>Reads a <c>mappings</c> array; entries it cannot read (unknown type, invalid regex) are skipped.</summary>
    public static ValueMappings Parse(JsonNode? mappings)
    {
        if (mappings is not JsonArray arr || arr.Count == 0) return Empty;
        var rules = new List<Rule>();
        foreach (var m in arr.OfType<JsonObject>())
        {
            var options = m["options"] as JsonObject;
            switch (GrafanaJson.Num(m["type"]) is { } legacy ? legacy.ToString(CultureInfo.InvariantCulture) : GrafanaJson.Str(m["type"]))
            {
                case "value" when options is not null:
                    var map = new Dictionary<string, MappingResult>(StringComparer.Ordinal);
                    foreach (var (key, r) in options)
                        if (r is JsonObject ro) map[key] = Result(ro);
                    if (map.Count > 0) rules.Add(new ValueRule(map));
                    break;
                case "range" when options is not null:
                    rules.Add(new RangeRule(GrafanaJson.Num(options["from"]), GrafanaJson.Num(options["to"]), Result(options["result"] as JsonObject)));
                    break;
                case "regex" when options is not null:
                    if (GrafanaJson.Str(options["pattern"]) is { Length: > 0 } pattern && ToRegex(pattern) is { } re)
                        rules.Add(new RegexRule(re, Result(options["result"] as JsonObject)));
                    break;
                case "special" when options is not null:
                    if (GrafanaJson.Str(options["match"]) is { Length: > 0 } match)
                        rules.Add(new SpecialRule(match, Result(options["result"] as JsonObject)));
                    break;
                case "1":
                    // Grafana 7: value to text; "null" as the value stood for null.
                    if (GrafanaJson.Str(m["value"]) is { } value)
                        rules.Add(value == "null"
                            ? new SpecialRule("null", new MappingResult(GrafanaJson.Str(m["text"]), null))
                            : new ValueRule(new Dictionary<string, MappingResult>(StringComparer.Ordinal) { [value] = new MappingResult(GrafanaJson.Str(m["text"]), null) }));
                    break;
                case "2":
                    rules.Add(new RangeRule(GrafanaJson.Num(m["from"]), GrafanaJson.Num(m["to"]), new MappingResult(GrafanaJson.Str(m["text"]), null)));
                    break;
            }
        }
        return new ValueMappings(rules);
    }

    private static MappingResult Result(JsonObject? r) =>
        new(r is null ? null : GrafanaJson.Str(r["text"]) is { } t ? t : null, r is null ? null : GrafanaJson.Str(r["color"]) is { Length: > 0 } c ? c : null);

    /// <summary>
    /// Grafana's reading of a regex option: <c>/pattern/flags</c> (flags <c>i</c>, <c>m</c>, <c>s</c>), else the whole
    /// text must match the pattern. Null when it is not a valid .NET regex.
    /// </summary>
    public static Regex? ToRegex(string pattern)
    {
        var options = RegexOptions.None;
        string body;
        int last = pattern.LastIndexOf('/');
        if (pattern.Length > 1 && pattern[0] == '/' && last > 0)
        {
            body = pattern[1..last];
            foreach (var f in pattern[(last + 1)..])
                options |= f switch { 'i' => RegexOptions.IgnoreCase, 'm' => RegexOptions.Multiline, 's' => RegexOptions.Singleline, _ => RegexOptions.None };
        }
        else body = "^(?:" + pattern + @")\z";
        try
        {
            return new Regex(body, options, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The first mapping matching a number (null: no value, as a series without points reduces to), or null.</summary>
    public MappingResult? Match(double? value)
    {
        foreach (var rule in _rules)
        {
            switch (rule)
            {
                case ValueRule v when value is { } x && v.Map.TryGetValue(NumberText(x), out var r):
                    return r;
                case RangeRule rr when value is { } x && !double.IsNaN(x) && (rr.From is not null || rr.To is not null):
                    if ((rr.From is not { } from || x >= from) && (rr.To is not { } to || x <= to)) return rr.Result;
                    break;
                case RegexRule re when value is { } x:
                    if (Replace(re, NumberText(x)) is { } hit) return hit;
                    break;
                case SpecialRule s when SpecialMatches(s.Match, value):
                    return s.Result;
            }
        }
        return null;
    }

    /// <summary>The first mapping matching a text value (a table's label cell), or null.</summary>
    public MappingResult? MatchText(string? text)
    {
        foreach (var rule in _rules)
        {
            switch (rule)
            {
                case ValueRule v when text is not null && v.Map.TryGetValue(text, out var r):
                    return r;
                case RangeRule rr when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && (rr.From is not null || rr.To is not null):
                    if ((rr.From is not { } from || x >= from) && (rr.To is not { } to || x <= to)) return rr.Result;
                    break;
                case RegexRule re when !string.IsNullOrEmpty(text):
                    if (Replace(re, text) is { } hit) return hit;
                    break;
                case SpecialRule s:
                    bool match = s.Match switch
                    {
                        "null" or "null+nan" => text is null,
                        "empty" => text is { Length: 0 },
                        "true" => text == "true",
                        "false" => text == "false",
                        _ => false,
                    };
                    if (match) return s.Result;
                    break;
            }
        }
        return null;
    }

    private static MappingResult? Replace(RegexRule re, string text)
    {
        try
        {
            if (!re.Pattern.IsMatch(text)) return null;
            return re.Result.Text is { } t ? re.Result with { Text = re.Pattern.Replace(text, t, 1) } : re.Result;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static bool SpecialMatches(string match, double? value) => match switch
    {
        "null" => value is null,
        "nan" => value is { } n && double.IsNaN(n),
        "null+nan" => value is null || double.IsNaN(value.Value),
        _ => false, // true, false and empty match booleans and strings only, never a number (as in Grafana)
    };

    /// <summary>A number as JavaScript's <c>String(n)</c> writes it, the key a value mapping is looked up by.</summary>
    public static string NumberText(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "Infinity";
        if (double.IsNegativeInfinity(v)) return "-Infinity";
        var abs = Math.Abs(v);
        if (abs != 0 && (abs >= 1e21 || abs < 1e-6))
            return v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal).Replace("e+0", "e+", StringComparison.Ordinal);
        var text = v.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E') ? v.ToString("0.####################", CultureInfo.InvariantCulture) : text;
    }
}

/// <summary>How one value is shown: its text and CSS colour, after value mappings, unit and thresholds.</summary>
public readonly record struct DisplayValue(string Text, string Color);

/// <summary>Grafana's display processor for one value of a field: a matching value mapping's text and colour win over the unit's text and the threshold colour.</summary>
public static class FieldDisplay
{
    /// <summary>The display of <paramref name="value"/> with the series' effective field config.</summary>
    public static DisplayValue Display(double? value, FieldConfig field)
    {
        var mapped = field.Mappings.Match(value);
        var text = mapped?.Text ?? UnitFormat.Format(value, field.Unit, field.Decimals);
        var color = mapped?.Color is { } c ? UnitFormat.Css(c) : UnitFormat.ThresholdColor(value, field.Thresholds);
        return new DisplayValue(text, color);
    }
}
