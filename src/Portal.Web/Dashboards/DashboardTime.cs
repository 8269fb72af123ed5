using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Model;

namespace Portal.Web.Dashboards;

/// <summary>
/// A dashboard's time range as Grafana writes it: <c>from</c>/<c>to</c> each either relative (<c>now</c>, <c>now-6h</c>,
/// <c>now-1d/d</c>, <c>now/w</c>) or absolute (ISO 8601, or Unix milliseconds). Immutable.
/// </summary>
public sealed partial record DashboardTime(string From, string To)
{
    /// <summary>The relative choices of the picker, as Grafana offers them.</summary>
    public static readonly IReadOnlyList<(string From, string Label)> Quick =
    [
        ("now-5m", "Last 5 minutes"), ("now-15m", "Last 15 minutes"), ("now-30m", "Last 30 minutes"), ("now-1h", "Last 1 hour"),
        ("now-3h", "Last 3 hours"), ("now-6h", "Last 6 hours"), ("now-12h", "Last 12 hours"), ("now-24h", "Last 24 hours"),
        ("now-2d", "Last 2 days"), ("now-7d", "Last 7 days"), ("now-30d", "Last 30 days"),
    ];

    /// <summary>Auto-refresh choices; empty means off.</summary>
    public static readonly IReadOnlyList<string> RefreshChoices = ["", "5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h"];

    public static DashboardTime Default { get; } = new("now-6h", "now");

    public bool IsRelative => To.Trim() == "now" && From.TrimStart().StartsWith("now", StringComparison.Ordinal);

    /// <summary>What the picker shows: "Last 6 hours" or "2024-01-01 10:00:00 to 2024-01-01 12:00:00".</summary>
    public string Display(DateTimeOffset now)
    {
        if (To.Trim() == "now")
            foreach (var (f, label) in Quick)
                if (f == From.Trim()) return label;
        if (IsRelative) return $"{From} to {To}";
        if (TryResolve(now, out var s, out var e, out _))
            return $"{Fmt(s)} to {Fmt(e)}";
        return $"{From} to {To}";
    }

    private static string Fmt(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Start and end in Unix milliseconds as of <paramref name="now"/>; false with a message when either end does not parse or the range is empty.</summary>
    public bool TryResolve(DateTimeOffset now, out long startMs, out long endMs, out string? error)
    {
        startMs = endMs = 0;
        if (!TryParsePoint(From, now, roundUp: false, out startMs, out error)) { error = $"from: {error}"; return false; }
        if (!TryParsePoint(To, now, roundUp: true, out endMs, out error)) { error = $"to: {error}"; return false; }
        if (endMs <= startMs) { error = "the end of the time range must be after its start"; return false; }
        return true;
    }

    [GeneratedRegex(@"^now(?:(?<sign>[+-])(?<n>\d+)(?<unit>ms|s|m|h|d|w|M|y))*(?:/(?<round>s|m|h|d|w|M|y))?$")]
    private static partial Regex RelativePattern();

    [GeneratedRegex(@"(?<sign>[+-])(?<n>\d+)(?<unit>ms|s|m|h|d|w|M|y)")]
    private static partial Regex OffsetPattern();

    /// <summary>
    /// One end of a range: Grafana's date math (<c>now-2h</c>, <c>now-1d/d</c>; with <paramref name="roundUp"/> a rounded
    /// value goes to the end of the unit, as Grafana does for <c>to</c>), ISO 8601 or Unix milliseconds.
    /// </summary>
    public static bool TryParsePoint(string text, DateTimeOffset now, bool roundUp, out long ms, out string? error)
    {
        ms = 0;
        error = null;
        text = text.Trim();
        var m = RelativePattern().Match(text);
        if (m.Success)
        {
            var t = now.ToUniversalTime();
            var body = m.Groups["round"].Success ? text[..text.LastIndexOf('/')] : text;
            foreach (Match o in OffsetPattern().Matches(body))
            {
                int n = int.Parse(o.Groups["n"].Value, CultureInfo.InvariantCulture) * (o.Groups["sign"].Value == "-" ? -1 : 1);
                t = o.Groups["unit"].Value switch
                {
                    "ms" => t.AddMilliseconds(n), "s" => t.AddSeconds(n), "m" => t.AddMinutes(n), "h" => t.AddHours(n),
                    "d" => t.AddDays(n), "w" => t.AddDays(7 * n), "M" => t.AddMonths(n), _ => t.AddYears(n),
                };
            }
            if (m.Groups["round"].Success) t = Round(t, m.Groups["round"].Value, roundUp);
            ms = t.ToUnixTimeMilliseconds();
            return true;
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) && epoch > 0) { ms = epoch; return true; }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var abs))
        {
            ms = abs.ToUnixTimeMilliseconds();
            return true;
        }
        error = $"\"{text}\" is neither relative (now, now-6h, now-1d/d) nor a date (2024-01-31 13:45:00 or ISO 8601)";
        return false;
    }

    private static DateTimeOffset Round(DateTimeOffset t, string unit, bool up)
    {
        var start = unit switch
        {
            "s" => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, TimeSpan.Zero),
            "m" => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero),
            "h" => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero),
            "d" => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero),
            "w" => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            "M" => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(t.Year, 1, 1, 0, 0, 0, TimeSpan.Zero),
        };
        if (!up) return start;
        var next = unit switch
        {
            "s" => start.AddSeconds(1), "m" => start.AddMinutes(1), "h" => start.AddHours(1), "d" => start.AddDays(1),
            "w" => start.AddDays(7), "M" => start.AddMonths(1), _ => start.AddYears(1),
        };
        return next.AddMilliseconds(-1);
    }

    /// <summary>An absolute range from Unix milliseconds, written as ISO 8601 like Grafana's JSON.</summary>
    public static DashboardTime Absolute(long startMs, long endMs) =>
        new(Iso(startMs), Iso(endMs));

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a refresh interval such as <c>30s</c>; null for empty, off or invalid.</summary>
    public static TimeSpan? Refresh(string? text) =>
        !string.IsNullOrWhiteSpace(text) && PromDuration.TryParse(text.Trim(), out var ms, out _) && ms >= 1000 ? TimeSpan.FromMilliseconds(ms) : null;
}
