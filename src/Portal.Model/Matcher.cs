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

    /// <summary>Creates a matcher. Throws <see cref="ArgumentException"/> with the reason when a regex does not compile.</summary>
    public Matcher(MatchType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is MatchType.Regex or MatchType.NotRegex)
        {
            _alternatives = LiteralAlternatives(value);
            if (_alternatives is null) _regex = PromRegex.Compile(value);
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
        return _regex!.IsMatch(value);
    }

    private static string[]? LiteralAlternatives(string pattern)
    {
        foreach (char c in pattern)
        {
            if (c is '.' or '*' or '+' or '?' or '(' or ')' or '[' or ']' or '{' or '}' or '^' or '$' or '\\')
                return null;
        }
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
            regex = new Regex("^(?:" + pattern + ")$",
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
