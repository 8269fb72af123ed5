using System.Globalization;
using System.Text;

namespace Portal.Tsdb.Tools;

/// <summary>Formats floats exactly like Go's <c>fmt</c> <c>%g</c> (shortest digits; exponent form when the decimal exponent is &lt; -4 or ≥ 6).</summary>
public static class GoFloat
{
    /// <summary>Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c>, as <c>%g</c> prints it (NaN, +Inf, -Inf spelled as Go does).</summary>
    public static string G(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return BitConverter.DoubleToInt64Bits(v) < 0 ? "-0" : "0";
        // Shortest round-trip digits from .NET, in scientific form: d.dddE±x.
        string shortest = v.ToString("R", CultureInfo.InvariantCulture);
        // Extract the digits and decimal exponent from the shortest representation.
        bool neg = shortest[0] == '-';
        string s = neg ? shortest[1..] : shortest;
        int ePos = s.IndexOfAny(['E', 'e']);
        int exp10 = 0;
        string mant = s;
        if (ePos >= 0)
        {
            exp10 = int.Parse(s[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mant = s[..ePos];
        }
        int dot = mant.IndexOf('.');
        string intPart = dot >= 0 ? mant[..dot] : mant;
        string frac = dot >= 0 ? mant[(dot + 1)..] : "";
        string digits = (intPart + frac).TrimStart('0');
        int leadingZeros = (intPart + frac).Length - (intPart + frac).TrimStart('0').Length;
        // Decimal point position relative to the first significant digit.
        int dp = intPart.Length + exp10 - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int x = dp - 1;
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        if (x < -4 || x >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(x < 0 ? '-' : '+');
            int ax = Math.Abs(x);
            if (ax < 10) sb.Append('0');
            sb.Append(ax.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }

}
