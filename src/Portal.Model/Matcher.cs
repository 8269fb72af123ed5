using System.Text.RegularExpressions;

namespace Portal.Model;

public enum MatchType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// A label matcher (<c>name="v"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>). Regexes are fully anchored and
/// <c>.</c> matches newline, as in Prometheus 3. A missing label matches as the empty string.
/// Immutable and thread-safe.
/// </summary>
public sealed class Matcher
{
    public string Name { get; }
    public string Value { get; }
    public MatchType Type { get; }

    private readonly Regex? _regex;
    private readonly string[]? _alternatives;
    private readonly LiteralShape _shape;
    private readonly string _literal = "";

    /// <summary>Creates a matcher. Throws <see cref="ArgumentException"/> with the reason when a regex does not compile.</summary>
    public Matcher(MatchType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is MatchType.Regex or MatchType.NotRegex)
        {
            _alternatives = LiteralAlternatives(value);
            if (_alternatives is null)
            {
                (_shape, _literal) = Shape(value);
                if (_shape is LiteralShape.None or LiteralShape.PrefixThenRegex) _regex = PromRegex.Compile(value);
            }
        }
    }

    public static Matcher Equal(string name, string value) => new(MatchType.Equal, name, value);

    public bool Matches(string value) => Type switch
    {
        MatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchType.Regex => RegexMatches(value),
        MatchType.NotRegex => !RegexMatches(value),
        _ => false,
    };

    /// <summary>
    /// True when every matcher matches <paramref name="labels"/>, a missing label counting as the empty string, as
    /// Prometheus and Alertmanager match label sets. No matchers match everything.
    /// </summary>
    public static bool AllMatch(IReadOnlyList<Matcher> matchers, Labels labels)
    {
        for (int i = 0; i < matchers.Count; i++)
            if (!matchers[i].Matches(labels.Get(matchers[i].Name))) return false;
        return true;
    }

    /// <summary>True when the matcher matches the empty string, i.e. also matches series without the label.</summary>
    public bool MatchesEmpty => Matches("");

    /// <summary>For <c>=~"a|b|c"</c> of plain literals: the literals; otherwise null. Lets storage look values up instead of scanning.</summary>
    public IReadOnlyList<string>? SetMatches => Type == MatchType.Regex ? _alternatives : null;

    private bool RegexMatches(string value)
    {
        if (_alternatives is not null)
        {
            foreach (var a in _alternatives)
                if (string.Equals(a, value, StringComparison.Ordinal)) return true;
            return false;
        }
        return _shape switch
        {
            LiteralShape.Any => true,
            LiteralShape.NonEmpty => value.Length > 0,
            LiteralShape.Prefix => value.StartsWith(_literal, StringComparison.Ordinal),
            LiteralShape.PrefixNonEmptyRest => value.Length > _literal.Length && value.StartsWith(_literal, StringComparison.Ordinal),
            LiteralShape.Suffix => value.EndsWith(_literal, StringComparison.Ordinal),
            LiteralShape.Contains => value.Contains(_literal, StringComparison.Ordinal),
            LiteralShape.PrefixThenRegex => value.StartsWith(_literal, StringComparison.Ordinal) && _regex!.IsMatch(value),
            _ => _regex!.IsMatch(value),
        };
    }

    /// <summary>
    /// Regex shapes answered with string operations instead of the regex engine, as Prometheus's fast regex matcher
    /// does: <c>.*</c>, <c>.+</c>, <c>lit.*</c>, <c>lit.+</c>, <c>.*lit</c>, <c>.*lit.*</c>; and for other patterns
    /// without alternation, a literal prefix every match must start with, checked before the regex.
    /// </summary>
    private enum LiteralShape
    {
        None,
        Any,
        NonEmpty,
        Prefix,
        PrefixNonEmptyRest,
        Suffix,
        Contains,
        PrefixThenRegex,
    }

    private static bool IsMeta(char c) =>
        c is '.' or '*' or '+' or '?' or '(' or ')' or '[' or ']' or '{' or '}' or '^' or '$' or '\\' or '|';

    private static bool IsLiteral(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (IsMeta(c)) return false;
        return true;
    }

    private static (LiteralShape, string) Shape(string p)
    {
        if (p == ".*") return (LiteralShape.Any, "");
        if (p == ".+") return (LiteralShape.NonEmpty, "");
        var s = p.AsSpan();
        if (s.Length > 2 && s.StartsWith(".*") && s.EndsWith(".*") && IsLiteral(s[2..^2])) return (LiteralShape.Contains, s[2..^2].ToString());
        if (s.Length > 2 && s.StartsWith(".*") && IsLiteral(s[2..])) return (LiteralShape.Suffix, s[2..].ToString());
        if (s.Length > 2 && s.EndsWith(".*") && IsLiteral(s[..^2])) return (LiteralShape.Prefix, s[..^2].ToString());
        if (s.Length > 2 && s.EndsWith(".+") && IsLiteral(s[..^2])) return (LiteralShape.PrefixNonEmptyRest, s[..^2].ToString());
        if (s.Contains('|')) return (LiteralShape.None, "");
        int n = 0;
        while (n < s.Length && !IsMeta(s[n])) n++;
        // A quantifier after the literal run applies to its last character, which is then not required.
        if (n < s.Length && s[n] is '*' or '?' or '{') n--;
        return n > 0 ? (LiteralShape.PrefixThenRegex, s[..n].ToString()) : (LiteralShape.None, "");
    }

    private static string[]? LiteralAlternatives(string pattern)
    {
        foreach (char c in pattern)
            if (c != '|' && IsMeta(c)) return null;
        return pattern.Split('|');
    }

    public override string ToString()
    {
        var op = Type switch { MatchType.Equal => "=", MatchType.NotEqual => "!=", MatchType.Regex => "=~", _ => "!~" };
        var sb = new System.Text.StringBuilder(Name).Append(op).Append('"');
        Labels.AppendEscaped(sb, Value);
        return sb.Append('"').ToString();
    }
}

/// <summary>Compiles Prometheus (RE2-style) regexes for .NET with Prometheus's anchoring and flags.</summary>
public static class PromRegex
{
    /// <summary>Distinct patterns kept compiled; past this the cache is emptied and refilled by use.</summary>
    private const int CacheLimit = 2048;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Compiles <paramref name="pattern"/> anchored at both ends with <c>.</c> matching newline.
    /// Throws <see cref="ArgumentException"/> naming the pattern and the reason when it is invalid.
    /// Compiled regexes are shared (they are thread-safe), so a query or dashboard asked again with the same
    /// pattern does not pay for compiling it again.
    /// </summary>
    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached)) return cached;
        Regex regex;
        try
        {
            regex = new Regex("^(?:" + pattern + @")\z",
                RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.Compiled,
                TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"invalid regular expression \"{pattern}\": {e.Message}", e);
        }
        if (Cache.Count >= CacheLimit) Cache.Clear();
        return Cache.GetOrAdd(pattern, regex);
    }
}
