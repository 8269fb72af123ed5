using Portal.Model;
using Portal.PromQL.PromqlTest;

namespace Portal.PromQL.Tests.Script;

public class ScriptParserTests
{
    private static double[] Floats(SeriesDefinition s)
    {
        var r = new double[s.Values.Count];
        for (int i = 0; i < r.Length; i++) r[i] = s.Values[i].Omitted ? double.NegativeInfinity * 0 : s.Values[i].Value;
        return r;
    }

    [Fact]
    public void ExpandsSeriesNotation()
    {
        var s = ScriptParser.ParseSeriesDescription("a{b=\"c\"} 1+2x3 _ stale 5 -3x2 1x0 Inf NaN 1-1x2 _x2");
        Assert.Equal(Labels.FromStrings("__name__", "a", "b", "c"), s.Labels);
        var v = s.Values;
        Assert.Equal(18, v.Count);
        Assert.Equal([1, 3, 5, 7], new[] { v[0].Value, v[1].Value, v[2].Value, v[3].Value });
        Assert.True(v[4].Omitted);
        Assert.True(SampleValue.IsStaleNaN(v[5].Value));
        Assert.Equal(5, v[6].Value);
        Assert.Equal([-3, -3, -3], new[] { v[7].Value, v[8].Value, v[9].Value });
        Assert.Equal(1, v[10].Value);
        Assert.True(double.IsPositiveInfinity(v[11].Value));
        Assert.True(double.IsNaN(v[12].Value) && !SampleValue.IsStaleNaN(v[12].Value));
        Assert.Equal([1, 0, -1], new[] { v[13].Value, v[14].Value, v[15].Value });
        Assert.True(v[16].Omitted && v[17].Omitted);
    }

    [Fact]
    public void ReadsStartTimestampLines()
    {
        var s = ScriptParser.ParseSeriesDescription("cumulative{type=\"st\"}@st       _ _ -30s-1mx2 -1ms 5m");
        Assert.True(s.IsStartTimestamps);
        Assert.Equal(Labels.FromStrings("__name__", "cumulative", "type", "st"), s.Labels);
        Assert.Equal(7, s.Values.Count);
        Assert.True(s.Values[0].Omitted && s.Values[1].Omitted);
        Assert.Equal([-30_000.0, -90_000, -150_000, -1, 300_000], new[] { s.Values[2].Value, s.Values[3].Value, s.Values[4].Value, s.Values[5].Value, s.Values[6].Value });
    }

    [Fact]
    public void BlankRepetitionGivesExactlyNBlanks()
    {
        var s = ScriptParser.ParseSeriesDescription("m _x3 1");
        Assert.Equal(4, s.Values.Count);
        Assert.True(s.Values[0].Omitted && s.Values[1].Omitted && s.Values[2].Omitted);
        Assert.Equal(1, s.Values[3].Value);
    }

    [Fact]
    public void ReadsQuotedNamesAndLabelSetsWithoutName()
    {
        var s = ScriptParser.ParseSeriesDescription("{\"my.metric\", \"a.b\"=\"x\", c='y'} 1");
        Assert.Equal(Labels.FromStrings("__name__", "my.metric", "a.b", "x", "c", "y"), s.Labels);
        var e = ScriptParser.ParseSeriesDescription("{} 3");
        Assert.Equal(Labels.Empty, e.Labels);
        Assert.Equal(3, e.Values[0].Value);
    }

    [Fact]
    public void FlagsNativeHistograms()
    {
        var s = ScriptParser.ParseSeriesDescription("h {{schema:1 sum:3 count:22 buckets:[5 10 7]}} {{schema:0 sum:1}}+{{sum:1}}x2 {{count:1}}x1 4");
        Assert.True(s.HasHistograms);
        Assert.Equal(7, s.Values.Count);
        Assert.True(s.Values[0].IsHistogram);
        Assert.Equal("{{schema:1 sum:3 count:22 buckets:[5 10 7]}}", s.Values[0].Histogram);
        Assert.True(s.Values[3].IsHistogram);
        Assert.Equal(4, s.Values[6].Value);
        Assert.False(s.Values[6].IsHistogram);
    }

