using System.Text;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Config.Alertmanager;

/// <summary>
/// Parses Alertmanager matchers: <c>match</c>/<c>match_re</c> maps and <c>matchers</c> lines such as
/// <c>severity="critical"</c>, <c>foo = bar, dings != bums</c> or <c>{foo=~"a|b"}</c>. Regexes are anchored.
/// </summary>
public static class AmMatchers
{
    /// <summary>Parses one matchers line into matchers; throws <see cref="FormatException"/> with the reason.</summary>
    public static List<Matcher> ParseLine(string line)
    {
        var s = line.Trim();
        if (s.StartsWith('{'))
        {
            if (!s.EndsWith('}')) throw new FormatException($"bad matcher format: {line} (missing closing '}}')");
            s = s[1..^1];
        }
        var result = new List<Matcher>();
        foreach (var part in SplitTopLevel(s))
        {
            var p = part.Trim();
            if (p.Length == 0) continue;
            result.Add(ParseOne(p, line));
        }
        return result;
    }

    private static List<string> SplitTopLevel(string s)
    {
        var parts = new List<string>();
        bool quoted = false;
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\' && quoted) { i++; continue; }
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted)
            {
                parts.Add(s[start..i]);
                start = i + 1;
            }
        }
        parts.Add(s[start..]);
        return parts;
    }

    private static Matcher ParseOne(string p, string line)
    {
        int i = 0;
        string name;
        if (p[0] == '"')
        {
            name = ReadQuoted(p, ref i, line);
        }
        else
        {
            while (i < p.Length && p[i] is not ('=' or '!' or '~' or ' ' or '\t')) i++;
            name = p[..i];
        }
        while (i < p.Length && p[i] is ' ' or '\t') i++;
        MatchType type;
        if (Starts(p, i, "=~")) { type = MatchType.Regex; i += 2; }
        else if (Starts(p, i, "!~")) { type = MatchType.NotRegex; i += 2; }
        else if (Starts(p, i, "!=")) { type = MatchType.NotEqual; i += 2; }
        else if (Starts(p, i, "=")) { type = MatchType.Equal; i += 1; }
        else throw new FormatException($"bad matcher format: {p} (expected one of =, !=, =~, !~ after the label name)");
        if (name.Length == 0) throw new FormatException($"bad matcher format: {p} (missing label name)");
        while (i < p.Length && p[i] is ' ' or '\t') i++;
        string value;
        if (i < p.Length && p[i] == '"')
        {
            value = ReadQuoted(p, ref i, line);
            while (i < p.Length && p[i] is ' ' or '\t') i++;
            if (i != p.Length) throw new FormatException($"bad matcher format: {p} (unexpected text after the quoted value)");
        }
        else value = p[i..].TrimEnd();
        if (!LabelNames.IsValidUtf8Name(name)) throw new FormatException($"invalid label name \"{name}\"");
        try
        {
            return new Matcher(type, name, value);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message);
        }
    }

    private static bool Starts(string s, int i, string op) => string.CompareOrdinal(s, i, op, 0, op.Length) == 0;

    private static string ReadQuoted(string p, ref int i, string line)
    {
        var sb = new StringBuilder();
        i++;
        while (i < p.Length && p[i] != '"')
        {
            if (p[i] == '\\' && i + 1 < p.Length)
            {
                i++;
                sb.Append(p[i] switch { 'n' => '\n', 't' => '\t', _ => p[i] });
            }
            else sb.Append(p[i]);
            i++;
        }
        if (i >= p.Length) throw new FormatException($"bad matcher format: {line} (unterminated quoted string)");
        i++;
        return sb.ToString();
    }

    internal static void FromLines(LoadContext ctx, ConfigObject owner, string key, List<string>? lines, List<Matcher> into)
    {
        foreach (var line in lines ?? [])
        {
            try
            {
                into.AddRange(ParseLine(line ?? ""));
            }
            catch (FormatException e)
            {
                ctx.Error(owner, key, e.Message);
            }
        }
    }

    internal static void FromMaps(LoadContext ctx, ConfigObject owner, string eqKey, Dictionary<string, string>? eq,
        string reKey, Dictionary<string, string>? re, List<Matcher> into)
    {
        foreach (var (k, v) in eq ?? [])
        {
            if (!LabelNames.IsLegacyLabelName(k)) { ctx.Error(owner, eqKey, $"invalid label name \"{k}\""); continue; }
            into.Add(Matcher.Equal(k, v));
        }
        if (re is null) return;
        var nulls = new HashSet<string>(StringComparer.Ordinal);
        if (owner.KeyNodes is not null && owner.KeyNodes.TryGetValue(reKey, out var node) && node is Yaml.YMapping m)
        {
            foreach (var (k, v) in m.Entries)
                if (v is Yaml.YScalar vs && vs.IsNull)
                {
                    nulls.Add(k.Value);
                    ctx.Error(k.Start, $"invalid regexp value for \"{k.Value}\" (the value is empty)");
                }
        }
        foreach (var (k, v) in re)
        {
            if (!LabelNames.IsLegacyLabelName(k)) { ctx.Error(owner, reKey, $"invalid label name \"{k}\""); continue; }
            if (nulls.Contains(k)) continue;
            try
            {
                into.Add(new Matcher(MatchType.Regex, k, v));
            }
            catch (ArgumentException e)
            {
                ctx.Error(owner, reKey, e.Message);
            }
        }
    }
}
