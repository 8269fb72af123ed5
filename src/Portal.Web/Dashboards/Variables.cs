using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Model;

namespace Portal.Web.Dashboards;

/// <summary>A template variable of a dashboard (Grafana's <c>templating.list[]</c>), read and written in place.</summary>
public sealed class VariableModel(JsonObject json)
{
    /// <summary>The value Grafana stores when "All" is selected.</summary>
    public const string AllValue = "$__all";

    public JsonObject Json { get; } = json;

    public string Name => GrafanaJson.Str(Json["name"]) ?? "";
    public string Label => GrafanaJson.Str(Json["label"]) is { Length: > 0 } l ? l : Name;

    /// <summary><c>query</c>, <c>custom</c>, <c>interval</c>, <c>constant</c>, <c>textbox</c>, <c>datasource</c>.</summary>
    public string Type => GrafanaJson.Str(Json["type"]) ?? "query";

    /// <summary>The variable's query: a string, or (newer Grafana) an object with a <c>query</c> field.</summary>
    public string Query => Json["query"] is JsonObject o ? GrafanaJson.Str(o["query"]) ?? "" : GrafanaJson.Str(Json["query"]) ?? "";

    public bool Multi => GrafanaJson.Bool(Json["multi"]);
    public bool IncludeAll => GrafanaJson.Bool(Json["includeAll"]);
    public string? CustomAllValue => GrafanaJson.Str(Json["allValue"]) is { Length: > 0 } a ? a : null;
    public string Regex => GrafanaJson.Str(Json["regex"]) ?? "";

    /// <summary>0 shows label and value, 1 hides the label, 2 hides the variable.</summary>
    public int Hide => (int)(GrafanaJson.Num(Json["hide"]) ?? 0);

    /// <summary>The options as last resolved (Grafana keeps them in the JSON), "All" excluded.</summary>
    public IReadOnlyList<string> Options
    {
        get => (Json["options"] as JsonArray ?? []).OfType<JsonObject>().Select(o => ValueText(o["value"])).Where(v => v is not null && v != AllValue).Cast<string>().ToList();
        set
        {
            var arr = new JsonArray();
            if (IncludeAll) arr.Add(new JsonObject { ["text"] = "All", ["value"] = AllValue, ["selected"] = false });
            foreach (var v in value) arr.Add(new JsonObject { ["text"] = v, ["value"] = v, ["selected"] = false });
            Json["options"] = arr;
        }
    }

    /// <summary>The selected values (<see cref="AllValue"/> for All).</summary>
    public IReadOnlyList<string> Current
    {
        get
        {
            var v = (Json["current"] as JsonObject)?["value"];
            if (v is JsonArray a) return a.Select(GrafanaJson.Str).OfType<string>().ToList();
            return GrafanaJson.Str(v) is { } s ? [s] : [];
        }
        set
        {
            var list = value.ToList();
            bool all = list.Contains(AllValue);
            JsonNode text = list.Count == 1 || !Multi ? JsonValue.Create(all ? "All" : list.FirstOrDefault() ?? "")! : new JsonArray(list.Select(x => (JsonNode?)JsonValue.Create(x == AllValue ? "All" : x)).ToArray());
            JsonNode val = Multi ? new JsonArray(list.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()) : JsonValue.Create(list.FirstOrDefault() ?? "")!;
            Json["current"] = new JsonObject { ["selected"] = true, ["text"] = text, ["value"] = val };
        }
    }

    private static string? ValueText(JsonNode? n) => n is JsonArray a ? string.Join(",", a.Select(GrafanaJson.Str)) : GrafanaJson.Str(n);

    /// <summary>A custom variable's values: comma-separated, <c>text : value</c> pairs give the value; commas escaped as <c>\,</c>.</summary>
    public static IReadOnlyList<string> CustomValues(string query)
    {
        var values = new List<string>();
        var sb = new StringBuilder();
        for (int i = 0; i < query.Length; i++)
        {
            if (query[i] == '\\' && i + 1 < query.Length && query[i + 1] == ',') { sb.Append(','); i++; continue; }
            if (query[i] == ',') { Add(); continue; }
            sb.Append(query[i]);
        }
        Add();
        return values;

        void Add()
        {
            var item = sb.ToString().Trim();
            sb.Clear();
            int sep = item.IndexOf(" : ", StringComparison.Ordinal);
            if (sep >= 0) item = item[(sep + 3)..].Trim();
            if (item.Length > 0 && !values.Contains(item)) values.Add(item);
        }
    }

