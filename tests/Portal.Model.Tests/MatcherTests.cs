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

    [Fact]
    public void RegexShapesAnsweredWithoutTheRegexEngineAgreeWithIt()
    {
        string[] patterns =
        [
            ".*", ".+", "12345.*", "12345.+", ".*999", ".*oo.*", "foo(bar|baz)", "ab+c", "ab*c", "ab?c", "ab{2}c", "foo\\.bar.*",
            "a.b", "(?i)foo.*", "x|y.*", "a.*b", "", "a\\d+", "[ab]c.*", "é.*", ".*\n", "abc",
        ];
        string[] values =
        [
            "", "1", "12345", "123456", "1234", "x12345", "999", "1999", "99", "foo", "foobar", "foobaz", "foobax", "oo", "ac", "abc",
            "abbc", "abbbc", "a\nb", "Foo", "FOO.bar", "foo.bar", "fooxbar", "x", "y", "yz", "ab", "a12", "bc", "bcd", "éa", "a\n", "\n",
        ];
        foreach (var p in patterns)
        {
            var reference = new System.Text.RegularExpressions.Regex("^(?:" + p + @")\z",
                System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            var m = new Matcher(MatchType.Regex, "l", p);
            var not = new Matcher(MatchType.NotRegex, "l", p);
            foreach (var v in values)
            {
                Assert.True(reference.IsMatch(v) == m.Matches(v), $"=~\"{p}\" on \"{v}\"");
                Assert.True(reference.IsMatch(v) != not.Matches(v), $"!~\"{p}\" on \"{v}\"");
            }
        }
    }

    [Fact]
    public void RegexDoesNotMatchBeforeATrailingNewline()
    {
        Assert.False(new Matcher(MatchType.Regex, "l", "fo+").Matches("foo\n"));
        Assert.True(new Matcher(MatchType.Regex, "l", "fo+\n").Matches("foo\n"));
        Assert.True(new Matcher(MatchType.NotRegex, "l", "a[bc]").Matches("ab\n"));
    }
}
