using Portal.Model;
using Portal.PromQL.Ast;
using MatchType = Portal.Model.MatchType;
using ValueType = Portal.PromQL.Ast.ValueType;

namespace Portal.PromQL.Tests.Parsing;

public class ParserTests
{
    private static Expr P(string q) => PromQLParser.ParseExpr(q);

    public static TheoryData<string, string, int, int> Positions => new()
    {
        { "foo", nameof(VectorSelector), 0, 3 },
        { "foo{a=\"b\"}", nameof(VectorSelector), 0, 10 },
        { "{a=\"b\"}", nameof(VectorSelector), 0, 7 },
        { "foo offset 5m", nameof(VectorSelector), 0, 13 },
        { "foo @ 10", nameof(VectorSelector), 0, 8 },
        { "foo[5m]", nameof(MatrixSelector), 0, 7 },
        { "foo[5m] offset 1m", nameof(MatrixSelector), 0, 17 },
        { "foo[5m:1m]", nameof(SubqueryExpr), 0, 10 },
        { "sum by (a) (foo)", nameof(AggregateExpr), 0, 16 },
        { "sum(foo) by (a)", nameof(AggregateExpr), 0, 15 },
        { "rate(foo[5m])", nameof(Call), 0, 13 },
        { "-1", nameof(NumberLiteral), 0, 2 },
        { "  1.5", nameof(NumberLiteral), 2, 5 },
        { "1 + 2", nameof(BinaryExpr), 0, 5 },
        { "(1)", nameof(ParenExpr), 0, 3 },
        { "\"a\"", nameof(StringLiteral), 0, 3 },
        { "-foo", nameof(UnaryExpr), 0, 4 },
        { "5m", nameof(NumberLiteral), 0, 2 },
    };

    [Theory]
    [MemberData(nameof(Positions))]
    public void NodesCarryExactPositions(string query, string type, int start, int end)
    {
        var e = P(query);
        Assert.Equal(type, e.GetType().Name);
        Assert.Equal(new PositionRange(start, end), e.Pos);
    }

    [Fact]
    public void InnerPositionsAreExact()
    {
        var b = Assert.IsType<BinaryExpr>(P("sum(rate(foo[5m])) / on(job) bar"));
        var agg = Assert.IsType<AggregateExpr>(b.LHS);
        Assert.Equal(new PositionRange(0, 18), agg.Pos);
        var call = Assert.IsType<Call>(agg.Expr);
        Assert.Equal(new PositionRange(4, 17), call.Pos);
        var ms = Assert.IsType<MatrixSelector>(call.Args[0]);
        Assert.Equal(new PositionRange(9, 16), ms.Pos);
        Assert.Equal(new PositionRange(9, 12), ms.VectorSelector.Pos);
        Assert.Equal(new PositionRange(29, 32), b.RHS.Pos);
        Assert.Equal(new PositionRange(0, 32), b.Pos);
    }