    /// <summary>Applies the variable's regex (<c>/…/flags</c> or bare) to query results: kept when it matches; the first capture group, when present, is the value.</summary>
    public IReadOnlyList<string> FilterByRegex(IEnumerable<string> values)
    {
        var pattern = Regex;
        if (pattern.Length == 0) return values.Distinct(StringComparer.Ordinal).ToList();
        var options = RegexOptions.None;
        if (pattern.Length > 1 && pattern[0] == '/' && pattern.LastIndexOf('/') > 0)
        {
            int end = pattern.LastIndexOf('/');
            if (pattern[(end + 1)..].Contains('i')) options |= RegexOptions.IgnoreCase;
            pattern = pattern[1..end];
        }
        Regex re;
        try { re = new Regex(pattern, options, TimeSpan.FromMilliseconds(200)); }
        catch (ArgumentException) { return values.Distinct(StringComparer.Ordinal).ToList(); }
        var result = new List<string>();
        foreach (var v in values)
        {
            var m = re.Match(v);
            if (!m.Success) continue;
            var value = m.Groups.Count > 1 && m.Groups[1].Success ? m.Groups[1].Value : v;
            if (!result.Contains(value)) result.Add(value);
        }
        return result;
    }
}

/// <summary>A variable's resolved value for interpolation.</summary>
public sealed record VariableValue(IReadOnlyList<string> Values, bool MultiOrAll, bool IsAll = false, string? CustomAll = null);

/// <summary>
/// Grafana's template interpolation for Prometheus queries: <c>$var</c>, <c>${var}</c>, <c>${var:format}</c>,
/// <c>[[var]]</c>, <c>[[var:format]]</c>, and the built-ins <c>$__interval</c>, <c>$__interval_ms</c>,
/// <c>$__rate_interval</c>, <c>$__range</c>, <c>$__range_s</c>, <c>$__range_ms</c>, <c>$__from</c>, <c>$__to</c>.
/// Without a format a multi-value or include-All variable becomes <c>(a|b)</c> with regex metacharacters escaped
/// for a PromQL string (as Grafana's Prometheus data source does); a single-value variable is written with
/// backslashes and single quotes escaped. Unknown variables are left as written.
/// </summary>
public sealed partial class Interpolator(IReadOnlyDictionary<string, VariableValue> variables, IReadOnlyDictionary<string, string> builtins)
{
    [GeneratedRegex(@"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")]
    private static partial Regex VariablePattern();

    public string Interpolate(string text)
    {
        if (text.IndexOf('$') < 0 && text.IndexOf("[[", StringComparison.Ordinal) < 0) return text;
        return VariablePattern().Replace(text, m =>
        {
            string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[4].Value;
            string? format = m.Groups[3].Success ? m.Groups[3].Value : m.Groups[6].Success ? m.Groups[6].Value : null;
            if (builtins.TryGetValue(name, out var b)) return b;
            if (!variables.TryGetValue(name, out var v)) return m.Value;
            if (v.IsAll && v.CustomAll is not null && format is not ("text" or "percentencode")) return v.CustomAll;
            return Format(v, format);
        });
    }

