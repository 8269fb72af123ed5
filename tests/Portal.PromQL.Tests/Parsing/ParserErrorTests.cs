using Portal.PromQL.Ast;

namespace Portal.PromQL.Tests.Parsing;

public class ParserErrorTests
{
    public static TheoryData<string, string> Errors => new()
    {
        { "", "1:1: parse error: no expression found in input" },
        { "1+", "1:3: parse error: unexpected end of input" },
        { "(1", "1:3: parse error: unclosed left parenthesis" },
        { "1)", "1:2: parse error: unexpected right parenthesis ')'" },
        { "{", "1:2: parse error: unexpected end of input inside braces" },
        { ".", "1:1: parse error: unexpected character: '.'" },
        { "1 !~ 1", "1:3: parse error: unexpected character after '!': '~'" },
        { "1 =~ 1", "1:3: parse error: unexpected character after '=': '~'" },
        { "*test", "1:1: parse error: unexpected <op:*>" },
        { "1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
        { "foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times" },
        { "a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>" },
        { "foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression" },
        { "1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier" },
        { "foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators" },
        { "foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation" },
        { "foo + on(foo) group_left(foo) bar", "1:5: parse error: label \"foo\" must not occur in ON and GROUP clause at once" },
        { "{}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
        { "{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
        { "{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
        { "foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"" },
        { "foo{a=b}", "1:7: parse error: unexpected identifier \"b\" in label matching, expected string" },
        { "foo{a}", "1:6: parse error: unexpected \"}\" in label matching, expected label matching operator" },
        { "foo{1}", "1:5: parse error: unexpected character inside braces: '1'" },
        { "foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"" },
        { "sum(1,)", "1:6: parse error: trailing commas not allowed in function call args" },
        { "sum(some_metric) without(foo) by(bar)", "1:31: parse error: unexpected <by>" },
        { "sum by foo (x)", "1:8: parse error: unexpected identifier \"foo\" in grouping opts, expected \"(\"" },
        { "topk(some_metric)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1" },
        { "sum()", "1:1: parse error: no arguments for aggregate expression provided" },
        { "topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector" },
        { "count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar" },
        { "rate(some_metric)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector" },
        { "floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0" },
        { "floor(1, 2)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2" },
        { "round(a, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3" },
        { "label_join(a)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1" },
        { "non_existent_function_far_bar()", "1:1: parse error: unknown function with name \"non_existent_function_far_bar\"" },
        { "foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"" },
        { "foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"" },
        { "(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors" },
        { "foo offset 5m [5m]", "1:15: parse error: no offset modifiers allowed before range" },
        { "foo @ 1 [5m]", "1:9: parse error: no @ modifiers allowed before range" },
        { "foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times" },
        { "sum(foo) @ 1", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
        { "foo @ bar", "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp" },
        { "foo offset bar", "1:12: parse error: unexpected identifier \"bar\" in offset, expected number or duration" },
        { "-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"" },
        { "-foo[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"" },
        { "foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types" },
        { "1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors" },
        { "foo[5m][10m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead" },
        { "foo[5m:1m:1m]", "1:10: parse error: unexpected repeated colon in duration expression" },
        { "foo[5m", "1:7: parse error: unexpected end of input in duration expression" },
        { "\"abc", "1:1: parse error: unterminated quoted string" },
        { "`abc", "1:1: parse error: unterminated raw string" },
        { "\"\\q\"", "1:1: parse error: unknown escape sequence U+0071 'q'" },
        { "foo{a=~\"(\"}", "1:5: parse error: invalid regular expression" },
        { "a + fill(0) on(x) b", "1:13: parse error: unexpected <on>" },
        { "a and fill(0) b", "1:1: parse error: filling in missing series not allowed for set operators" },
        { "foo[1m] anchored smoothed", "1:1: parse error: anchored and smoothed modifiers cannot be used together" },
        { "foo\n  + bar{", "2:9: parse error: unexpected end of input inside braces" },
        { "info(foo, bar)", "1:11: parse error: expected label selectors only, got vector selector instead" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ReportsPrometheusMessage(string query, string expected)
    {
        var ex = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(query));
        if (expected.EndsWith("invalid regular expression", StringComparison.Ordinal))
            Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        else
            Assert.Equal(expected, ex.Message);
        Assert.NotEmpty(ex.Errors);
        Assert.Equal(query, ex.Query);
    }

    [Fact]
    public void ErrorsCarryPositionRanges()
    {
        var ex = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr("sum(rate(x[5m])) + unknown_fn(1)"));
        Assert.Equal(new PositionRange(19, 29), ex.Errors[0].Pos);
        Assert.Equal("unknown function with name \"unknown_fn\"", ex.Errors[0].Message);
    }

    [Fact]
    public void DeepNestingIsAParseErrorNotACrash()
    {
        string deep = new string('(', 5000) + "1" + new string(')', 5000);
        var ex = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(deep));
        Assert.Contains("nested too deeply", ex.Message, StringComparison.Ordinal);

        string chain = string.Join(" + ", Enumerable.Repeat("x", 3000));
        var ex2 = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(chain));
        Assert.Contains("nested too deeply", ex2.Message, StringComparison.Ordinal);

        string unary = new string('-', 5000) + "x";
        Assert.Throws<PromQLParseException>(() => PromQLParser.ParseExpr(unary));
    }

    [Fact]
    public void ModerateNestingParses()
    {
        string q = new string('(', 200) + "1" + new string(')', 200);
        Assert.IsType<ParenExpr>(PromQLParser.ParseExpr(q));
    }
}
