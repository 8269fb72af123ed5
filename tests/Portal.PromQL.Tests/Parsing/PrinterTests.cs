using Portal.PromQL.Ast;

namespace Portal.PromQL.Tests.Parsing;

public class PrinterTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "sum by(job)(rate(x[5m]))", "sum by (job) (rate(x[5m]))" },
        { "sum(rate(x[5m])) without (a,b)", "sum without (a, b) (rate(x[5m]))" },
        { "topk(3,x)", "topk(3, x)" },
        { "count_values('v', x)", "count_values(\"v\", x)" },
        { "1000000", "1000000" },
        { "100000", "100000" },
        { "123456789", "123456789" },
        { "0.0001", "0.0001" },
        { "0.00001", "0.00001" },
        { "1e300", "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" },
        { "1.5", "1.5" },
        { "-Inf", "-Inf" },
        { "+Inf", "+Inf" },
        { "NaN", "NaN" },
        { "0x10", "16" },
        { "5m", "5m" },
        { "90m", "1h30m" },
        { "-1h", "-1h" },
        { "'a\"b'", "\"a\\\"b\"" },
        { "`a\\b`", "\"a\\\\b\"" },
        { "\"tab\\there\\u00e9\"", "\"tab\\there\u00e9\"" },
        { "\"\\x01\\u200b\"", "\"\\x01\\u200b\"" },
        { "foo{b=\"2\",a=\"1\"}", "foo{a=\"1\",b=\"2\"}" },
        { "{__name__=\"foo\"}", "{__name__=\"foo\"}" },
        { "{\"my.metric\", \"a.b\"=\"x\"}", "{\"a.b\"=\"x\",__name__=\"my.metric\"}" },
        { "foo offset 90m", "foo offset 1h30m" },
        { "foo offset -5m", "foo offset -5m" },
        { "foo @ 100", "foo @ 100.000" },
        { "foo @ -1.5", "foo @ -1.500" },
        { "foo @ start() offset 1m", "foo @ start() offset 1m" },
        { "foo offset 1m @ 2 smoothed", "foo @ 2.000 smoothed offset 1m" },
        { "foo[1m] offset 1m anchored", "foo[1m] anchored offset 1m" },
        { "foo[5m] offset 1m @ end()", "foo[5m] @ end() offset 1m" },
        { "foo[1800]", "foo[30m]" },
        { "rate(x[5m])[30m:1m] offset 2m", "rate(x[5m])[30m:1m] offset 2m" },
        { "x[5m:]", "x[5m:]" },
        { "a*on(b)group_left(c)d", "a * on (b) group_left (c) d" },
        { "a / ignoring(b) group_right d", "a / ignoring (b) group_right () d" },
        { "a + on() b", "a + on () b" },
        { "a > bool 1", "a > bool 1" },
        { "a and on(x) b", "a and on (x) b" },
        { "a + fill(0) b", "a + fill (0) b" },
        { "a + fill_left(1e6) fill_right(2) b", "a + fill_left (1e+06) fill_right (2) b" },
        { "-(a + b)", "-(a + b)" },
        { "- -1", "1" },
        { "-2 ^ 2", "-2 ^ 2" },
        { "2 ^ -1", "2 ^ -1" },
        { "a </ 2", "a </ 2" },
        { "foo[5m+1m]", "foo[5m + 1m]" },
        { "foo offset (1h*2)", "foo offset (1h * 2)" },
        { "foo[step()]", "foo[step()]" },
        { "foo[min_of(step(),1h)]", "foo[min_of(step(), 1h)]" },
        { "foo[1m] anchored", "foo[1m] anchored" },
        { "foo offset 1m smoothed", "foo smoothed offset 1m" },
        { "sum by (\"a.b\") (x)", "sum by (\"a.b\") (x)" },
        { "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")", "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrintsCanonicalText(string query, string expected)
    {
        var e = PromQLParser.ParseExpr(query);
        Assert.Equal(expected, e.ToString());
        AstAssert.Equal(e, PromQLParser.ParseExpr(expected));
    }

    [Fact]
    public void PrettyKeepsShortQueriesOnOneLine()
    {
        Assert.Equal("sum by (job) (rate(x[5m]))", PromQLParser.ParseExpr("sum by(job)(rate(x[5m]))").Pretty());
    }

    [Fact]
    public void PrettySplitsLongQueries()
    {
        string q = "sum by (job) (rate(http_requests_total{job=\"apiserver\",handler=\"/api/comments\",code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m]))";
        string expected = string.Join("\n",
            "  sum by (job) (rate(http_requests_total{code=~\"5..\",handler=\"/api/comments\",job=\"apiserver\"}[5m]))",
            "/",
            "  sum by (job) (rate(http_requests_total[5m]))");
        var e = PromQLParser.ParseExpr(q);
        Assert.Equal(expected, e.Pretty());
        AstAssert.Equal(e, PromQLParser.ParseExpr(expected));
    }

    [Fact]
    public void PrettySplitsCallsAndParens()
    {
        string longName = new string('a', 90);
        var e = PromQLParser.ParseExpr($"-(label_replace({longName}, \"d\", \"$1\", \"s\", \"(.*)\"))");
        string expected = string.Join("\n",
            "-(",
            "  label_replace(",
            "    " + longName + ",",
            "    \"d\",",
            "    \"$1\",",
            "    \"s\",",
            "    \"(.*)\"",
            "  )",
            ")");
        Assert.Equal(expected, e.Pretty());
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456.0, "123456")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    public void FormatsFloatsLikeGo(double v, string expected)
    {
        Assert.Equal(expected, Printer.FormatFloat(v));
    }
}
