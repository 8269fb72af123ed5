using Portal.Model;

namespace Portal.Model.Tests;

public sealed class MatcherTests
{
    public static TheoryData<MatchType, string, string, bool> Cases => new()
    {
        { MatchType.Equal, "a", "a", true },
        { MatchType.Equal, "a", "ab", false },
        { MatchType.NotEqual, "a", "b", true },
        { MatchType.NotEqual, "", "", false },
        // Regexes are anchored at both ends.
        { MatchType.Regex, "a.*", "abc", true },
        { MatchType.Regex, "b", "abc", false },
        { MatchType.Regex, "a|b", "b", true },
        { MatchType.Regex, "a|b", "ab", false },
        // '.' matches newline (Prometheus 3).
        { MatchType.Regex, "a.b", "a\nb", true },
        { MatchType.Regex, ".*", "", true },
        { MatchType.NotRegex, "a.*", "abc", false },
        { MatchType.NotRegex, "a.*", "b", true },
        { MatchType.Regex, "foo|bar|baz", "baz", true },
        { MatchType.Regex, "foo|bar|baz", "qux", false },
        { MatchType.Regex, "(?i)FOO", "foo", true },
        { MatchType.Regex, "", "", true },
        { MatchType.Regex, "", "x", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesAsPrometheus(MatchType type, string pattern, string value, bool expected)
    {
        Assert.Equal(expected, new Matcher(type, "l", pattern).Matches(value));
    }

    [Fact]
    public void LiteralAlternationsAreExposedAsSetMatches()
    {
        Assert.Equal(["a", "b", "c"], new Matcher(MatchType.Regex, "l", "a|b|c").SetMatches);
        Assert.Null(new Matcher(MatchType.Regex, "l", "a.*").SetMatches);
        Assert.Null(new Matcher(MatchType.NotRegex, "l", "a|b").SetMatches);
    }

    [Fact]
    public void InvalidRegexSaysWhichPatternAndWhy()
    {
        var e = Assert.Throws<ArgumentException>(() => new Matcher(MatchType.Regex, "l", "a(b"));
        Assert.Contains("invalid regular expression \"a(b\"", e.Message);
    }

    [Theory]
    [InlineData(MatchType.Equal, "job", "a\"b", "job=\"a\\\"b\"")]
    [InlineData(MatchType.NotRegex, "x", "y.*", "x!~\"y.*\"")]
    public void PrintsInPromQLSyntax(MatchType type, string name, string value, string expected)
    {
        Assert.Equal(expected, new Matcher(type, name, value).ToString());
    }

    [Fact]
    public void ACompiledPatternIsSharedAndAnInvalidOneIsNeverKept()
    {
        var a = PromRegex.Compile("node_(cpu|memory).*");
        Assert.Same(a, PromRegex.Compile("node_(cpu|memory).*"));
        Assert.Matches(a, "node_cpu_seconds_total");
        Assert.NotSame(a, PromRegex.Compile("node_(cpu|disk).*"));
        Assert.Throws<ArgumentException>(() => PromRegex.Compile("a(b"));
        Assert.Throws<ArgumentException>(() => PromRegex.Compile("a(b"));
    }
}
