using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Pages;

/// <summary>The pure logic behind the Explore and Configuration pages.</summary>
public sealed class LogicTests
{
    [Fact]
    public void ABadQueryIsPlacedAtItsLineAndColumn()
    {
        const string query = "sum(rate(x[5m])\n  by (job)";
        var errors = PromQLDiagnostics.Check(query);
        var e = Assert.Single(errors);
        Assert.True(e.Line >= 1);
        var (source, marker) = PromQLDiagnostics.MarkerFor(query, e);
        Assert.Contains('^', marker);
        Assert.Equal(e.Column - 1, marker.IndexOf('^'));
        Assert.Equal(query.Split('\n')[e.Line - 1], source);
    }

    [Fact]
    public void AnErrorOnTheSecondLineCountsColumnsFromThatLine()
    {
        const string query = "up\n  + )";
        var e = Assert.Single(PromQLDiagnostics.Check(query));
        Assert.Equal(2, e.Line);
        Assert.Equal(5, e.Column);
        var (source, marker) = PromQLDiagnostics.MarkerFor(query, e);
        Assert.Equal("  + )", source);
        Assert.Equal("    ^", marker);
    }

    [Theory]
    [InlineData("up")]
    [InlineData("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))")]
    [InlineData("")]
    [InlineData("   ")]
    public void ValidOrBlankQueriesHaveNoErrors(string query) => Assert.Empty(PromQLDiagnostics.Check(query));

    public static TheoryData<long, long?, long> Steps => new()
    {
        { 5 * 60_000, null, 1_000 },            // 5m / 250 = 1.2s → whole seconds → 1s
        { 60_000, null, 1_000 },                // never below 1s
        { 3600_000, null, 14_000 },             // 1h / 250 = 14.4s → 14s
        { 24 * 3600_000L, null, 345_000 },      // 24h / 250 = 345.6s
        { 7 * 24 * 3600_000L, null, 2_419_000 },
        { 3600_000, 15_000, 15_000 },           // an explicit step wins
        { 24 * 3600_000L, 1_000, 7_855 },       // but not past 11,000 points
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void StepIsRangeOver250WithinBounds(long rangeMs, long? requested, long expected) =>
        Assert.Equal(expected, QueryRange.StepMs(rangeMs, requested));

    [Fact]
    public void RangesRoundTripThroughTheUrl()
    {
        Assert.Equal("15m", QueryRange.Parse("15m")!.ToQueryString());
        var abs = QueryRange.Parse("1700000000~1700003600")!;
        Assert.True(abs.IsAbsolute);
        Assert.Equal((1700000000_000L, 1700003600_000L), abs.Resolve(DateTimeOffset.UnixEpoch));
        Assert.Equal("1700000000~1700003600", abs.ToQueryString());
        Assert.Null(QueryRange.Parse("1700003600~1700000000"));
        Assert.Null(QueryRange.Parse("soon"));
        Assert.Null(QueryRange.Parse("1796000000000~1796015000000"));
        var rel = QueryRange.Parse("1h")!;
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        Assert.Equal((1_000_000_000L - 3600_000, 1_000_000_000L), rel.Resolve(now));
    }

    [Fact]
    public void DiffMarksChangedLinesAndKeepsTheRest()
    {
        var diff = LineDiff.Compute("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
        Assert.Equal(
            ["  a", "- b", "+ B", "  c", "  d", "+ e"],
            diff.Select(d => (d.Kind switch { DiffKind.Added => "+ ", DiffKind.Removed => "- ", _ => "  " }) + d.Text).ToArray());
        Assert.Equal(2, diff.First(d => d.Kind == DiffKind.Added).NewLine);
        Assert.Equal(2, diff.First(d => d.Kind == DiffKind.Removed).OldLine);
        Assert.True(LineDiff.HasChanges(diff));
        Assert.False(LineDiff.HasChanges(LineDiff.Compute("x\r\ny", "x\ny\n")));
    }

    [Fact]
    public void DiffFromNothingAddsEveryLine()
    {
        var diff = LineDiff.Compute(null, "global:\n  scrape_interval: 15s");
        Assert.All(diff, d => Assert.Equal(DiffKind.Added, d.Kind));
        Assert.Equal(2, diff.Count);
    }

    public static TheoryData<string, CompletionKind, string, string?, string?> Contexts => new()
    {
        { "rat", CompletionKind.MetricOrFunction, "rat", null, null },
        { "sum(http_req", CompletionKind.MetricOrFunction, "http_req", null, null },
        { "http_requests_total{co", CompletionKind.LabelName, "co", "http_requests_total", null },
        { "http_requests_total{code=\"5", CompletionKind.LabelValue, "5", "http_requests_total", "code" },
        { "up{job=\"a\", inst", CompletionKind.LabelName, "inst", "up", null },
        { "sum by (jo", CompletionKind.LabelName, "jo", null, null },
        { "rate(x[5", CompletionKind.None, "", null, null },
        { "\"some string", CompletionKind.None, "", null, null },
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void CompletionKnowsWhatIsBeingTyped(string text, CompletionKind kind, string prefix, string? metric, string? label)
    {
        var c = PromQLCompletion.At(text);
        Assert.Equal(kind, c.Kind);
        if (kind == CompletionKind.None) return;
        Assert.Equal(prefix, c.Prefix);
        Assert.Equal(metric, c.Metric);
        Assert.Equal(label, c.Label);
    }

    [Fact]
    public void ApplyingACompletionReplacesThePartialWord()
    {
        const string text = "up{job=\"pro";
        var c = PromQLCompletion.At(text);
        Assert.Equal("up{job=\"prometheus\"", PromQLCompletion.Apply(text, c, "prometheus"));
        var f = PromQLCompletion.At("sum(ra");
        Assert.Equal("sum(rate", PromQLCompletion.Apply("sum(ra", f, "rate"));
        Assert.Equal(["rate", "rad"], PromQLCompletion.Filter(["rate", "up", "rad", "ra"], "ra").OrderByDescending(x => x).ToArray());
    }

    [Fact]
    public void ChartSeriesBreakWhereSamplesAreMissing()
    {
        var samples = new Portal.Model.Sample[] { new(0, 1), new(1000, 2), new(4000, double.NaN), new(5000, 3) };
        var (t, v) = ChartSeries.WithGaps(samples, 1000);
        Assert.Equal([0L, 1000, 2000, 4000, 5000], t);
        Assert.Equal([1.0, 2.0, null, null, 3.0], v);

        // Explore's graph puts the same points on the query's step grid: absent steps and NaN are gaps there too.
        var m = new Portal.PromQL.MatrixSeries(Portal.Model.Labels.FromStrings("__name__", "x"), samples);
        var s = Assert.Single(Portal.Web.Charts.ChartData.FromMatrix([m], 0, 5000, 1000, ChartSeries.Palette).Lines);
        Assert.Equal([1.0, 2.0, double.NaN, double.NaN, double.NaN, 3.0], s.Values);
        Assert.Equal("x", s.Name);
    }
}
