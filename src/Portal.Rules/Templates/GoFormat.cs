using System.Collections;
using System.Globalization;
using System.Text;

namespace Portal.Rules.Templates;

/// <summary>
/// Go's <c>fmt</c> and <c>strconv</c> formatting for the values templates handle: floats as <c>%v</c>,
/// <c>%g</c>, <c>%e</c>, <c>%f</c> print them, <c>fmt.Sprint</c>/<c>Sprintf</c>/<c>Sprintln</c>, Go string
/// quoting, and Go's type names for error messages. Stateless and thread-safe.
/// </summary>
public static class GoFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Go's name for the type of a template value ("int", "float64", "string", "map[string]string", …).</summary>
    public static string TypeName(object? v) => v switch
    {
        null => "<nil>",
        string => "string",
        long => "int",
        double => "float64",
        bool => "bool",
        GoTime => "time.Time",
        GoDuration => "time.Duration",
        SafeHtml => "template.HTML",
        IDictionary d => "map[string]" + ElementTypeName(d.GetType(), true),
        IList l => "[]" + ElementTypeName(l.GetType(), false),
        _ => v.GetType().Name,
    };

    private static string ElementTypeName(Type t, bool map)
    {
        Type? elem = null;
        if (t.IsArray) elem = t.GetElementType();
        else if (t.IsGenericType)
        {
            var args = t.GetGenericArguments();
            elem = map && args.Length == 2 ? args[1] : args.Length == 1 ? args[0] : null;
        }
        return elem == typeof(string) ? "string" : elem == typeof(double) ? "float64" : elem == typeof(long) ? "int" : "interface {}";
    }

    /// <summary>The float as Go's <c>strconv.FormatFloat(v, fmt, prec, 64)</c> with fmt 'e', 'E', 'f', 'g' or 'G' (prec -1: shortest).</summary>
    public static string FormatFloat(double v, char fmt, int prec)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        bool neg = v < 0 || (v == 0 && double.IsNegative(v));
        double abs = Math.Abs(v);
        var sb = new StringBuilder(24);
        if (neg) sb.Append('-');
        switch (fmt)
        {
            case 'f':
            case 'F':
                if (prec < 0)
                {
                    var (d, dp) = Digits(abs, -1);
                    AppendFixed(sb, d, dp, Math.Max(d.Length - dp, 0));
                }
                else sb.Append(abs.ToString("F" + prec.ToString(Inv), Inv));
                break;
            case 'e':
            case 'E':
            {
                var (d, dp) = prec < 0 ? Digits(abs, -1) : Digits(abs, prec + 1);
                AppendExp(sb, d, dp, prec < 0 ? d.Length - 1 : prec, fmt);
                break;
            }
            default:
            {
                bool shortest = prec < 0;
                if (prec == 0) prec = 1;
                var (d, dp) = Digits(abs, shortest ? -1 : prec);
                int eprec = shortest ? 6 : prec;
                if (!shortest && eprec > d.Length && d.Length >= dp) eprec = d.Length;
                int exp = dp - 1;
                if (abs == 0) exp = 0;
                if (exp < -4 || exp >= eprec)
                {
                    int p = shortest ? d.Length : Math.Min(prec, d.Length);
                    AppendExp(sb, d, dp, p - 1, fmt == 'G' ? 'E' : 'e');
                }
                else
                {
                    int p = shortest ? d.Length : prec > dp ? d.Length : prec;
                    AppendFixed(sb, d, dp, Math.Max(p - dp, 0));
                }
                break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The decimal digits of <paramref name="abs"/> (≥ 0) without trailing zeros and the decimal point's position
    /// (value = 0.d1d2… × 10^dp): shortest round-trip digits when <paramref name="sig"/> is -1, else rounded to
    /// <paramref name="sig"/> significant digits. Zero is ("0", 1).
    /// </summary>
    private static (string Digits, int Dp) Digits(double abs, int sig)
    {
        if (abs == 0) return ("0", 1);
        // "R" gives the shortest round-trip digits, in plain or exponent form.
        string s = sig < 0 ? abs.ToString("R", Inv) : abs.ToString("E" + (sig - 1).ToString(Inv), Inv);
        int e = s.IndexOfAny(['E', 'e']);
        string mant = e < 0 ? s : s[..e];
        int exp = e < 0 ? 0 : int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Inv);
        int dot = mant.IndexOf('.');
        string digits = dot < 0 ? mant : mant.Remove(dot, 1);
        int dp = (dot < 0 ? mant.Length : dot) + exp;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; dp--; }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) return ("0", 1);
        return (digits, dp);
    }

    private static void AppendExp(StringBuilder sb, string d, int dp, int frac, char e)
    {
        sb.Append(d[0]);
        if (frac > 0)
        {
            sb.Append('.');
            for (int i = 1; i <= frac; i++) sb.Append(i < d.Length ? d[i] : '0');
        }
        int exp = d == "0" ? 0 : dp - 1;
        sb.Append(e).Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        if (exp < 10) sb.Append('0');
        sb.Append(exp.ToString(Inv));
    }

    private static void AppendFixed(StringBuilder sb, string d, int dp, int frac)
    {
        if (dp <= 0) sb.Append('0');
        else for (int i = 0; i < dp; i++) sb.Append(i < d.Length ? d[i] : '0');
        if (frac > 0)
        {
            sb.Append('.');
            for (int i = 0; i < frac; i++)
            {
                int k = dp + i;
                sb.Append(k >= 0 && k < d.Length ? d[k] : '0');
            }
        }
    }

    /// <summary>A value as <c>fmt.Sprint</c> prints one operand (<c>%v</c>).</summary>
    public static string Print(object? v)
    {
        var sb = new StringBuilder();
        AppendValue(sb, v, false);
        return sb.ToString();
    }

    /// <summary>Appends a value as <c>%v</c> does (<c>%+v</c> when <paramref name="plus"/>).</summary>
    public static void AppendValue(StringBuilder sb, object? v, bool plus)
    {
        switch (v)
        {
            case null: sb.Append("<nil>"); break;
            case string s: sb.Append(s); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: if (plus && l >= 0) sb.Append('+'); sb.Append(l.ToString(Inv)); break;
            case double d:
                var f = FormatFloat(d, 'g', -1);
                if (plus && f[0] != '-' && f[0] != '+') sb.Append('+');
                sb.Append(f);
                break;
            case IDictionary map:
                sb.Append("map[");
                bool first = true;
                foreach (var k in SortedKeys(map))
                {
                    if (!first) sb.Append(' ');
                    first = false;
                    AppendValue(sb, k, plus);
                    sb.Append(':');
                    AppendValue(sb, TemplateValues.Normalize(map[k!]), plus);
                }
                sb.Append(']');
                break;
            case IList list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(' ');
                    AppendValue(sb, TemplateValues.Normalize(list[i]), plus);
                }
                sb.Append(']');
                break;
            default: sb.Append(v.ToString()); break;
        }
    }

    /// <summary>The keys of a map in Go's printing and ranging order (ordinal for strings, numeric for numbers).</summary>
    public static List<object?> SortedKeys(IDictionary map)
    {
        var keys = new List<object?>(map.Count);
        foreach (var k in map.Keys) keys.Add(k);
        keys.Sort(static (a, b) => (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y),
            (IComparable x, _) when b is not null && a!.GetType() == b.GetType() => x.CompareTo(b),
            _ => string.CompareOrdinal(a?.ToString(), b?.ToString()),
        });
        return keys;
    }

    /// <summary><c>fmt.Sprint</c>: operands printed with %v, a space between two operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string) sb.Append(' ');
            AppendValue(sb, args[i], false);
        }
        return sb.ToString();
    }

    /// <summary><c>fmt.Sprintln</c>: operands with %v separated by spaces, then a newline.</summary>
    public static string Sprintln(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < args.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            AppendValue(sb, args[i], false);
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>Go's <c>strconv.Quote</c>: a double-quoted Go string literal.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (r.Value < 0x20 || r.Value == 0x7f) sb.Append("\\x").Append(r.Value.ToString("x2", Inv));
                    else if (Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
                        sb.Append(r.Value > 0xffff ? "\\U" + r.Value.ToString("x8", Inv) : "\\u" + r.Value.ToString("x4", Inv));
                    else sb.Append(r.ToString());
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// <c>fmt.Sprintf</c> for template values: verbs v s q d f F e E g G x X o b t c U and %%, flags
    /// <c>+ - # 0 space</c>, width and precision (including <c>*</c>). Mismatches print as Go does
    /// (<c>%!d(string=x)</c>, <c>%!s(MISSING)</c>, <c>%!(EXTRA …)</c>).
    /// </summary>
    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder(format.Length + 16);
        int argi = 0;
        int i = 0;
        while (i < format.Length)
        {
            char c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                i++;
                continue;
            }
            i++;
            bool minus = false, plus = false, sharp = false, zero = false, space = false;
            for (; i < format.Length; i++)
            {
                char f = format[i];
                if (f == '-') minus = true;
                else if (f == '+') plus = true;
                else if (f == '#') sharp = true;
                else if (f == '0') zero = !minus;
                else if (f == ' ') space = true;
                else break;
            }
            int width = -1, prec = -1;
            if (i < format.Length && format[i] == '*')
            {
                i++;
                if (argi < args.Count && args[argi] is long w) { width = (int)w; if (width < 0) { minus = true; width = -width; } }
                else sb.Append("%!(BADWIDTH)");
                argi++;
            }
            else
            {
                int start = i;
                while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
                if (i > start) width = int.Parse(format.AsSpan(start, i - start), Inv);
            }
            if (i < format.Length && format[i] == '.')
            {
                i++;
                if (i < format.Length && format[i] == '*')
                {
                    i++;
                    if (argi < args.Count && args[argi] is long p && p >= 0) prec = (int)p;
                    else sb.Append("%!(BADPREC)");
                    argi++;
                }
                else
                {
                    int start = i;
                    while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
                    prec = i > start ? int.Parse(format.AsSpan(start, i - start), Inv) : 0;
                }
            }
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            char verb = format[i++];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            if (argi >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }
            var arg = args[argi++];
            string? body = FormatOne(arg, verb, prec, plus, sharp, space);
            if (body is null)
            {
                sb.Append("%!").Append(verb).Append('(');
                if (arg is null) sb.Append("<nil>");
                else sb.Append(TypeName(arg)).Append('=').Append(Print(arg));
                sb.Append(')');
                continue;
            }
            Pad(sb, body, width, minus, zero && verb is not ('s' or 'q' or 'c' or 'v' or 't') || (zero && verb == 'v' && arg is long or double));
        }
        if (argi < args.Count)
        {
            sb.Append("%!(EXTRA ");
            for (int k = argi; k < args.Count; k++)
            {
                if (k > argi) sb.Append(", ");
                if (args[k] is null) sb.Append("<nil>");
                else sb.Append(TypeName(args[k])).Append('=').Append(Print(args[k]));
            }
            sb.Append(')');
        }
        return sb.ToString();
    }

    private static void Pad(StringBuilder sb, string body, int width, bool minus, bool zero)
    {
        int len = body.Length;
        if (width <= len) { sb.Append(body); return; }
        if (minus) { sb.Append(body).Append(' ', width - len); return; }
        if (zero)
        {
            int signLen = body.Length > 0 && body[0] is '-' or '+' or ' ' ? 1 : 0;
            sb.Append(body, 0, signLen).Append('0', width - len).Append(body, signLen, body.Length - signLen);
            return;
        }
        sb.Append(' ', width - len).Append(body);
    }

    private static string? FormatOne(object? arg, char verb, int prec, bool plus, bool sharp, bool space)
    {
        switch (verb)
        {
            case 'v':
                if (arg is double dv && prec >= 0) return Sign(FormatFloat(dv, 'g', prec), plus, space);
                if (arg is long or double) return Sign(Print(arg), plus, space);
                if (arg is string sv && sharp) return Quote(sv);
                { var sb = new StringBuilder(); AppendValue(sb, arg, plus); return sb.ToString(); }
            case 's':
                return arg switch
                {
                    string s => prec >= 0 && prec < s.Length ? s[..prec] : s,
                    long or double or bool or null => null,
                    _ => Print(arg),
                };
            case 'q':
                return arg switch
                {
                    string s => sharp && !s.Contains('`') ? "`" + s + "`" : Quote(s),
                    long l => "'" + (l is >= 0 and <= 0x10FFFF ? Quote(char.ConvertFromUtf32((int)l))[1..^1].Replace("'", "\\'").Replace("\\\"", "\"") : "\uFFFD") + "'",
                    IList or IDictionary or bool or double or null => null,
                    _ => Quote(Print(arg)),
                };
            case 'd':
                return arg is long d ? Sign(d.ToString(Inv), plus, space) : null;
            case 'b':
                return arg is long b ? Sign(b < 0 ? "-" + Convert.ToString(-b, 2) : Convert.ToString(b, 2), plus, space) : null;
            case 'o':
            case 'O':
                if (arg is not long o) return null;
                {
                    string s = Convert.ToString(Math.Abs(o), 8);
                    if (verb == 'O') s = "0o" + s;
                    else if (sharp) s = "0" + s;
                    return Sign(o < 0 ? "-" + s : s, plus, space);
                }
            case 'x':
            case 'X':
                switch (arg)
                {
                    case long x:
                    {
                        string s = Math.Abs(x).ToString(verb == 'x' ? "x" : "X", Inv);
                        if (x == long.MinValue) s = verb == 'x' ? "8000000000000000" : "8000000000000000";
                        if (sharp) s = (verb == 'x' ? "0x" : "0X") + s;
                        return Sign(x < 0 ? "-" + s : s, plus, space);
                    }
                    case string xs:
                    {
                        var bytes = Encoding.UTF8.GetBytes(xs);
                        var h = Convert.ToHexString(bytes);
                        return verb == 'x' ? h.ToLowerInvariant() : h;
                    }
                    default: return null;
                }
            case 'c':
                return arg is long cl && cl is >= 0 and <= 0x10FFFF && !(cl is >= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32((int)cl) : arg is long ? "\uFFFD" : null;
            case 'U':
                return arg is long u ? "U+" + u.ToString("X4", Inv) : null;
            case 't':
                return arg is bool t ? (t ? "true" : "false") : null;
            case 'e':
            case 'E':
            case 'f':
            case 'F':
            case 'g':
            case 'G':
                if (arg is not double fv) return null;
                {
                    int p = prec;
                    if (p < 0 && verb is 'e' or 'E' or 'f' or 'F') p = 6;
                    return Sign(FormatFloat(fv, verb, p), plus, space);
                }
            default:
                return null;
        }
    }

    private static string Sign(string s, bool plus, bool space)
    {
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+')) return s;
        return plus ? "+" + s : space ? " " + s : s;
    }

    /// <summary>Go's <c>url.QueryEscape</c>: spaces become '+', bytes outside A-Z a-z 0-9 - _ . ~ become %XX.</summary>
    public static string QueryEscape(string s) => UrlEscape(s, true);

    /// <summary>Go's <c>url.PathEscape</c>.</summary>
    public static string PathEscape(string s) => UrlEscape(s, false);

    private static string UrlEscape(string s, bool query)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var sb = new StringBuilder(bytes.Length + 8);
        foreach (byte b in bytes)
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else if (c == ' ' && query) sb.Append('+');
            else if (!query && c is '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '@') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", Inv));
        }
        return sb.ToString();
    }

    /// <summary>Go's <c>url.QueryUnescape</c>; throws <see cref="FormatException"/> with Go's message for a bad escape.</summary>
    public static string QueryUnescape(string s)
    {
        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                {
                    var bad = s.Substring(i, Math.Min(3, s.Length - i));
                    throw new FormatException($"invalid URL escape {Quote(bad)}");
                }
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+') bytes.Add((byte)' ');
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Go's <c>template.HTMLEscapeString</c>.</summary>
    public static string HtmlEscape(string s)
    {
        if (s.AsSpan().IndexOfAny("<>&'\"\0") < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '"': sb.Append("&#34;"); break;
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>How Go's html/template escapes text in element content: also '+' and NUL.</summary>
    public static string HtmlTemplateEscape(string s)
    {
        if (s.AsSpan().IndexOfAny("<>&'\"+\0") < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '"': sb.Append("&#34;"); break;
                case '+': sb.Append("&#43;"); break;
                case '\0': sb.Append('\uFFFD'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Go's <c>template.JSEscapeString</c>.</summary>
    public static string JsEscape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '"': sb.Append("\\\""); break;
                case '<': sb.Append("\\u003C"); break;
                case '>': sb.Append("\\u003E"); break;
                case '&': sb.Append("\\u0026"); break;
                case '=': sb.Append("\\u003D"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ') sb.Append("\\u").Append(((int)c).ToString("X4", Inv));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