    /// <summary>Writes a value with a Grafana format (<c>csv</c>, <c>pipe</c>, <c>regex</c>, <c>glob</c>, <c>json</c>, <c>raw</c>, <c>text</c>, <c>doublequote</c>, <c>singlequote</c>, <c>queryparam</c>, <c>percentencode</c>) or the Prometheus default.</summary>
    public static string Format(VariableValue v, string? format)
    {
        var values = v.Values;
        switch (format)
        {
            case null:
                if (!v.MultiOrAll) return PromRegularEscape(string.Join(",", values));
                var escaped = values.Select(PromRegexEscape).ToList();
                return escaped.Count == 1 ? escaped[0] : "(" + string.Join("|", escaped) + ")";
            case "csv": case "raw": case "text":
                return string.Join(",", values);
            case "pipe":
                return string.Join("|", values);
            case "regex":
                var r = values.Select(s => System.Text.RegularExpressions.Regex.Escape(s).Replace("/", "\\/", StringComparison.Ordinal)).ToList();
                return r.Count == 1 ? r[0] : "(" + string.Join("|", r) + ")";
            case "glob":
                return values.Count == 1 ? values[0] : "{" + string.Join(",", values) + "}";
            case "json":
                return new JsonArray(values.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()).ToJsonString();
            case "doublequote":
                return string.Join(",", values.Select(s => "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
            case "singlequote":
                return string.Join(",", values.Select(s => "'" + s.Replace("'", "\\'", StringComparison.Ordinal) + "'"));
            case "queryparam":
                return string.Join("&", values.Select(s => "var-" + Uri.EscapeDataString(s)));
            case "percentencode":
                return Uri.EscapeDataString(string.Join(",", values));
            default:
                return string.Join(",", values);
        }
    }

    /// <summary>Grafana's escape for a single value in a PromQL string: <c>\</c> → <c>\\</c>, <c>'</c> → <c>\\'</c>.</summary>
    public static string PromRegularEscape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\\\'", StringComparison.Ordinal);

    /// <summary>Grafana's escape for one alternative of a regex inside a PromQL string: metacharacters get <c>\\</c>.</summary>
    public static string PromRegexEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c == '\\') sb.Append("\\\\\\\\");
            else if ("$^*{}[]'+?.()|".Contains(c)) sb.Append("\\\\").Append(c);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The built-in variables for a range and step: <c>$__interval</c> (the step as a duration), <c>$__rate_interval</c>
    /// (max(interval + scrape interval, 4 × scrape interval), as Grafana computes it), <c>$__range</c> (seconds, e.g.
    /// <c>3600s</c>) and their <c>_ms</c>/<c>_s</c> forms, <c>$__from</c>/<c>$__to</c> (Unix milliseconds).
    /// </summary>
    public static Dictionary<string, string> Builtins(long startMs, long endMs, long intervalMs, long scrapeIntervalMs)
    {
        long rangeMs = endMs - startMs;
        long rangeS = (long)Math.Round(rangeMs / 1000.0);
        long rate = Math.Max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["__interval"] = PromDuration.Format(intervalMs),
            ["__interval_ms"] = intervalMs.ToString(CultureInfo.InvariantCulture),
            ["__rate_interval"] = PromDuration.Format(rate),
            ["__rate_interval_ms"] = rate.ToString(CultureInfo.InvariantCulture),
            ["__range"] = rangeS.ToString(CultureInfo.InvariantCulture) + "s",
            ["__range_s"] = rangeS.ToString(CultureInfo.InvariantCulture),
            ["__range_ms"] = rangeMs.ToString(CultureInfo.InvariantCulture),
            ["__from"] = startMs.ToString(CultureInfo.InvariantCulture),
            ["__to"] = endMs.ToString(CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>Grafana's step (interval) arithmetic for Prometheus queries.</summary>
public static class Intervals
{
    private static readonly long[] Nice =
    [
        10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
        900_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
        2_592_000_000, 31_536_000_000,
    ];

    /// <summary>The nice interval nearest to <paramref name="ms"/> (10ms … 1y), as Grafana rounds <c>$__interval</c>.</summary>
    public static long Round(long ms)
    {
        long best = Nice[0];
        foreach (var n in Nice)
            if (Math.Abs(Math.Log((double)n / Math.Max(1, ms))) < Math.Abs(Math.Log((double)best / Math.Max(1, ms)))) best = n;
        return best;
    }

    /// <summary>
    /// The interval of a panel: range / max data points rounded to a nice value, at least <paramref name="minIntervalMs"/>.
    /// </summary>
    public static long Calculate(long rangeMs, int maxDataPoints, long minIntervalMs)
    {
        long raw = rangeMs / Math.Max(1, maxDataPoints);
        return Math.Max(Round(raw), minIntervalMs);
    }

    /// <summary>
    /// A query's step: max(interval × intervalFactor, the query's min step, range / 11000 rounded up to seconds),
    /// as Grafana's <c>adjustInterval</c>.
    /// </summary>
    public static long Step(long intervalMs, int intervalFactor, long minStepMs, long rangeMs)
    {
        double safe = rangeMs / 11000.0;
        long safeMs = safe > 1000 ? (long)Math.Ceiling(safe / 1000) * 1000 : (long)Math.Ceiling(safe);
        return Math.Max(Math.Max(intervalMs * intervalFactor, minStepMs), Math.Max(1, safeMs));
    }

    /// <summary>Parses a min step such as <c>30s</c> or <c>&gt;30s</c>; 0 when empty or invalid.</summary>
    public static long ParseMinStep(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        var t = text.Trim().TrimStart('>');
        return PromDuration.TryParse(t, out var ms, out _) && ms > 0 ? ms : 0;
    }
}
