using System.Globalization;
using System.Text;

namespace Portal.Ingest.TextParse;

/// <summary>
/// Float parsing and printing with Go's rules, as Prometheus uses them: <c>strconv.ParseFloat</c> restricted to
/// pre-Go-1.13 syntax (no hex floats, no underscores), and <c>strconv.FormatFloat(f, 'g', -1, 64)</c>.
/// </summary>
public static class GoFloat
{
    /// <summary>Parses ASCII/UTF-8 text. Accepts <c>[+-]inf</c>, <c>[+-]infinity</c> and <c>nan</c> in any case; refuses out-of-range values.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        if (TryPlainDecimal(s, out value)) return true;
        if (TrySpecial(s, out value)) return true;
        bool digit = false;
        for (int i = 0; i < s.Length; i++)
        {
            byte c = s[i];
            if (c is >= (byte)'0' and <= (byte)'9') { digit = true; continue; }
            if (c is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-') continue;
            return false;
        }
        if (!digit) return false;
        if (!double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value))
            return false;
        return !double.IsInfinity(value);
    }

    /// <summary>Exact powers of ten as doubles (10^22 is the largest a double holds exactly).</summary>
    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// The common case of exposition values, <c>[-+]digits[.digits]</c> with at most 15 significant digits: the digits
    /// as an integer below 2^53 and a power of ten up to 10^22 are both exact doubles, so their quotient is the
    /// correctly rounded value (the same double a full parse gives). Anything else goes to the full parser.
    /// </summary>
    private static bool TryPlainDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (s[0] is (byte)'-' or (byte)'+')
        {
            negative = s[0] == '-';
            i = 1;
        }
        ulong mantissa = 0;
        int digits = 0, fraction = -1;
        bool any = false;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d <= 9)
            {
                any = true;
                if (mantissa != 0 || d != 0) digits++;
                if (digits > 15) return false;
                mantissa = mantissa * 10 + d;
                if (fraction >= 0) fraction++;
            }
            else if (s[i] == '.' && fraction < 0) fraction = 0;
            else return false;
        }
        if (!any || fraction > 22) return false;
        double v = mantissa;
        if (fraction > 0) v /= ExactPowersOfTen[fraction];
        value = negative ? -v : v;
        return true;
    }

    private static bool TrySpecial(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int sign = 1;
        var t = s;
        if (t[0] is (byte)'+' or (byte)'-')
        {
            if (t[0] == '-') sign = -1;
            t = t[1..];
            if (t.IsEmpty) return false;
        }
        else if (EqualsIgnoreCase(t, "nan"u8))
        {
            value = double.NaN;
            return true;
        }
        if (EqualsIgnoreCase(t, "inf"u8) || EqualsIgnoreCase(t, "infinity"u8))
        {
            value = sign > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            return true;
        }
        return false;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lower)
    {
        if (a.Length != lower.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if ((a[i] | 0x20) != lower[i]) return false;
        return true;
    }

    /// <summary>Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c>: shortest round-trip digits; exponent form below 1e-4 and from 1e21.</summary>
    public static string Format(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return BitConverter.DoubleToInt64Bits(v) < 0 ? "-0" : "0";
        // "E16" is not shortest; "R" is shortest in .NET Core 3.0+. Extract its digits and exponent.
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(24);
        bool neg = r[0] == '-';
        var digits = new StringBuilder(20);
        int exp10 = 0; // value = 0.d1d2d3... * 10^pointPos
        int pointPos = -1;
        int i = neg ? 1 : 0;
        int seen = 0;
        for (; i < r.Length; i++)
        {
            char c = r[i];
            if (c == '.') { pointPos = seen; continue; }
            if (c is 'E' or 'e')
            {
                exp10 = int.Parse(r.AsSpan(i + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            digits.Append(c);
            seen++;
        }
        if (pointPos < 0) pointPos = seen;
        // Strip leading zeros (e.g. "0.001").
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; pointPos--; }
        var d = digits.ToString(lead, digits.Length - lead).TrimEnd('0');
        if (d.Length == 0) d = "0";
        int dp = pointPos + exp10; // decimal point position relative to digits
        int x = dp - 1; // exponent in d.ddd form
        if (neg) sb.Append('-');
        if (x < -4 || x >= 21)
        {
            sb.Append(d[0]);
            if (d.Length > 1) sb.Append('.').Append(d, 1, d.Length - 1);
            sb.Append('e').Append(x < 0 ? '-' : '+');
            int ax = Math.Abs(x);
            if (ax < 10) sb.Append('0');
            sb.Append(ax.ToString(CultureInfo.InvariantCulture));
        }
        else if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(d);
        }
        else if (dp >= d.Length)
        {
            sb.Append(d).Append('0', dp - d.Length);
        }
        else
        {
            sb.Append(d, 0, dp).Append('.').Append(d, dp, d.Length - dp);
        }
        return sb.ToString();
    }

    /// <summary>OpenMetrics' canonical rendering for <c>le</c> and <c>quantile</c>: Go's shortest form, with ".0" added to integers.</summary>
    public static string FormatOpenMetrics(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        var s = Format(v);
        return s.AsSpan().IndexOfAny('e', '.') >= 0 ? s : s + ".0";
    }
}
