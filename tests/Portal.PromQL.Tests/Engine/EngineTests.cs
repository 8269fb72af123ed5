using Portal.Model;
using Portal.PromQL.PromqlTest;

namespace Portal.PromQL.Tests.Engine;

public class EngineTests
{
    private static MemoryStorage Storage(params (string Name, string Job, double Start, double Inc, int Count, long StepMs)[] series)
    {
        var st = new MemoryStorage();
        foreach (var s in series)
        {
            var l = Labels.FromStrings("__name__", s.Name, "job", s.Job);
            for (int i = 0; i < s.Count; i++) st.Add(l, i * s.StepMs, s.Start + i * s.Inc);
        }
        return st;
    }

    private static VectorResult Vector(QueryResult r)
    {
        Assert.Null(r.Error);
        return Assert.IsType<VectorResult>(r.Value);
    }

    [Fact]
    public void RateExtrapolatesToTheWindowBoundaries()
    {
        var st = Storage(("http_requests_total", "api", 0, 10, 11, 60_000));
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(st, "rate(http_requests_total[5m])", 600_000);
        var v = Vector(r);
        var s = Assert.Single(v.Samples);
        Assert.Equal(10.0 / 60, s.F, 9);
        Assert.Equal("{job=\"api\"}", s.Metric.ToString());
        Assert.Empty(r.Infos);
    }

    [Fact]
    public void RateOnANonCounterNameAddsAnInfoWithPosition()
    {
        var st = Storage(("requests", "api", 0, 10, 11, 60_000));
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(st, "rate(requests[5m])", 600_000);
        Assert.Equal(
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"requests\" (1:6)",
            Assert.Single(r.Infos));
    }

    [Fact]
    public void InstantSelectorHonoursLookbackAndStaleness()
    {
        var st = new MemoryStorage();
        var l = Labels.FromStrings("__name__", "up", "job", "a");
        st.Add(l, 0, 1);
        st.Add(l, 60_000, SampleValue.StaleNaN);
        var engine = new PromQLEngine(new EngineOptions());
        Assert.Single(Vector(engine.InstantQuery(st, "up", 30_000)).Samples);
        Assert.Empty(Vector(engine.InstantQuery(st, "up", 60_000)).Samples);
        // Lookback is left-open: a sample exactly 5m old is out.
        var st2 = new MemoryStorage();
        st2.Add(l, 0, 1);
        Assert.Single(Vector(engine.InstantQuery(st2, "up", 299_999)).Samples);
        Assert.Empty(Vector(engine.InstantQuery(st2, "up", 300_000)).Samples);
    }

    [Fact]
    public void RangeQuerySumsByJob()
    {
        var st = Storage(("x_total", "a", 0, 1, 100, 15_000), ("x_total", "b", 0, 2, 100, 15_000));
        var r = new PromQLEngine(new EngineOptions()).RangeQuery(st, "sum by (job) (x_total)", 0, 60_000, 15_000);
        Assert.Null(r.Error);
        var m = Assert.IsType<MatrixResult>(r.Value);
        Assert.Equal(2, m.Series.Count);
        Assert.Equal("{job=\"a\"}", m.Series[0].Metric.ToString());
        Assert.Equal([0.0, 1, 2, 3, 4], m.Series[0].Floats.Select(p => p.V));
        Assert.Equal([0.0, 2, 4, 6, 8], m.Series[1].Floats.Select(p => p.V));
    }

    [Fact]
    public void HistogramQuantileFixesMonotonicity()
    {
        var st = new MemoryStorage();
        void B(string le, double v) => st.Add(Labels.FromStrings("__name__", "h_bucket", "le", le), 0, v);
        B("1", 10);
        B("2", 8);
        B("+Inf", 20);
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(st, "histogram_quantile(0.5, h_bucket)", 0);
        var s = Assert.Single(Vector(r).Samples);
        Assert.Equal(1.0, s.F, 9);
        Assert.Contains(r.Infos, i => i.Contains("needed to be fixed for monotonicity"));
    }

    [Fact]
    public void ParseErrorsAreBadData()
    {
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(new MemoryStorage(), "sum(", 0);
        Assert.Equal(ErrorKind.BadData, r.Error!.Kind);
        Assert.Equal("bad_data", r.Error.ErrorType);
    }

    [Fact]
    public void MaxSamplesStopsTheQuery()
    {
        var st = Storage(("x", "a", 0, 1, 1000, 1000));
        var r = new PromQLEngine(new EngineOptions { MaxSamples = 100 }).RangeQuery(st, "x", 0, 999_000, 1000);
        Assert.Equal(ErrorKind.Execution, r.Error!.Kind);
        Assert.Contains("too many samples", r.Error.Message);
    }

    [Fact]
    public void CanceledTokenGivesCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(Storage(("x", "a", 0, 1, 10, 1000)), "x", 0, cts.Token);
        Assert.Equal(ErrorKind.Canceled, r.Error!.Kind);
    }

    [Fact]
    public void CancelingARunningQueryStopsItMidEvaluation()
    {
        var st = Storage(("x", "a", 0, 1, 10, 1000));
        var engine = new PromQLEngine(new EngineOptions { Timeout = TimeSpan.FromHours(1), MaxSamples = int.MaxValue });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var r = engine.InstantQuery(st, "max_over_time(count_over_time(vector(1)[1h:1s])[1y:1m])", 10_000, cts.Token);
        Assert.NotNull(r.Error);
        Assert.Equal(ErrorKind.Canceled, r.Error!.Kind);
    }

    [Fact]
    public void TimeoutStopsAPathologicalSubquery()
    {
        var st = Storage(("x", "a", 0, 1, 10, 1000));
        var engine = new PromQLEngine(new EngineOptions { Timeout = TimeSpan.FromMilliseconds(10), MaxSamples = int.MaxValue });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // vector(1) has a value at every step: 525,600 outer steps of 3,600 inner steps each, far beyond the timeout on any machine.
        var r = engine.InstantQuery(st, "max_over_time(count_over_time(vector(1)[1h:1s])[1y:1m])", 10_000);
        sw.Stop();
        Assert.NotNull(r.Error);
        Assert.True(r.Error!.Kind is ErrorKind.Timeout or ErrorKind.Execution, r.Error.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void RangeQueryRejectsBadSteps()
    {
        var engine = new PromQLEngine(new EngineOptions());
        Assert.Equal(ErrorKind.BadData, engine.RangeQuery(new MemoryStorage(), "1", 0, 10, 0).Error!.Kind);
        Assert.Equal(ErrorKind.BadData, engine.RangeQuery(new MemoryStorage(), "1", 0, 100_000_000, 1).Error!.Kind);
        Assert.Equal(ErrorKind.BadData, engine.RangeQuery(new MemoryStorage(), "x[5m]", 0, 10, 1).Error!.Kind);
    }

    [Fact]
    public void DeepNestingIsRejectedNotCrashing()
    {
        string q = new string('(', 5000) + "1" + new string(')', 5000);
        var r = new PromQLEngine(new EngineOptions()).InstantQuery(new MemoryStorage(), q, 0);
        Assert.NotNull(r.Error);
    }
}
