using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Config.Prometheus;

/// <summary>
/// A compiled RE2-style regex as Prometheus uses it in relabeling: anchored at both ends, <c>.</c> matching newline,
/// groups numbered left to right (named or not), and Go's <c>regexp.Expand</c> template syntax
/// (<c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c>, <c>$$</c>). Immutable and thread-safe.
/// </summary>
public sealed class Re2Regex
{
    private readonly Regex _regex;
    private readonly Dictionary<string, int> _names;

    public string Pattern { get; }

    private Re2Regex(string pattern, Regex regex, Dictionary<string, int> names)
    {
        Pattern = pattern;
        _regex = regex;
        _names = names;
    }

    /// <summary>Compiles <c>^(?s:pattern)\z</c> (anchored at the very end: .NET's <c>$</c> would also match before a final newline); throws <see cref="ArgumentException"/> when the pattern is invalid.</summary>
    public static Re2Regex Anchored(string pattern)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var translated = Re2.Translate(pattern, names);
        var regex = new Regex("^(?s:" + translated + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        return new Re2Regex(pattern, regex, names);
    }

    public bool IsMatch(string input) => _regex.IsMatch(input);

    /// <summary>Matches the (anchored) regex against <paramref name="input"/>; groups are numbered as in RE2.</summary>
    public Match Match(string input) => _regex.Match(input);

    /// <summary>The match of the whole input, or null.</summary>
    public Match? MatchWhole(string input)
    {
        var m = _regex.Match(input);
        return m.Success ? m : null;
    }

    /// <summary>Expands <paramref name="template"/> with the groups of <paramref name="match"/> the way Go's regexp.Expand does.</summary>
    public string Expand(string template, Match match)
    {
        if (template.IndexOf('$') < 0) return template;
        var sb = new StringBuilder(template.Length + 16);
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c != '$')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (i + 1 < template.Length && template[i + 1] == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }
            string? name = null;
            int next = i + 1;
            if (next < template.Length && template[next] == '{')
            {
                int close = template.IndexOf('}', next + 1);
                if (close > next + 1 && IsName(template.AsSpan(next + 1, close - next - 1)))
                {
                    name = template[(next + 1)..close];
                    next = close + 1;
                }
            }
            else
            {
                int j = next;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_')) j++;
                if (j > next)
                {
                    name = template[next..j];
                    next = j;
                }
            }
            if (name is null)
            {
                sb.Append('$');
                i++;
                continue;
            }
            sb.Append(GroupValue(match, name));
            i = next;
        }
        return sb.ToString();
    }

    private static bool IsName(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    private string GroupValue(Match m, string name)
    {
        int num;
        bool numeric = true;
        foreach (char c in name)
            if (!char.IsAsciiDigit(c)) { numeric = false; break; }
        if (numeric)
        {
            if (name.Length > 9 || !int.TryParse(name, out num)) return "";
        }
        else if (!_names.TryGetValue(name, out num)) return "";
        if (num >= m.Groups.Count) return "";
        var g = m.Groups[num];
        return g.Success ? g.Value : "";
    }

    public override string ToString() => Pattern;
}
