using Portal.Config.Prometheus;
using Portal.Ingest.Scrape;
using Portal.Model;

namespace Portal.Ingest.Tests;

public class ScrapeLoopTests
{
    private static ScrapeTarget Target(string job = "app", string instance = "host:9100") =>
        new(Labels.FromStrings("__address__", instance, "job", job, "instance", instance), Labels.Empty, job,
            new Uri($"http://{instance}/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));

    private static (ScrapeLoop, FakeScraper, RecordingAppendable) Loop(ScrapeOptions? opts = null, ScrapeTarget? target = null)
    {
        var s = new FakeScraper();
        var a = new RecordingAppendable();
        return (new ScrapeLoop(target ?? Target(), a, s, opts ?? new ScrapeOptions()), s, a);
    }

    [Fact]
    public async Task AppendsSamplesWithTargetLabelsAndSyntheticSeries()
    {
        var (loop, s, a) = Loop();
        s.Body = "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 10\nhttp_requests_total{code=\"500\"} 2\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.True(r.Up, r.Error);
        Assert.Equal(2, r.Scraped);
        Assert.Equal(2, r.SeriesAdded);
        var l = Labels.FromStrings("__name__", "http_requests_total", "code", "200", "job", "app", "instance", "host:9100");
        Assert.Equal(10, Assert.Single(a.Samples(l)).V);
        Assert.Equal(1, a.Samples("__name__", "up", "job", "app", "instance", "host:9100")[0].V);
        Assert.Equal(2, a.Last("scrape_samples_scraped"));
        Assert.Equal(2, a.Last("scrape_samples_post_metric_relabeling"));
        Assert.Equal(2, a.Last("scrape_series_added"));
        Assert.True(a.Last("scrape_duration_seconds") >= 0);
        Assert.Equal(TargetHealth.Up, loop.Target.State.Health);

        r = await loop.ScrapeAndReportAsync();
        Assert.Equal(0, r.SeriesAdded);
        Assert.Equal(2, a.Samples(l).Count);
    }

    [Fact]
    public async Task CachedSeriesKeepTheStoragesLabelSetNotTheirOwn()
    {
        var (loop, s, a) = Loop();
        s.Body = "temp{room=\"b\"} 20\n";
        await loop.ScrapeAndReportAsync();
        await loop.ScrapeAndReportAsync();
        var stored = a.StoredCopy(Labels.FromStrings("__name__", "temp", "room", "b", "job", "app", "instance", "host:9100"));
        Assert.NotNull(stored);
        var appended = a.AppendedLabels.Where(l => l.MetricNameValue == "temp").ToList();
        Assert.Equal(2, appended.Count);
        Assert.False(ReferenceEquals(appended[0], stored), "the first scrape appends the parsed labels");
        Assert.Same(stored, appended[1]);
    }

    [Fact]
    public async Task DisappearedSeriesGetStalenessMarkers()
    {
        var (loop, s, a) = Loop();
        s.Body = "a 1\nb 2\n";
        await loop.ScrapeAndReportAsync();
        s.Body = "a 3\n";
        await loop.ScrapeAndReportAsync();
        var b = a.Samples("__name__", "b", "job", "app", "instance", "host:9100");
        Assert.Equal(2, b.Count);
        Assert.True(SampleValue.IsStaleNaN(b[1].V));
        // Only once.
        await loop.ScrapeAndReportAsync();
        Assert.Equal(2, a.Samples("__name__", "b", "job", "app", "instance", "host:9100").Count);
    }

    [Fact]
    public async Task HonorLabelsDecidesConflicts()
    {
        var (loop, s, a) = Loop();
        s.Body = "m{job=\"pushed\",instance=\"x\"} 1\n";
        await loop.ScrapeAndReportAsync();
        Assert.NotNull(a.Find("m", "exported_job", "pushed"));
        Assert.Equal("x", a.Find("m")!.Get("exported_instance"));
        Assert.Equal("app", a.Find("m")!.Get("job"));

        var (loop2, s2, a2) = Loop(new ScrapeOptions { HonorLabels = true });
        s2.Body = "m{job=\"pushed\"} 1\n";
        await loop2.ScrapeAndReportAsync();
        var m = a2.Find("m")!;
        Assert.Equal("pushed", m.Get("job"));
        Assert.Equal("host:9100", m.Get("instance"));
        Assert.False(m.Has("exported_job"));
    }

    [Fact]
    public async Task HonorTimestamps()
    {
        var (loop, s, a) = Loop();
        s.Body = "m 1 1000\n";
        await loop.ScrapeAndReportAsync();
        Assert.Equal(1000, a.Samples(a.Find("m")!)[0].T);
        var (loop2, s2, a2) = Loop(new ScrapeOptions { HonorTimestamps = false });
        s2.Body = "m 1 1000\n";
        await loop2.ScrapeAndReportAsync();
        Assert.True(a2.Samples(a2.Find("m")!)[0].T > 1_000_000_000_000);
    }

    [Fact]
    public async Task ExplicitTimestampSeriesAreNotStaledUnlessTracked()
    {
        var (loop, s, a) = Loop();
        s.Body = "m 1 1000\n";
        await loop.ScrapeAndReportAsync();
        s.Body = "";
        await loop.ScrapeAndReportAsync();
        Assert.Single(a.Samples(a.Find("m")!));

        var (loop2, s2, a2) = Loop(new ScrapeOptions { TrackTimestampsStaleness = true });
        s2.Body = "m 1 1000\n";
        await loop2.ScrapeAndReportAsync();
        s2.Body = "";
        await loop2.ScrapeAndReportAsync();
        Assert.True(SampleValue.IsStaleNaN(a2.Samples(a2.Find("m")!)[^1].V));
    }

    [Fact]
    public async Task SampleLimitFailsTheWholeScrape()
    {
        var (loop, s, a) = Loop(new ScrapeOptions { SampleLimit = 2 });
        s.Body = "a 1\n";
        await loop.ScrapeAndReportAsync();
        s.Body = "a 2\nb 2\nc 3\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.False(r.Up);
        Assert.Contains("sample limit exceeded", r.Error);
        Assert.Null(a.Find("b"));
        Assert.Null(a.Find("c"));
        var aSamples = a.Samples(a.Find("a")!);
        Assert.Equal(2, aSamples.Count);
        Assert.True(SampleValue.IsStaleNaN(aSamples[1].V)); // a failed scrape is an empty scrape
        Assert.Equal(0, a.Last("up"));
        Assert.True(3 == a.Last("scrape_samples_scraped"), string.Join(",", a.Samples(a.Find("scrape_samples_scraped")!)) + r);
        Assert.Equal(TargetHealth.Down, loop.Target.State.Health);
        Assert.Contains("sample limit", loop.Target.State.LastError);
    }

    [Theory]
    [InlineData(2, 0, 0, "label_limit exceeded")]
    [InlineData(0, 3, 0, "label_name_length_limit exceeded")]
    [InlineData(0, 0, 4, "label_value_length_limit exceeded")]
    public async Task LabelLimits(int count, int nameLen, int valueLen, string expected)
    {
        var (loop, s, a) = Loop(new ScrapeOptions { LabelLimit = count, LabelNameLengthLimit = nameLen, LabelValueLengthLimit = valueLen });
        s.Body = "m{long_name=\"long value\"} 1\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.False(r.Up);
        Assert.StartsWith(expected, r.Error);
        Assert.Null(a.Find("m"));
    }

    [Fact]
    public async Task ParseErrorIsShownWithPosition()
    {
        var (loop, s, a) = Loop();
        s.Body = "ok 1\nbad{x=1} 2\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.False(r.Up);
        Assert.Equal("parse error at line 2, column 7: expected label value (a double-quoted string), got \"1} 2\"", r.Error);
        Assert.Null(a.Find("ok"));
        Assert.Equal(0, a.Last("up"));
    }

    [Fact]
    public async Task FetchErrorMarksTargetDown()
    {
        var (loop, s, a) = Loop();
        s.Fail = "server returned HTTP status 500 Internal Server Error";
        var r = await loop.ScrapeAndReportAsync();
        Assert.False(r.Up);
        Assert.Equal(0, a.Last("up"));
        Assert.Equal(s.Fail, loop.Target.State.LastError);
    }

    [Fact]
    public async Task MissingContentTypeNeedsFallback()
    {
        var (loop, s, _) = Loop();
        s.ContentType = null;
        s.Body = "a 1\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.Contains("fallback_scrape_protocol", r.Error);
        var (loop2, s2, a2) = Loop(new ScrapeOptions { FallbackProtocol = "PrometheusText0.0.4" });
        s2.ContentType = null;
        s2.Body = "a 1\n";
        Assert.True((await loop2.ScrapeAndReportAsync()).Up);
        Assert.NotNull(a2.Find("a"));
    }

    [Fact]
    public async Task OpenMetricsPayload()
    {
        var (loop, s, a) = Loop();
        s.ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        s.Body = "# TYPE c counter\nc_total 5 # {trace_id=\"abc\"} 1\nc_created 1000\n# EOF\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.True(r.Up, r.Error);
        Assert.Equal(1, r.ExemplarsDropped);
        Assert.Equal(5, a.Last("c_total"));
        Assert.Equal(1000, a.Last("c_created"));
    }

    [Fact]
    public async Task MetricRelabelingDropsAndRewrites()
    {
        var opts = new ScrapeOptions
        {
            MetricRelabelConfigs =
            [
                new RelabelConfig { Action = "drop", SourceLabels = ["__name__"], Regex = "go_.*" },
                new RelabelConfig { Action = "replace", SourceLabels = ["code"], Regex = "(\\d)..", TargetLabel = "class", Replacement = "${1}xx" },
            ],
        };
        var (loop, s, a) = Loop(opts);
        s.Body = "go_goroutines 5\nreq{code=\"404\"} 1\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.Equal(2, r.Scraped);
        Assert.Equal(1, r.PostRelabeling);
        Assert.Null(a.Find("go_goroutines"));
        Assert.Equal("4xx", a.Find("req")!.Get("class"));
    }

    [Fact]
    public async Task InvalidLabelNameAfterRelabelingFailsCleanly()
    {
        var opts = new ScrapeOptions
        {
            LegacyNames = true,
            MetricRelabelConfigs = [new RelabelConfig { Action = "labelmap", Regex = "(.*)", Replacement = "x.${1}" }],
        };
        var (loop, s, a) = Loop(opts);
        s.Body = "m{a=\"b\"} 1\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.False(r.Up);
        Assert.StartsWith("invalid metric name or label names", r.Error);
        Assert.Null(a.Find("m"));
    }

    [Fact]
    public async Task DuplicateLabelNamesFail()
    {
        var (loop, s, _) = Loop();
        s.Body = "m{a=\"1\",a=\"2\"} 1\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.Equal("label name \"a\" is not unique: invalid sample", r.Error);
    }

    [Fact]
    public async Task OutOfOrderSamplesAreSkippedNotFatal()
    {
        var (loop, s, a) = Loop();
        a.Refuse = (l, _, _) => l.MetricNameValue == "old" ? new AppendException(AppendError.OutOfOrderSample, "out of order sample") : null;
        s.Body = "old 1\nnew 2\n";
        var r = await loop.ScrapeAndReportAsync();
        Assert.True(r.Up);
        Assert.NotNull(a.Find("new"));
        Assert.Null(a.Find("old"));
    }

    [Fact]
    public async Task StoppingAVanishedTargetWritesStaleMarkers()
    {
        var (loop, s, a) = Loop();
        s.Body = "m 1\n";
        await loop.ScrapeAndReportAsync();
        await loop.StopAsync(writeStaleMarkers: true);
        Assert.True(SampleValue.IsStaleNaN(a.Samples(a.Find("m")!)[^1].V));
        Assert.True(SampleValue.IsStaleNaN(a.Samples(a.Find("up")!)[^1].V));
    }

    [Fact]
    public void OffsetsAreStableAndWithinTheInterval()
    {
        var iv = TimeSpan.FromSeconds(15);
        long now = new DateTime(2026, 1, 1, 0, 0, 7, DateTimeKind.Utc).Ticks;
        var o1 = ScrapeLoop.Offset(iv, 12345, 0, now);
        var o2 = ScrapeLoop.Offset(iv, 12345, 0, now);
        Assert.Equal(o1, o2);
        Assert.InRange(o1, TimeSpan.Zero, iv);
        // The scrape lands at the same phase of the interval whatever the start time.
        var later = ScrapeLoop.Offset(iv, 12345, 0, now + TimeSpan.FromSeconds(4).Ticks);
        Assert.Equal((now + o1.Ticks) % iv.Ticks, (now + TimeSpan.FromSeconds(4).Ticks + later.Ticks) % iv.Ticks);
        Assert.NotEqual(o1, ScrapeLoop.Offset(iv, 99999, 0, now));
    }

    [Fact]
    public void TimestampGrid_AlignsLateAndEarlyScrapesWithoutDrift()
    {
        var grid = new ScrapeTimestampGrid();
        const long iv = 15_000, t0 = 1_700_000_000_000;
        Assert.Equal(t0, grid.Align(t0, iv));
        Assert.Equal(t0 + iv, grid.Align(t0 + iv + 7, iv));             // 7 ms late
        Assert.Equal(t0 + 2 * iv, grid.Align(t0 + 2 * iv - 1, iv));     // 1 ms early
        Assert.Equal(t0 + 3 * iv + 400, grid.Align(t0 + 3 * iv + 400, iv)); // too late: the real time
        Assert.Equal(t0 + 4 * iv, grid.Align(t0 + 4 * iv + 3, iv));     // the grid did not move with it
        Assert.Equal(t0 + 6 * iv, grid.Align(t0 + 6 * iv + 20, iv));    // a missed tick is skipped
    }

    [Fact]
    public void TimestampGrid_ToleranceIsAtMostOnePercentOfTheInterval()
    {
        var grid = new ScrapeTimestampGrid();
        const long iv = 1_000, t0 = 1_700_000_000_000;
        grid.Align(t0, iv);
        Assert.Equal(t0 + iv, grid.Align(t0 + iv + 10, iv));
        Assert.Equal(t0 + 2 * iv + 11, grid.Align(t0 + 2 * iv + 11, iv));
    }
}
