using System.Collections;
using System.Globalization;
using Portal.Model;

namespace Portal.Rules.Templates;

/// <summary>One sample of a template query result: <c>.Labels</c> (metric name under <c>__name__</c>) and <c>.Value</c>.</summary>
public sealed class TemplateSample(Dictionary<string, string> labels, double value)
{
    public Dictionary<string, string> Labels { get; } = labels;
    public double Value { get; } = value;

    public static TemplateSample From(Labels labels, double value)
    {
        var map = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (var l in labels) map[l.Name] = l.Value;
        return new TemplateSample(map, value);
    }
}

/// <summary>Runs a PromQL instant query for the <c>query</c> template function; throws with the query's error message.</summary>
public delegate IReadOnlyList<TemplateSample> TemplateQueryFunc(string query, long timestampMs, CancellationToken ct);

/// <summary>
/// Prometheus's template functions (template_reference.md): query, first, label, value, strvalue, sortByLabel,
/// args, humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp, toTime, toDuration,
/// now, title, toUpper, toLower, match, reReplaceAll, stripPort, stripDomain, graphLink, tableLink,
/// parseDuration, urlQueryEscape, safeHtml, pathPrefix, externalURL.
/// </summary>
public static class PrometheusTemplateFunctions
{
    private static readonly string[] Big = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
    private static readonly string[] Big1024 = ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];
    private static readonly string[] Small = ["m", "u", "n", "p", "f", "a", "z", "y"];

    /// <summary>
    /// The function set for one expansion. <paramref name="query"/> may be null (then <c>query</c> fails);
    /// <paramref name="timestampMs"/> is the evaluation time queries and <c>now</c> use; <paramref name="externalUrl"/>
    /// feeds externalURL and pathPrefix.
    /// </summary>
    public static TemplateFunctions Create(TemplateQueryFunc? query, long timestampMs, string? externalUrl, CancellationToken ct = default)
    {
        var f = new TemplateFunctions();
        f.Add("query", 1, 1, a =>
        {
            var q = TemplateFunctions.ArgString(a[0]);
            if (query is null) throw new InvalidOperationException("queries are not available here");
            return new List<TemplateSample>(query(q, timestampMs, ct));
        });
        f.Add("first", 1, 1, a =>
        {
            var v = AsSamples(a[0]);
            if (v.Count > 0) return v[0];
            throw new InvalidOperationException("first() called on vector with no elements");
        });
        f.Add("label", 2, 2, a => AsSample(a[1]).Labels.GetValueOrDefault(TemplateFunctions.ArgString(a[0]), ""));
        f.Add("value", 1, 1, a => AsSample(a[0]).Value);
        f.Add("strvalue", 1, 1, a => AsSample(a[0]).Labels.GetValueOrDefault("__value__", ""));
        f.Add("sortByLabel", 2, 2, a =>
        {
            var label = TemplateFunctions.ArgString(a[0]);
            var v = AsSamples(a[1]);
            var sorted = new List<TemplateSample>(v.Count);
            foreach (var e in v) sorted.Add(AsSample(e));
            var keyed = new List<(string Key, int Index, TemplateSample S)>(sorted.Count);
            for (int i = 0; i < sorted.Count; i++) keyed.Add((sorted[i].Labels.GetValueOrDefault(label, ""), i, sorted[i]));
            keyed.Sort(static (x, y) =>
            {
                int c = string.CompareOrdinal(x.Key, y.Key);
                return c != 0 ? c : x.Index.CompareTo(y.Index);
            });
            for (int i = 0; i < keyed.Count; i++) sorted[i] = keyed[i].S;
            return sorted;
        });
        f.Add("args", 0, -1, a =>
        {
            var m = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < a.Length; i++) m["arg" + i.ToString(CultureInfo.InvariantCulture)] = a[i];
            return m;
        });
        f.Add("reReplaceAll", 3, 3, a => TemplateText.ReplaceAll(TemplateFunctions.ArgString(a[0]), TemplateFunctions.ArgString(a[1]), TemplateFunctions.ArgString(a[2])));
        f.Add("safeHtml", 1, 1, a => new SafeHtml(TemplateFunctions.ArgString(a[0])));
        f.Add("match", 2, 2, a => TemplateText.Compile(TemplateFunctions.ArgString(a[0])).IsMatch(TemplateFunctions.ArgString(a[1])));
        f.Add("title", 1, 1, a => TemplateText.Title(TemplateFunctions.ArgString(a[0]), lowerRest: false));
        f.Add("toUpper", 1, 1, a => TemplateFunctions.ArgString(a[0]).ToUpperInvariant());
        f.Add("toLower", 1, 1, a => TemplateFunctions.ArgString(a[0]).ToLowerInvariant());
        f.Add("graphLink", 1, 1, a => "/graph?g0.expr=" + GoFormat.QueryEscape(TemplateFunctions.ArgString(a[0])) + "&g0.tab=0");
        f.Add("tableLink", 1, 1, a => "/graph?g0.expr=" + GoFormat.QueryEscape(TemplateFunctions.ArgString(a[0])) + "&g0.tab=1");
        f.Add("humanize", 1, 1, a => Humanize(TemplateFunctions.ToFloat(a[0])));
        f.Add("humanize1024", 1, 1, a => Humanize1024(TemplateFunctions.ToFloat(a[0])));
        f.Add("humanizeDuration", 1, 1, a => HumanizeDuration(TemplateFunctions.ToFloat(a[0])));
        f.Add("humanizePercentage", 1, 1, a => GoFormat.FormatFloat(TemplateFunctions.ToFloat(a[0]) * 100, 'g', 4) + "%");
        f.Add("humanizeTimestamp", 1, 1, a => HumanizeTimestamp(TemplateFunctions.ToFloat(a[0])));
        f.Add("toTime", 1, 1, a => FloatToTime(TemplateFunctions.ToFloat(a[0])) ?? throw new InvalidOperationException("value is NaN or Inf"));
        f.Add("toDuration", 1, 1, a => new GoDuration((long)(TemplateFunctions.ToFloat(a[0]) * 1e9)));
        f.Add("now", 0, 0, _ => timestampMs / 1000.0);
        f.Add("pathPrefix", 0, 0, _ => PathOf(externalUrl));
        f.Add("externalURL", 0, 0, _ => externalUrl ?? "");
        f.Add("parseDuration", 1, 1, a =>
        {
            var s = TemplateFunctions.ArgString(a[0]);
            if (!PromDuration.TryParse(s, out long ms, out var err)) throw new FormatException(err ?? $"not a valid duration string: {GoFormat.Quote(s)}");
            return ms / 1000.0;
        });
        f.Add("stripPort", 1, 1, a => TemplateText.StripPort(TemplateFunctions.ArgString(a[0])));
        f.Add("stripDomain", 1, 1, a => TemplateText.StripDomain(TemplateFunctions.ArgString(a[0])));
        f.Add("urlQueryEscape", 1, 1, a => GoFormat.QueryEscape(TemplateFunctions.ArgString(a[0])));
        return f;
    }

    /// <summary>The path of a URL as Go's url.URL.Path: "" when the URL has none.</summary>
    private static string PathOf(string? url)
    {
        if (string.IsNullOrEmpty(url)) return "";
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        int start = scheme < 0 ? 0 : url.IndexOf('/', scheme + 3);
        if (start < 0) return "";
        int end = url.IndexOfAny(['?', '#'], start);
        return Uri.UnescapeDataString(end < 0 ? url[start..] : url[start..end]);
    }

    private static IList AsSamples(object? v) => v switch
    {
        IList l => l,
        _ => throw new TemplateArgumentException($"wrong type for value; expected template.queryResult; got {GoFormat.TypeName(v)}"),
    };

    private static TemplateSample AsSample(object? v) => v switch
    {
        TemplateSample s => s,
        _ => throw new TemplateArgumentException($"wrong type for value; expected *template.sample; got {GoFormat.TypeName(v)}"),
    };

    private static string G4(double v) => GoFormat.FormatFloat(v, 'g', 4);

    /// <summary>Metric-prefix form with 4 significant digits: 1234567 → "1.235M", 0.12 → "120m".</summary>
    public static string Humanize(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v)) return G4(v);
        if (Math.Abs(v) >= 1)
        {
            string prefix = "";
            foreach (var p in Big)
            {
                if (Math.Abs(v) < 1000) break;
                prefix = p;
                v /= 1000;
            }
            return G4(v) + prefix;
        }
        string sp = "";
        foreach (var p in Small)
        {
            if (Math.Abs(v) >= 1) break;
            sp = p;
            v *= 1000;
        }
        return G4(v) + sp;
    }

    /// <summary>Binary-prefix form: 1048576 → "1Mi"; |v| ≤ 1 unchanged.</summary>
    public static string Humanize1024(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v)) return G4(v);
        string prefix = "";
        foreach (var p in Big1024)
        {
            if (Math.Abs(v) < 1024) break;
            prefix = p;
            v /= 1024;
        }
        return G4(v) + prefix;
    }

    /// <summary>Seconds as "1d 2h 3m 4s", "1.234s" or "100ms".</summary>
    public static string HumanizeDuration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v)) return G4(v);
        if (v == 0) return G4(v) + "s";
        if (Math.Abs(v) >= 1)
        {
            string sign = "";
            if (v < 0)
            {
                sign = "-";
                v = -v;
            }
            long whole = (long)v;
            long seconds = whole % 60, minutes = whole / 60 % 60, hours = whole / 60 / 60 % 24, days = whole / 60 / 60 / 24;
            var inv = CultureInfo.InvariantCulture;
            if (days != 0) return string.Create(inv, $"{sign}{days}d {hours}h {minutes}m {seconds}s");
            if (hours != 0) return string.Create(inv, $"{sign}{hours}h {minutes}m {seconds}s");
            if (minutes != 0) return string.Create(inv, $"{sign}{minutes}m {seconds}s");
            return sign + G4(v) + "s";
        }
        string prefix = "";
        foreach (var p in Small)
        {
            if (Math.Abs(v) >= 1) break;
            prefix = p;
            v *= 1000;
        }
        return G4(v) + prefix + "s";
    }

    /// <summary>Unix seconds as Go prints a UTC time (millisecond precision, as Prometheus's model.Time).</summary>
    public static string HumanizeTimestamp(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v)) return G4(v);
        return FloatToTime(v)!.ToString();
    }

    private static GoTime? FloatToTime(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v)) return null;
        double ns = v * 1e9;
        if (ns > long.MaxValue || ns < long.MinValue)
            throw new InvalidOperationException($"{GoFormat.Print(v)} cannot be represented as a nanoseconds timestamp since it overflows int64");
        long ms = (long)ns / 1_000_000;
        return GoTime.FromUnixMilliseconds(ms);
    }
}
