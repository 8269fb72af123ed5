using System.Globalization;
using System.Text;

namespace Portal.Model;

/// <summary>
/// Prometheus's duration syntax: one or more <c>&lt;number&gt;&lt;unit&gt;</c> with units y, w, d, h, m, s, ms
/// in that order, each at most once (<c>1h30m</c>, <c>90s</c>, <c>0</c>). A year is 365 days.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000),
        ("w", 7L * 24 * 3600 * 1000),
        ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000),
        ("m", 60L * 1000),
        ("s", 1000L),
        ("ms", 1L),
    ];

    /// <summary>Parses a duration to milliseconds; false with a reason when the text is not one.</summary>
    public static bool TryParse(string text, out long milliseconds, out string? error)
    {
        milliseconds = 0;
        error = null;
        if (text == "0") return true;
        if (text.Length == 0)
        {
            error = "empty duration string";
            return false;
        }
        int pos = 0;
        int lastUnit = -1;
        while (pos < text.Length)
        {
            int start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
            if (pos == start)
            {
                error = $"not a valid duration string: \"{text}\"";
                return false;
            }
            if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                error = $"duration out of range: \"{text}\"";
                return false;
            }
            int unitStart = pos;
            while (pos < text.Length && char.IsAsciiLetter(text[pos])) pos++;
            var unit = text.AsSpan(unitStart, pos - unitStart);
            int u = -1;
            for (int i = 0; i < Units.Length; i++)
                if (unit.SequenceEqual(Units[i].Unit)) { u = i; break; }
            if (u < 0 || u <= lastUnit)
            {
                error = $"not a valid duration string: \"{text}\"";
                return false;
            }
            lastUnit = u;
            try
            {
                milliseconds = checked(milliseconds + checked(n * Units[u].Ms));
            }
            catch (OverflowException)
            {
                error = $"duration out of range: \"{text}\"";
                return false;
            }
        }
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> with the reason.</summary>
    public static long Parse(string text) =>
        TryParse(text, out var ms, out var error) ? ms : throw new FormatException(error);

    public static TimeSpan ParseTimeSpan(string text) => TimeSpan.FromMilliseconds(Parse(text));

    /// <summary>Formats milliseconds the way Prometheus prints durations (<c>1h30m</c>, <c>0s</c>, <c>1y</c>).</summary>
    public static string Format(long milliseconds)
    {
        if (milliseconds == 0) return "0s";
        var sb = new StringBuilder();
        if (milliseconds < 0)
        {
            sb.Append('-');
            milliseconds = -milliseconds;
        }
        foreach (var (unit, ms) in Units)
        {
            long n = milliseconds / ms;
            if (n > 0)
            {
                sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
                milliseconds -= n * ms;
            }
        }
        return sb.ToString();
    }

    public static string Format(TimeSpan span) => Format((long)span.TotalMilliseconds);
}