    [Fact]
    public void ParsesCommandsWithLinesAndExpectations()
    {
        const string script = """
            # comment
            load 5m
              http_requests{job="api"} 0+10x10
              other 1 2

            load_with_nhcb 1m
              h_bucket{le="1"} 1

            eval instant at 50m sum(http_requests)
              expect no_warn
              expect info msg: PromQL info: something (1:5)
              {} 100

            eval range from 0 to 10m step 5m http_requests
              expect warn regex: PromQL warning: .*
              http_requests{job="api"} 0 10 20

            eval instant at 1m scalar(other)
              1

            eval_fail instant at 0 foo bar
              expected_fail_message some message

            eval_ordered instant at 0 sort(other)
              other 2

            eval instant at 50m ("Foo")
              expect string "Foo"

            eval instant at 1m other[1m]
              expect range vector from 0 to 1m step 1m
              other 1 2

            eval instant at 0 topk(1, x)
              expect fail msg: some error
              expect ordered

            clear
            """;
        var cmds = ScriptParser.Parse(script);
        Assert.Equal(11, cmds.Count);
        var load = Assert.IsType<LoadCommand>(cmds[0]);
        Assert.Equal(2, load.Line);
        Assert.Equal(300_000, load.IntervalMs);
        Assert.Equal(2, load.Series.Count);
        Assert.Equal(11, load.Series[0].Values.Count);
        Assert.Equal(4, load.Series[1].Line);
        Assert.True(Assert.IsType<LoadCommand>(cmds[1]).WithNhcb);

        var e1 = Assert.IsType<EvalCommand>(cmds[2]);
        Assert.Equal(9, e1.Line);
        Assert.False(e1.IsRange);
        Assert.Equal(3_000_000, e1.StartMs);
        Assert.Equal("sum(http_requests)", e1.Expr);
        Assert.True(e1.Has(ExpectationKind.NoWarn));
        var info = Assert.Single(e1.ExpectationsOf(ExpectationKind.Info));
        Assert.Equal("PromQL info: something (1:5)", info.Message);
        Assert.Equal(Labels.Empty, Assert.Single(e1.ExpectedSeries).Labels);

        var e2 = Assert.IsType<EvalCommand>(cmds[3]);
        Assert.True(e2.IsRange);
        Assert.Equal((0L, 600_000L, 300_000L), (e2.StartMs, e2.EndMs, e2.StepMs));
        Assert.Equal("PromQL warning: .*", Assert.Single(e2.ExpectationsOf(ExpectationKind.Warn)).Regex);
        Assert.Equal(3, e2.ExpectedSeries[0].Values.Count);

        var e3 = Assert.IsType<EvalCommand>(cmds[4]);
        Assert.Equal(1.0, e3.ExpectedScalar);

        var e4 = Assert.IsType<EvalCommand>(cmds[5]);
        Assert.True(e4.IsFail);
        Assert.Equal("some message", e4.FailExpectation.Message);

        var e5 = Assert.IsType<EvalCommand>(cmds[6]);
        Assert.True(e5.IsOrdered);

        var e6 = Assert.IsType<EvalCommand>(cmds[7]);
        Assert.Equal("Foo", e6.ExpectedString);
        Assert.True(e6.ExcludeFromRangeQuery);

        var e7 = Assert.IsType<EvalCommand>(cmds[8]);
        Assert.Equal(new RangeVectorExpectation(0, 60_000, 60_000), e7.ExpectRangeVector);
        Assert.Equal(2, e7.ExpectedSeries[0].Values.Count);

        var e8 = Assert.IsType<EvalCommand>(cmds[9]);
        Assert.True(e8.IsFail && e8.IsOrdered);
        Assert.Equal("some error", e8.FailExpectation.Message);

        Assert.IsType<ClearCommand>(cmds[10]);
        Assert.Equal(38, cmds[10].Line);
    }

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "bogus 1", 1, "invalid command \"bogus 1\"" },
        { "load xx\n  a 1", 1, "invalid step definition \"xx\"" },
        { "eval instant 0", 1, "invalid evaluation command" },
        { "eval instant at 0 x\n  expect bogus", 2, "invalid expect statement" },
        { "eval instant at 0 x\n  expect info\n  expect no_info", 3, "info and no_info cannot be used together" },
        { "eval instant at 0 x\n  x 1 2", 2, "expecting multiple values in instant evaluation not allowed" },
        { "eval range from 5m to 1m step 1m x", 1, "end timestamp (1m) is before start timestamp (5m)" },
        { "load 1m\n  a{b=\"c} 1", 2, "unterminated quoted string" },
        { "load 1m\n  a 1 zz", 2, "invalid value \"zz\"" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ReportsMalformedScripts(string script, int line, string message)
    {
        var ex = Assert.Throws<ScriptParseException>(() => ScriptParser.Parse(script));
        Assert.Equal(line, ex.Line);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [SharedFact]
    public void ReadsEveryUpstreamTestFile()
    {
        var files = Directory.GetFiles(SharedData.TestDataDir, "*.test");
        Assert.Equal(21, files.Length);
        int evals = 0, loads = 0, clears = 0, fails = 0, histogramLoads = 0;
        foreach (var f in files)
        {
            var cmds = ScriptParser.ParseFile(f);
            Assert.NotEmpty(cmds);
            foreach (var c in cmds)
            {
                switch (c)
                {
                    case EvalCommand e:
                        evals++;
                        if (e.IsFail) fails++;
                        break;
                    case LoadCommand l:
                        loads++;
                        if (l.HasHistograms) histogramLoads++;
                        break;
                    case ClearCommand:
                        clears++;
                        break;
                }
            }
        }
        Assert.Equal(2214, evals);
        Assert.Equal(310, loads);
        Assert.Equal(231, clears);
        Assert.Equal(35, fails);
        Assert.True(histogramLoads > 0);
    }
}
