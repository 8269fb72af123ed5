using Portal.Model;
using MatchType = Portal.Model.MatchType;
using Portal.Tsdb.Tools;

namespace Portal.Tsdb.Tests;

public class ToolsTests
{
    public static TheoryData<double, string> Floats => new()
    {
        { 0, "0" }, { 1, "1" }, { -2.5, "-2.5" }, { 100, "100" }, { 123456, "123456" }, { 1234567, "1.234567e+06" },
        { 1e6, "1e+06" }, { 0.0001, "0.0001" }, { 0.00001, "1e-05" }, { 1e-7, "1e-07" }, { 1.5e300, "1.5e+300" },
        { double.NaN, "NaN" }, { double.PositiveInfinity, "+Inf" }, { double.NegativeInfinity, "-Inf" }, { 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" },
    };

    [Theory]
    [MemberData(nameof(Floats))]
    public void GoFloat_FormatsLikeGoPercentG(double v, string expected) => Assert.Equal(expected, GoFloat.G(v));

    [Fact]
    public void SelectorParser_ParsesSelectors()
    {
        var ms = SelectorParser.Parse("up{job=\"a\", instance=~\"x.*\",env!=\"p\\\"q\"}");
        Assert.Equal(4, ms.Length);
        Assert.Equal("__name__", ms[0].Name);
        Assert.Equal(MatchType.Regex, ms[2].Type);
        Assert.Equal("p\"q", ms[3].Value);
        Assert.Single(SelectorParser.Parse("{a!~\"b\"}"));
        Assert.Throws<FormatException>(() => SelectorParser.Parse("{a=b}"));
    }

    [Fact]
    public void Backfill_DumpAndAnalyze()
    {
        using var dir = new TempDir();
        string input = Path.Combine(dir.Path, "in.om");
        string outDir = Path.Combine(dir.Path, "data");
        File.WriteAllText(input, """
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{code="200",method="get"} 1027 1700000000
            http_requests_total{code="200",method="get"} 1030 1700000015.5
            http_requests_total{code="400",method="post"} 3 1700000000
            http_requests_total{code="200",method="get"} 2000 1700010000
            # TYPE temp gauge
            # UNIT temp celsius
            temp NaN 1700000000
            # EOF

            """.Replace("\r", ""));
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, TsdbCli.Run(["create-blocks-from", "openmetrics", input, outDir], o, e));
        Assert.Contains("BLOCK ULID", o.ToString());
        o = new StringWriter();
        Assert.Equal(0, TsdbCli.Run(["dump", outDir], o, e));
        var lines = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            "{__name__=\"http_requests_total\", code=\"200\", method=\"get\"} 1027 1700000000000",
            "{__name__=\"http_requests_total\", code=\"200\", method=\"get\"} 1030 1700000015500",
            "{__name__=\"http_requests_total\", code=\"200\", method=\"get\"} 2000 1700010000000",
            "{__name__=\"http_requests_total\", code=\"400\", method=\"post\"} 3 1700000000000",
            "{__name__=\"temp\"} NaN 1700000000000"], lines);
        o = new StringWriter();
        Assert.Equal(0, TsdbCli.Run(["dump", outDir, "--match", "{code=\"400\"}", "--min-time", "0"], o, e));
        Assert.Single(o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        o = new StringWriter();
        Assert.Equal(0, TsdbCli.Run(["analyze", outDir], o, e));
        Assert.Contains("Block ID", o.ToString());
        if (File.Exists("/usr/bin/promtool"))
        {
            var (code, stdout, stderr) = PersistenceTests.Run("/usr/bin/promtool", "tsdb", "dump", outDir);
            Assert.True(code == 0, stderr);
            Assert.Equal(lines.Order(StringComparer.Ordinal), stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        }
        Assert.Equal(1, TsdbCli.Run(["create-blocks-from", "openmetrics", input + ".missing", outDir], o, new StringWriter()));
        File.WriteAllText(input, "up 1\n# EOF\n");
        var err = new StringWriter();
        Assert.Equal(1, TsdbCli.Run(["create-blocks-from", "openmetrics", input, Path.Combine(dir.Path, "x")], o, err));
        Assert.Contains("timestamp", err.ToString());
    }
}
