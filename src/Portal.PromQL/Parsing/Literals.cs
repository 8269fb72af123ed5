using System.Globalization;
using System.Text;

namespace Portal.PromQL.Parsing;

/// <summary>Number parsing with Go's <c>strconv.ParseInt(s, 0, 64)</c> then <c>ParseFloat</c> rules, as Prometheus does.</summary>
internal static class NumberParsing
{
    public static bool TryParse(string text, out double value, out string? error)
    {
        error = null;
        if (TryParseGoInt(text, out long l))
        {
            value = l;
            return true;
        }
        string lower = text.ToLowerInvariant();
        if (lower is "inf" or "+inf" or "infinity" or "+infinity")
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (lower is "-inf" or "-infinity")
        {
            value = double.NegativeInfinity;
            return true;
        }
        if (lower == "nan")
        {
            value = double.NaN;
            return true;
        }
        value = 0;
        if (lower.StartsWith("0x", StringComparison.Ordinal))
        {
            error = $"strconv.ParseFloat: parsing {Lexer.GoQuote(text)}: invalid syntax";
            return false;
        }
        string s = text;
        if (s.Contains('_'))
        {
            if (!UnderscoresOk(s))
            {
                error = $"strconv.ParseFloat: parsing {Lexer.GoQuote(text)}: invalid syntax";
                return false;
            }
            s = s.Replace("_", "", StringComparison.Ordinal);
        }
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            error = $"strconv.ParseFloat: parsing {Lexer.GoQuote(text)}: invalid syntax";
            return false;
        }
        if (double.IsInfinity(value))
        {
            error = $"strconv.ParseFloat: parsing {Lexer.GoQuote(text)}: value out of range";
            return false;
        }
        return true;
    }

    /// <summary>Go base-0 integer syntax: 0x/0o/0b prefixes, a leading 0 means octal, underscores between digits.</summary>
    private static bool TryParseGoInt(string s, out long value)
    {
        value = 0;
        if (s.Length == 0) return false;
        int b = 10;
        int i = 0;
        if (s.Length > 1 && s[0] == '0')
        {
            char p = char.ToLowerInvariant(s[1]);
            if (p == 'x') { b = 16; i = 2; }
            else if (p == 'o') { b = 8; i = 2; }
            else if (p == 'b') { b = 2; i = 2; }
            else { b = 8; i = 1; }
        }
        if (s.Contains('_') && !UnderscoresOk(s)) return false;
        ulong acc = 0;
        bool any = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_') continue;
            int d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= b) return false;
            any = true;
            ulong next = acc * (ulong)b + (ulong)d;
            if (acc > (ulong.MaxValue - (ulong)d) / (ulong)b || next > long.MaxValue) return false;
            acc = next;
        }
        if (!any && !(b == 8 && s == "0")) return false;
        value = (long)acc;
        return true;
    }

    /// <summary>Go's rule: underscores only between digits, or between a base prefix and a digit.</summary>
    private static bool UnderscoresOk(string s)
    {
        char saw = '^';
        int i = 0;
        bool hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'x' or 'o' or 'b')
        {
            hex = char.ToLowerInvariant(s[1]) == 'x';
            i = 2;
            saw = '0';
        }
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                saw = '0';
                continue;
            }
            if (c == '_')
            {
                if (saw != '0') return false;
                saw = '_';
                continue;
            }
            if (saw == '_') return false;
            saw = '!';
        }
        return saw != '_';
    }
}

/// <summary>
/// Unquotes a lexed PromQL string (double, single or backtick quoted). Byte escapes (<c>\xNN</c>, octal) are
/// combined as UTF-8; bytes that do not form valid UTF-8 are kept as the lone surrogates U+DC80..U+DCFF
/// (one per byte), which <see cref="Ast.Printer.WriteQuoted"/> prints back as <c>\xNN</c>.
/// The lexer has already validated the escapes.
/// </summary>
internal static class StringUnquoter
{
    public static string Unquote(string raw)
    {
        char q = raw[0];
        string body = raw.Substring(1, raw.Length - 2);
        if (q == '`' || body.IndexOf('\\') < 0) return body;
        var bytes = new List<byte>(body.Length + 8);
        Span<byte> buf = stackalloc byte[4];
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\')
            {
                int rune = c;
                if (char.IsHighSurrogate(c) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]))
                {
                    rune = char.ConvertToUtf32(c, body[i + 1]);
                    i++;
                }
                AddRune(bytes, rune, buf);
                continue;
            }
            char e = body[++i];
            switch (e)
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '\'': bytes.Add((byte)'\''); break;
                case '"': bytes.Add((byte)'"'); break;
                case >= '0' and <= '7':
                    bytes.Add((byte)Convert.ToInt32(body.Substring(i, 3), 8));
                    i += 2;
                    break;
                case 'x':
                    bytes.Add(Convert.ToByte(body.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                case 'u':
                    AddRune(bytes, Convert.ToInt32(body.Substring(i + 1, 4), 16), buf);
                    i += 4;
                    break;
                case 'U':
                    AddRune(bytes, Convert.ToInt32(body.Substring(i + 1, 8), 16), buf);
                    i += 8;
                    break;
                default:
                    bytes.Add((byte)e);
                    break;
            }
        }
        return DecodeLenient(bytes);
    }

    private static void AddRune(List<byte> bytes, int rune, Span<byte> buf)
    {
        if (rune is >= 0xD800 and < 0xE000)
        {
            // A lone surrogate from the source text (already an escaped byte); keep it as is.
            if (rune >= 0xDC80 && rune <= 0xDCFF)
            {
                bytes.Add((byte)(rune - 0xDC00));
                return;
            }
            rune = 0xFFFD;
        }
        int n = new Rune(rune).EncodeToUtf8(buf);
        for (int k = 0; k < n; k++) bytes.Add(buf[k]);
    }

    private static string DecodeLenient(List<byte> bytes)
    {
        var arr = bytes.ToArray();
        var sb = new StringBuilder(arr.Length);
        var span = new ReadOnlySpan<byte>(arr);
        while (!span.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(span, out var r, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                sb.Append(r.ToString());
                span = span[consumed..];
            }
            else
            {
                sb.Append((char)(0xDC00 + span[0]));
                span = span[1..];
            }
        }
        return sb.ToString();
    }
}
