using System.Globalization;

namespace Portal.Web.Dashboards;

/// <summary>
/// Value formatting with Grafana unit ids (the subset the panel editor offers; an unknown id is written as a suffix).
/// wwwroot/js/portal-dashboard.js formats chart axes the same way.
/// </summary>
public static class UnitFormat
{
    /// <summary>Units offered in the panel editor: (id, label).</summary>
    public static readonly IReadOnlyList<(string Id, string Label)> Choices =
    [
        ("short", "Short (K, Mil)"), ("none", "Number"), ("percent", "Percent (0-100)"), ("percentunit", "Percent (0.0-1.0)"),
        ("bytes", "Bytes (IEC)"), ("decbytes", "Bytes (SI)"), ("bits", "Bits (IEC)"), ("Bps", "Bytes/sec (IEC)"), ("decBps", "Bytes/sec (SI)"),
        ("bps", "Bits/sec (IEC)"), ("decbps", "Bits/sec (SI)"), ("ns", "Nanoseconds"), ("us", "Microseconds"), ("ms", "Milliseconds"),
        ("s", "Seconds"), ("m", "Minutes"), ("h", "Hours"), ("d", "Days"), ("reqps", "Requests/sec"), ("ops", "Ops/sec"),
        ("hertz", "Hertz"), ("celsius", "Celsius"),
    ];

    private static string Fixed(double v, int? decimals)
    {
        if (decimals is { } d) return v.ToString("F" + Math.Clamp(d, 0, 10), CultureInfo.InvariantCulture);
        double a = Math.Abs(v);
        int digits = a == 0 ? 0 : a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
        return Math.Round(v, digits).ToString(CultureInfo.InvariantCulture);
    }

    private static string Scaled(double v, double step, string[] suffixes, int? decimals)
    {
        int i = 0;
        while (Math.Abs(v) >= step && i < suffixes.Length - 1) { v /= step; i++; }
        return Fixed(v, decimals) + suffixes[i];
    }

    private static string Duration(double v, double unitMs, int? decimals)
    {
        double ms = v * unitMs, a = Math.Abs(ms);
        if (a < 1e-3) return Fixed(ms * 1e6, decimals) + " ns";
        if (a < 1) return Fixed(ms * 1e3, decimals) + " µs";
        if (a < 1000) return Fixed(ms, decimals) + " ms";
        if (a < 60_000) return Fixed(ms / 1000, decimals) + " s";
        if (a < 3_600_000) return Fixed(ms / 60_000, decimals) + " min";
        if (a < 86_400_000) return Fixed(ms / 3_600_000, decimals) + " hour";
        return Fixed(ms / 86_400_000, decimals) + " day";
    }

    /// <summary>The value as Grafana would show it with <paramref name="unit"/> (empty = <c>short</c>); "No data" for null.</summary>
    public static string Format(double? value, string? unit, int? decimals = null)
    {
        if (value is not { } v) return "No data";
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "+Inf" : "-Inf";
        return (string.IsNullOrEmpty(unit) ? "short" : unit) switch
        {
            "none" => Fixed(v, decimals),
            "short" => Math.Abs(v) < 1000 ? Fixed(v, decimals) : Scaled(v, 1000, ["", " K", " Mil", " Bil", " Tri"], decimals),
            "percent" => Fixed(v, decimals) + "%",
            "percentunit" => Fixed(v * 100, decimals) + "%",
            "bytes" => Scaled(v, 1024, [" B", " KiB", " MiB", " GiB", " TiB", " PiB"], decimals),
            "decbytes" => Scaled(v, 1000, [" B", " kB", " MB", " GB", " TB", " PB"], decimals),
            "bits" => Scaled(v, 1024, [" b", " Kib", " Mib", " Gib", " Tib"], decimals),
            "decbits" => Scaled(v, 1000, [" b", " kb", " Mb", " Gb", " Tb"], decimals),
            "Bps" or "binBps" => Scaled(v, 1024, [" B/s", " KiB/s", " MiB/s", " GiB/s", " TiB/s"], decimals),
            "decBps" => Scaled(v, 1000, [" B/s", " kB/s", " MB/s", " GB/s", " TB/s"], decimals),
            "bps" or "binbps" => Scaled(v, 1024, [" b/s", " Kib/s", " Mib/s", " Gib/s"], decimals),
            "decbps" => Scaled(v, 1000, [" b/s", " kb/s", " Mb/s", " Gb/s"], decimals),
            "ns" => Duration(v, 1e-6, decimals),
            "us" or "µs" => Duration(v, 1e-3, decimals),
            "ms" => Duration(v, 1, decimals),
            "s" => Duration(v, 1000, decimals),
            "m" => Duration(v, 60_000, decimals),
            "h" => Duration(v, 3_600_000, decimals),
            "d" => Duration(v, 86_400_000, decimals),
            "reqps" => Fixed(v, decimals) + " req/s",
            "ops" => Fixed(v, decimals) + " ops/s",
            "hertz" => Scaled(v, 1000, [" Hz", " kHz", " MHz", " GHz"], decimals),
            "celsius" => Fixed(v, decimals) + " °C",
            var other => Fixed(v, decimals) + " " + other,
        };
    }

    private static readonly Dictionary<string, string> Named = new(StringComparer.Ordinal)
    {
        ["green"] = "#73bf69", ["red"] = "#f2495c", ["orange"] = "#ff9830", ["yellow"] = "#fade2a", ["blue"] = "#5794f2", ["purple"] = "#b877d9",
        ["dark-green"] = "#37872d", ["dark-red"] = "#c4162a", ["dark-orange"] = "#fa6400", ["dark-yellow"] = "#e0b400", ["dark-blue"] = "#1f60c4",
        ["semi-dark-green"] = "#56a64b", ["semi-dark-red"] = "#e02f44", ["semi-dark-orange"] = "#ff780a", ["semi-dark-yellow"] = "#f2cc0c",
        ["light-green"] = "#96d98d", ["light-red"] = "#ff7383", ["light-orange"] = "#ffb357", ["light-yellow"] = "#ffee52", ["text"] = "#ccccdc",
    };

    /// <summary>A Grafana colour (named like <c>green</c>, <c>dark-red</c>, or CSS) as CSS.</summary>
    public static string Css(string color) => Named.TryGetValue(color, out var c) ? c : color;

    /// <summary>The colour of the threshold step <paramref name="value"/> falls in.</summary>
    public static string ThresholdColor(double? value, IReadOnlyList<ThresholdStep> steps)
    {
        var color = steps.Count > 0 ? steps[0].Color : "green";
        if (value is { } v)
            foreach (var s in steps)
                if (s.Value is null || v >= s.Value) color = s.Color;
        return Css(color);
    }
}