    public static TheoryData<string, double> Numbers => new()
    {
        { "1", 1 },
        { "1.5", 1.5 },
        { ".5", 0.5 },
        { "5.", 5 },
        { "1e3", 1000 },
        { "1E-3", 0.001 },
        { "0x1F", 31 },
        { "0X_ff", 255 },
        { "010", 8 },
        { "08", 8 },
        { "1_000", 1000 },
        { "-1", -1 },
        { "+2", 2 },
        { "- -3", 3 },
        { "Inf", double.PositiveInfinity },
        { "+inf", double.PositiveInfinity },
        { "-Inf", double.NegativeInfinity },
        { "9223372036854775808", 9223372036854775808.0 },
        { "1h30m", 5400 },
        { "-5m", -300 },
        { "1ms", 0.001 },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void ParsesNumberLiterals(string q, double expected)
    {
        var n = Assert.IsType<NumberLiteral>(P(q));
        Assert.Equal(expected, n.Val);
    }

    [Fact]
    public void NaNAndDurationFlag()
    {
        Assert.True(double.IsNaN(Assert.IsType<NumberLiteral>(P("NaN")).Val));
        Assert.True(Assert.IsType<NumberLiteral>(P("5m")).Duration);
        Assert.False(Assert.IsType<NumberLiteral>(P("300")).Duration);
    }

    public static TheoryData<string, string> Strings => new()
    {
        { "\"a\\nb\"", "a\nb" },
        { "'it\\'s'", "it's" },
        { "'say \"hi\"'", "say \"hi\"" },
        { "`raw\\n`", "raw\\n" },
        { "\"\\u00e9\\U0001F600\"", "é😀" },
        { "\"\\x41\\101\"", "AA" },
        { "\"\\a\\b\\f\\r\\t\\v\\\\\"", "\a\b\f\r\t\v\\" },
        { "\"\\xc3\\xa9\"", "é" },
    };

    [Theory]
    [MemberData(nameof(Strings))]
    public void UnquotesStrings(string q, string expected)
    {
        Assert.Equal(expected, Assert.IsType<StringLiteral>(P(q)).Val);
    }

    [Fact]
    public void InvalidUtf8BytesPrintBackAsGoEscapes()
    {
        var lit = Assert.IsType<StringLiteral>(P("\"a\\xc5z\""));
        Assert.Equal(3, lit.Val.Length);
        Assert.Equal(0xDCC5, lit.Val[1]);
        Assert.Equal("\"a\\xc5z\"", P("\"a\\xc5z\"").ToString());
    }

    [Fact]
    public void OperatorPrecedenceAndAssociativity()
    {
        var pow = Assert.IsType<BinaryExpr>(P("2 ^ 3 ^ 2"));
        Assert.IsType<NumberLiteral>(pow.LHS);
        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(pow.RHS).Op);

        var sub = Assert.IsType<BinaryExpr>(P("1 - 2 - 3"));
        Assert.Equal(BinaryOp.Sub, Assert.IsType<BinaryExpr>(sub.LHS).Op);
        Assert.IsType<NumberLiteral>(sub.RHS);

        var or = Assert.IsType<BinaryExpr>(P("a or b and c unless d"));
        Assert.Equal(BinaryOp.Or, or.Op);
        var unless = Assert.IsType<BinaryExpr>(or.RHS);
        Assert.Equal(BinaryOp.Unless, unless.Op);
        Assert.Equal(BinaryOp.And, Assert.IsType<BinaryExpr>(unless.LHS).Op);

        var cmp = Assert.IsType<BinaryExpr>(P("a + b > c * d"));
        Assert.Equal(BinaryOp.Gtr, cmp.Op);
        Assert.Equal(BinaryOp.Add, Assert.IsType<BinaryExpr>(cmp.LHS).Op);
        Assert.Equal(BinaryOp.Mul, Assert.IsType<BinaryExpr>(cmp.RHS).Op);

        var neg = Assert.IsType<UnaryExpr>(P("-2 ^ 2"));
        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(neg.Expr).Op);

        var mul = Assert.IsType<BinaryExpr>(P("-a * b"));
        Assert.IsType<UnaryExpr>(mul.LHS);

        var atan = Assert.IsType<BinaryExpr>(P("a + b atan2 c"));
        Assert.Equal(BinaryOp.Atan2, Assert.IsType<BinaryExpr>(atan.RHS).Op);

        var off = Assert.IsType<BinaryExpr>(P("a + b offset 5m"));
        Assert.Equal(300_000, Assert.IsType<VectorSelector>(off.RHS).OriginalOffset);

