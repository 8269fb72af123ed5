using MatchType = Portal.Model.MatchType;
using System.Text;
using Portal.Model;

namespace Portal.Tsdb.Tools;

/// <summary>
/// A minimal series-selector parser for tools: <c>metric</c>, <c>{a="b",c=~"d"}</c> or <c>metric{...}</c>,
/// with Go-style escapes in quoted values. Throws <see cref="FormatException"/> with the position on errors.
/// </summary>
public static class SelectorParser
{
    public static Matcher[] Parse(string s)
    {
        var result = new List<Matcher>();
        int i = 0;
        SkipWs(s, ref i);
        int start = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or ':')) i++;
        if (i > start) result.Add(Matcher.Equal(Labels.MetricName, s[start..i]));
        SkipWs(s, ref i);
        if (i < s.Length && s[i] == '{')
        {
            i++;
            while (true)
            {
                SkipWs(s, ref i);
                if (i < s.Length && s[i] == '}') { i++; break; }
                string name;
                if (i < s.Length && s[i] == '"') name = Quoted(s, ref i);
                else
                {
                    int ns = i;
                    while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    if (i == ns) throw new FormatException($"expected label name at position {i} in {s}");
                    name = s[ns..i];
                }
                SkipWs(s, ref i);
                MatchType type;
                if (At(s, i, "=~")) { type = MatchType.Regex; i += 2; }
                else if (At(s, i, "!~")) { type = MatchType.NotRegex; i += 2; }
                else if (At(s, i, "!=")) { type = MatchType.NotEqual; i += 2; }
                else if (At(s, i, "=")) { type = MatchType.Equal; i += 1; }
                else throw new FormatException($"expected a match operator at position {i} in {s}");
                SkipWs(s, ref i);
                string value = Quoted(s, ref i);
                try { result.Add(new Matcher(type, name, value)); }
                catch (ArgumentException e) { throw new FormatException(e.Message, e); }
                SkipWs(s, ref i);
                if (i < s.Length && s[i] == ',') { i++; continue; }
                if (i < s.Length && s[i] == '}') { i++; break; }
                throw new FormatException($"expected ',' or '}}' at position {i} in {s}");
            }
        }
        SkipWs(s, ref i);
        if (i != s.Length) throw new FormatException($"unexpected character at position {i} in {s}");
        if (result.Count == 0) throw new FormatException($"empty selector: {s}");
        return result.ToArray();
    }

    private static bool At(string s, int i, string tok) => string.CompareOrdinal(s, i, tok, 0, tok.Length) == 0;

    private static void SkipWs(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    internal static string Quoted(string s, ref int i)
    {
        if (i >= s.Length || s[i] is not ('"' or '\'' or '`')) throw new FormatException($"expected a quoted string at position {i} in {s}");
        char q = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length && s[i] != q)
        {
            char c = s[i++];
            if (c == '\\' && q != '`' && i < s.Length)
            {
                char e = s[i++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '\\' => '\\', '"' => '"', '\'' => '\'', _ => e });
            }
            else sb.Append(c);
        }
        if (i >= s.Length) throw new FormatException($"unterminated string in {s}");
        i++;
        return sb.ToString();
    }
}
