using System.Globalization;
using System.Text;

namespace Portal.Web.Api;

/// <summary>Numbers and times written exactly as Prometheus's HTTP API writes them.</summary>
public static class PromFormat
{
    /// <summary>
    /// A sample value as Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: the shortest digits that
    /// round-trip, never in exponent form; "NaN", "+Inf", "-Inf".
    /// </summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0) return r;
        var mantissa = r[..e];
        int exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        bool negative = mantissa.StartsWith('-');
        if (negative) mantissa = mantissa[1..];
        int dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var sb = new StringBuilder(digits.Length + Math.Abs(exponent) + 3);
        if (negative) sb.Append('-');
        if (point <= 0) sb.Append("0.").Append('0', -point).Append(digits);
        else if (point >= digits.Length) sb.Append(digits).Append('0', point - digits.Length);
        else sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        return sb.ToString();
    }

    /// <summary>A millisecond timestamp as the API's float seconds: <c>1435781451.781</c>, <c>1435781451</c>.</summary>
    public static void WriteTimestamp(System.Text.Json.Utf8JsonWriter w, long ms)
    {
        Span<byte> buf = stackalloc byte[32];
        int n = FormatTimestamp(ms, buf);
        w.WriteRawValue(buf[..n], skipInputValidation: true);
    }

    internal static int FormatTimestamp(long ms, Span<byte> buf)
    {
        int pos = 0;
        if (ms < 0)
        {
            buf[pos++] = (byte)'-';
            ms = -ms;
        }
        long seconds = ms / 1000;
        int frac = (int)(ms % 1000);
        seconds.TryFormat(buf[pos..], out int written, default, CultureInfo.InvariantCulture);
        pos += written;
        if (frac != 0)
        {
            buf[pos++] = (byte)'.';
            buf[pos++] = (byte)('0' + frac / 100);
            if (frac % 100 != 0)
            {
                buf[pos++] = (byte)('0' + frac / 10 % 10);
                if (frac % 10 != 0) buf[pos++] = (byte)('0' + frac % 10);
            }
        }
        return pos;
    }

    public static string Timestamp(long ms)
    {
        Span<byte> buf = stackalloc byte[32];
        int n = FormatTimestamp(ms, buf);
        return Encoding.ASCII.GetString(buf[..n]);
    }

    /// <summary>RFC 3339 with milliseconds in UTC, as Prometheus prints times in JSON objects.</summary>
    public static string Rfc3339(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