        var trim = Assert.IsType<BinaryExpr>(P("h </ 2 + 1"));
        Assert.Equal(BinaryOp.Add, trim.Op);
        Assert.Equal(BinaryOp.TrimUpper, Assert.IsType<BinaryExpr>(trim.LHS).Op);
    }

    [Fact]
    public void VectorMatchingModifiers()
    {
        var b = Assert.IsType<BinaryExpr>(P("a * on(x, y) group_left(z) b"));
        var vm = b.VectorMatching!;
        Assert.True(vm.On);
        Assert.Equal(["x", "y"], vm.MatchingLabels);
        Assert.Equal(VectorMatchCardinality.ManyToOne, vm.Card);
        Assert.Equal(["z"], vm.Include);

        var r = Assert.IsType<BinaryExpr>(P("a / ignoring(x) group_right b")).VectorMatching!;
        Assert.False(r.On);
        Assert.Equal(VectorMatchCardinality.OneToMany, r.Card);
        Assert.Empty(r.Include);

        Assert.Equal(VectorMatchCardinality.ManyToMany, Assert.IsType<BinaryExpr>(P("a and b")).VectorMatching!.Card);
        Assert.Null(Assert.IsType<BinaryExpr>(P("a + 1")).VectorMatching);
        Assert.True(Assert.IsType<BinaryExpr>(P("a > bool 1")).ReturnBool);
        Assert.True(Assert.IsType<BinaryExpr>(P("1 == bool 1")).ReturnBool);

        var f = Assert.IsType<BinaryExpr>(P("a + fill_right(2) fill_left(-1) b")).VectorMatching!.Fill!;
        Assert.Equal(-1, f.Lhs);
        Assert.Equal(2, f.Rhs);
        var both = Assert.IsType<BinaryExpr>(P("a + on(x) group_left fill(NaN) b")).VectorMatching!;
        Assert.True(double.IsNaN(both.Fill!.Lhs!.Value) && double.IsNaN(both.Fill.Rhs!.Value));
        Assert.Equal(VectorMatchCardinality.ManyToOne, both.Card);

        var metric = Assert.IsType<BinaryExpr>(P("fill + fill(0) fill"));
        Assert.Equal("fill", Assert.IsType<VectorSelector>(metric.LHS).Name);
        Assert.Equal("fill", Assert.IsType<VectorSelector>(metric.RHS).Name);
    }

    [Fact]
    public void Aggregations()
    {
        var a = Assert.IsType<AggregateExpr>(P("sum without (a, b) (x)"));
        Assert.True(a.Without);
        Assert.Equal(["a", "b"], a.Grouping);
        var b = Assert.IsType<AggregateExpr>(P("SUM(x) BY (job,)"));
        Assert.Equal(AggregationOp.Sum, b.Op);
        Assert.Equal(["job"], b.Grouping);
        var t = Assert.IsType<AggregateExpr>(P("topk(3, x)"));
        Assert.Equal(3, Assert.IsType<NumberLiteral>(t.Param).Val);
        var c = Assert.IsType<AggregateExpr>(P("count_values(\"v\", x)"));
        Assert.Equal("v", Assert.IsType<StringLiteral>(c.Param).Val);
        Assert.Equal(AggregationOp.LimitRatio, Assert.IsType<AggregateExpr>(P("limit_ratio(0.5, x)")).Op);
        Assert.Equal(AggregationOp.Limitk, Assert.IsType<AggregateExpr>(P("limitk(1, x)")).Op);
        Assert.Equal(["quoted.label"], Assert.IsType<AggregateExpr>(P("sum by (\"quoted.label\") (x)")).Grouping);
        foreach (var op in new[] { "avg", "min", "max", "group", "stddev", "stdvar", "count" })
            Assert.IsType<AggregateExpr>(P(op + "(x)"));
        Assert.Equal("sum", Assert.IsType<VectorSelector>(P("sum")).Name);
    }

    [Fact]
    public void Selectors()
    {
        var v = Assert.IsType<VectorSelector>(P("foo{a=\"1\", b!=\"2\", c=~\"3\", d!~\"4\"}"));
        Assert.Equal("foo", v.Name);
        Assert.Equal(5, v.LabelMatchers.Count);
        Assert.Equal(MatchType.NotRegex, v.LabelMatchers[3].Type);
        Assert.Equal(("__name__", "foo"), (v.LabelMatchers[4].Name, v.LabelMatchers[4].Value));

        var q = Assert.IsType<VectorSelector>(P("{\"my.metric\", \"a.b\"=\"x\"}"));
        Assert.Equal("", q.Name);
        Assert.Contains(q.LabelMatchers, m => m.Name == "__name__" && m.Value == "my.metric");
        Assert.Contains(q.LabelMatchers, m => m.Name == "a.b" && m.Value == "x");

        var kw = Assert.IsType<VectorSelector>(P("foo{by=\"x\", offset=\"y\"}"));
        Assert.Equal(3, kw.LabelMatchers.Count);
        Assert.Equal("job:rate5m", Assert.IsType<VectorSelector>(P("job:rate5m")).Name);

        var neg = Assert.IsType<VectorSelector>(P("foo offset -5m @ 1.5"));
        Assert.Equal(-300_000, neg.OriginalOffset);
        Assert.Equal(-300_000, neg.Offset);
        Assert.Equal(1500, neg.Timestamp);
        Assert.Equal(AtModifier.End, Assert.IsType<VectorSelector>(P("foo @ end()")).StartOrEnd);

        var ms = Assert.IsType<MatrixSelector>(P("foo[1h30m] @ start() offset 1m"));
        Assert.Equal(5_400_000, ms.Range);
        Assert.Null(ms.RangeExpr);
        Assert.Equal(AtModifier.Start, ms.VectorSelector.StartOrEnd);
        Assert.Equal(60_000, ms.VectorSelector.OriginalOffset);

        Assert.Equal(1_800_000, Assert.IsType<MatrixSelector>(P("foo[1800]")).Range);
        Assert.True(Assert.IsType<MatrixSelector>(P("foo[1m] anchored")).VectorSelector.Anchored);
        Assert.True(Assert.IsType<VectorSelector>(P("foo offset 1m smoothed")).Smoothed);

        var sq = Assert.IsType<SubqueryExpr>(P("rate(x[5m])[30m:1m] offset 2m @ 100"));
        Assert.Equal(1_800_000, sq.Range);
        Assert.Equal(60_000, sq.Step);
        Assert.Equal(120_000, sq.OriginalOffset);
        Assert.Equal(100_000, sq.Timestamp);
        Assert.Equal(0, Assert.IsType<SubqueryExpr>(P("x[5m:]")).Step);
        Assert.Equal(ValueType.Matrix, sq.Type);
    }

    [Fact]
    public void DurationExpressions()
    {
        var m = Assert.IsType<MatrixSelector>(P("foo[5m+1m]"));
        Assert.Equal(360_000, m.Range);
        Assert.NotNull(m.RangeExpr);
        Assert.True(m.RangeExpr!.IsConstant);

        var s = Assert.IsType<MatrixSelector>(P("foo[step()]"));
        Assert.False(s.RangeExpr!.IsConstant);
        Assert.Equal(15_000, s.RangeExpr.EvaluateMs(15_000, 0));

        var mm = Assert.IsType<MatrixSelector>(P("foo[max_of(min_of(step()+1,1h),1ms)]"));
        Assert.Equal(6_000, mm.RangeExpr!.EvaluateMs(5_000, 0));

        var off = Assert.IsType<VectorSelector>(P("foo offset (1h*2)"));
        Assert.Equal(7_200_000, off.OriginalOffset);
        Assert.NotNull(off.OriginalOffsetExpr);

        var outer = Assert.IsType<BinaryExpr>(P("foo offset -2 ^ 2"));
        Assert.Equal(-2_000, Assert.IsType<VectorSelector>(outer.LHS).OriginalOffset);

        var stepOff = Assert.IsType<BinaryExpr>(P("foo offset -step()*2"));
        var vs = Assert.IsType<VectorSelector>(stepOff.LHS);
        Assert.Equal(-5_000, vs.OriginalOffsetExpr!.EvaluateMs(5_000, 0));

        var neg = Assert.IsType<VectorSelector>(P("foo offset (-2 ^ 2)"));
        Assert.Equal(-4_000, neg.OriginalOffset);

        var sq = Assert.IsType<SubqueryExpr>(P("x[29s+1s:((((8 - 2) / 3) * 7s) % 4) + 8000ms]"));
        Assert.Equal(30_000, sq.Range);
        Assert.Equal(10_000, sq.Step);

        Assert.Equal(600_000, Assert.IsType<MatrixSelector>(P("x[range()]")).RangeExpr!.EvaluateMs(0, 600_000));
    }

    [Fact]
    public void FunctionsAndInfo()
    {
        var c = Assert.IsType<Call>(P("label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")"));
        Assert.Equal(6, c.Args.Count);
        Assert.Equal(ValueType.Vector, c.Type);
        Assert.Equal(ValueType.Scalar, P("time()").Type);
        Assert.Equal(ValueType.Scalar, P("start()").Type);
        var info = Assert.IsType<Call>(P("info(metric, {data=~\".+\"})"));
        Assert.True(Assert.IsType<VectorSelector>(info.Args[1]).BypassEmptyMatcherCheck);
        Assert.IsType<Call>(P("histogram_quantiles(x, \"q\", 0.1, 0.5)"));
        Assert.IsType<Call>(P("round(x)"));
        Assert.IsType<Call>(P("year()"));
    }

    [Fact]
    public void EveryDocumentedFunctionIsRegistered()
    {
        string[] names =
        [
            "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month",
            "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "end", "double_exponential_smoothing", "exp",
            "floor", "histogram_avg", "histogram_count", "histogram_sum", "histogram_fraction", "histogram_quantile",
            "histogram_quantiles", "histogram_stddev", "histogram_stdvar", "hour", "idelta", "increase", "info", "irate",
            "label_join", "label_replace", "max_of", "min_of", "ln", "log2", "log10", "minute", "month", "predict_linear",
            "range", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
            "sqrt", "start", "start_timestamp", "step", "time", "timestamp", "vector", "year", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time",
            "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time", "mad_over_time",
            "ts_of_min_over_time", "ts_of_max_over_time", "ts_of_last_over_time", "ts_of_first_over_time", "acos", "acosh",
            "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "pi", "rad",
        ];
        foreach (var n in names) Assert.True(Functions.TryGet(n, out var f) && f.Name == n, n);
        Assert.False(Functions.TryGet("holt_winters", out _));
        Assert.True(Functions.TryGet("sort_by_label", out var sbl) && sbl.Experimental && sbl.Variadic == -1);
    }

    [Fact]
    public void ExtendedSelectorRulesForTheEngine()
    {
        Assert.Null(ExtendedSelectors.ValidateCall((Call)P("rate(foo[3m] smoothed)")));
        Assert.Equal("smoothed modifier can only be used with: delta, increase, rate - not with deriv",
            ExtendedSelectors.ValidateCall((Call)P("deriv(foo[3m] smoothed)")));
        Assert.Equal("anchored modifier can only be used with: changes, delta, increase, rate, resets - not with max_over_time",
            ExtendedSelectors.ValidateCall((Call)P("max_over_time(foo[3m] anchored)")));
    }

    [Fact]
    public void MetricSelectorEntryPoint()
    {
        var m = PromQLParser.ParseMetricSelector("up{job=\"api\"}");
        Assert.Equal(2, m.Count);
        Assert.Contains(m, x => x.Name == "__name__" && x.Value == "up");
        Assert.Single(PromQLParser.ParseMetricSelector("{__name__=~\"a.*\"}"));
        Assert.Throws<PromQLParseException>(() => PromQLParser.ParseMetricSelector("up + 1"));
        Assert.Single(PromQLParser.ParseMetricSelector("{a=\"\"}"));
        Assert.Throws<PromQLParseException>(() => PromQLParser.ParseMetricSelector("up[5m]"));
        Assert.Throws<PromQLParseException>(() => PromQLParser.ParseMetricSelector("up{a=~\"(\"}"));
        Assert.Throws<PromQLParseException>(() => PromQLParser.ParseMetricSelector(""));
    }

    [Fact]
    public void DurationEntryPoint()
    {
        Assert.Equal(5_400_000, PromQLParser.ParseDuration("1h30m"));
        var ex = Assert.Throws<PromQLParseException>(() => PromQLParser.ParseDuration("5m1h"));
        Assert.Contains("not a valid duration string", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommentsAndWhitespaceAreIgnored()
    {
        var b = Assert.IsType<BinaryExpr>(P("foo # comment\n + bar{a=\"b\" # inside\n}"));
        Assert.Equal(BinaryOp.Add, b.Op);
    }
}
