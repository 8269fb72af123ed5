using Portal.PromQL.PromqlTest;
using Portal.PromQL.Tests.Script;

namespace Portal.PromQL.Tests.Parsing;

/// <summary>Malformed input of any shape yields a <see cref="PromQLParseException"/> with a position, never another exception.</summary>
public class RobustnessTests
{
    private static void ParseOrParseError(string q)
    {
        try
        {
            var e = PromQLParser.ParseExpr(q);
            _ = e.ToString();
        }
        catch (PromQLParseException ex)
        {
            Assert.NotEmpty(ex.Errors);
            Assert.InRange(ex.Errors[0].Pos.Start, 0, q.Length);
            Assert.Contains("parse error: ", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sum by (job) (rate(http_requests_total{job=~\"api.*\", code!=\"200\"}[5m] offset -1h @ start())) / on(job) group_left(x) fill(0) count(up)")]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m:1m] @ 100)))[30m:] offset (1h * 2)")]
    [InlineData("foo[step() + min_of(1h, range())] anchored > bool 1e3 unless {\"a.b\"=\"\\u00e9\", 'c'=`d`}")]
    public void EveryPrefixAndMutationFailsCleanly(string q)
    {
        for (int i = 0; i <= q.Length; i++) ParseOrParseError(q[..i]);
        var rnd = new Random(42);
        string alphabet = "()[]{}\"'`\\,:@=!~<>+-*/%^ .0123456789eExaz_#\n\u00e9";
        for (int n = 0; n < 2000; n++)
        {
            var chars = q.ToCharArray();
            int edits = rnd.Next(1, 4);
            for (int k = 0; k < edits; k++) chars[rnd.Next(chars.Length)] = alphabet[rnd.Next(alphabet.Length)];
            ParseOrParseError(new string(chars));
        }
    }

    [SharedFact]
    public void TruncatedUpstreamQueriesFailCleanly()
    {
        int checkedQueries = 0;
        foreach (var file in Directory.GetFiles(SharedData.TestDataDir, "*.test"))
        {
            foreach (var cmd in ScriptParser.ParseFile(file))
            {
                if (cmd is not EvalCommand e || checkedQueries++ % 7 != 0) continue;
                for (int i = 0; i < e.Expr.Length; i++) ParseOrParseError(e.Expr[..i]);
            }
        }
        Assert.True(checkedQueries > 1000);
    }

    [Fact]
    public void PathologicalInputsFailCleanly()
    {
        ParseOrParseError(new string('{', 10000));
        ParseOrParseError(new string('[', 10000));
        ParseOrParseError(new string('"', 10001));
        ParseOrParseError("foo" + string.Concat(Enumerable.Repeat(" offset 1m", 1000)));
        ParseOrParseError(string.Concat(Enumerable.Repeat("sum(", 3000)) + "x" + new string(')', 3000));
        ParseOrParseError("x[" + string.Concat(Enumerable.Repeat("(", 3000)) + "1s" + new string(')', 3000) + "]");
        ParseOrParseError("x[" + string.Join("+", Enumerable.Repeat("1s", 200_000)) + "]");
        ParseOrParseError(string.Join("+", Enumerable.Repeat("1", 200_000)));
        ParseOrParseError("\0\u0001\uffff\ud800");
        ParseOrParseError("1e99999");
        ParseOrParseError("0x" + new string('f', 40));
        ParseOrParseError("foo @ 1e300");
    }
}
