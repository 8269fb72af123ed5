using System.Text;
using Google.Protobuf;
using Portal.Ingest.Pushgateway;
using Portal.Ingest.TextParse;
using Portal.Model;
using Client = Portal.Ingest.Protos.Client;

namespace Portal.Ingest.Tests.Pushgateway;

public sealed class GroupingKeyTests
{
    [Theory]
    [InlineData("job/some_job", "{job=\"some_job\"}")]
    [InlineData("job/some_job/instance/some_instance", "{instance=\"some_instance\", job=\"some_job\"}")]
    [InlineData("job/directory_cleaner/path@base64/L3Zhci90bXA", "{job=\"directory_cleaner\", path=\"/var/tmp\"}")]
    [InlineData("job/directory_cleaner/path@base64/L3Zhci90bXA=", "{job=\"directory_cleaner\", path=\"/var/tmp\"}")]
    [InlineData("job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C", "{job=\"titan\", name=\"Προμηθεύς\"}")]
    [InlineData("job@base64/YmF0Y2gvam9i", "{job=\"batch/job\"}")]
    [InlineData("job/example/first_label@base64/=/second_label/foobar", "{job=\"example\", second_label=\"foobar\"}")]
    [InlineData("job/a%20b/x/y%2Fz", "{job=\"a b\", x=\"y/z\"}")]
    public void ParsesTheReadmeExamples(string path, string expected)
    {
        var key = GroupingKey.Parse(path, out var error);
        Assert.Null(error);
        Assert.Equal(expected, key!.ToString());
    }

    [Theory]
    [InlineData("job")]
    [InlineData("job/x/instance")]
    [InlineData("instance/x")]
    [InlineData("job@base64/=")]
    [InlineData("job/x/path@base64/!!!")]
    [InlineData("job/x/__name__/y")]
    [InlineData("job/x/a/1/a/2")]
    public void RefusesBadPaths(string path)
    {
        Assert.Null(GroupingKey.Parse(path, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void ToPathRoundTrips()
    {
        var key = Labels.FromStrings("job", "a/b", "instance", "i", "x", "ü");
        Assert.Equal(key, GroupingKey.Parse(GroupingKey.ToPath(key), out _));
    }
}

public sealed class PushBodyParserTests
{
    private static readonly Labels Key = Labels.FromStrings("job", "batch", "instance", "i1");

    private static List<PushedFamily> Text(string s) => PushBodyParser.Parse(Encoding.UTF8.GetBytes(s), Encoding.UTF8.GetByteCount(s), false, Key);

    [Fact]
    public void TextFamiliesWithGroupingLabelsWinning()
    {
        var f = Text("""
            # TYPE some_metric counter
            some_metric{label="val1",job="ignored"} 42
            # TYPE another_metric gauge
            # HELP another_metric Just an example.
            another_metric 2398.283
            # TYPE lat summary
            lat{quantile="0.5"} 1
            lat_sum 10
            lat_count 4
            untyped_thing 1

            """);
        Assert.Equal(["some_metric", "another_metric", "lat", "untyped_thing"], f.Select(x => x.Name));
        Assert.Equal(MetricType.Counter, f[0].Type);
        Assert.Equal(Labels.FromStrings("__name__", "some_metric", "label", "val1", "job", "batch", "instance", "i1"), f[0].Samples[0].Labels);
        Assert.Equal("Just an example.", f[1].Help);
        Assert.Equal(3, f[2].Samples.Count);
        Assert.Equal(MetricType.Unknown, f[3].Type);
    }

    [Theory]
    [InlineData("m 1 1700000000000\n", "timestamps")]
    [InlineData("m{a=\"1\",a=\"2\"} 1\n", "duplicate label")]
    [InlineData("m{a=\"1\" 1\n", "parsing error")]
    [InlineData("m one\n", "parsing error")]
    public void TextRefusals(string body, string reason)
    {
        var e = Assert.Throws<PushRejectedException>(() => Text(body));
        Assert.Contains(reason, e.Message);
    }

    private static byte[] Delimited(params Client.MetricFamily[] families)
    {
        var ms = new MemoryStream();
        foreach (var f in families) f.WriteDelimitedTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void DelimitedProtobufExpandsHistogramsAndSummaries()
    {
        var h = new Client.MetricFamily { Name = "req_seconds", Help = "h", Type = Client.MetricType.Histogram };
        h.Metric.Add(new Client.Metric
        {
            Label = { new Client.LabelPair { Name = "path", Value = "/" } },
            Histogram = new Client.Histogram { SampleCount = 3, SampleSum = 1.5, Bucket = { new Client.Bucket { UpperBound = 0.5, CumulativeCount = 2 } } },
        });
        var g = new Client.MetricFamily { Name = "temp", Type = Client.MetricType.Gauge, Metric = { new Client.Metric { Gauge = new Client.Gauge { Value = 21 } } } };
        var body = Delimited(h, g);

        var f = PushBodyParser.Parse(body, body.Length, true, Key);

        Assert.Equal(2, f.Count);
        var names = f[0].Samples.Select(s => s.Labels.MetricNameValue + "{" + s.Labels.Get("le") + "}=" + s.Value).ToArray();
        Assert.Equal(["req_seconds_bucket{0.5}=2", "req_seconds_bucket{+Inf}=3", "req_seconds_sum{}=1.5", "req_seconds_count{}=3"], names);
        Assert.Equal("/", f[0].Samples[0].Labels.Get("path"));
        Assert.Equal(21, f[1].Samples[0].Value);

        var ts = new Client.MetricFamily { Name = "t", Type = Client.MetricType.Gauge, Metric = { new Client.Metric { Gauge = new Client.Gauge { Value = 1 }, TimestampMs = 5 } } };
        var withTs = Delimited(ts);
        Assert.Throws<PushRejectedException>(() => PushBodyParser.Parse(withTs, withTs.Length, true, Key));
        Assert.Throws<PushRejectedException>(() => PushBodyParser.Parse([0x05, 0x0a, 0xff], 3, true, Key));
    }

    [Theory]
    [InlineData("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", true)]
    [InlineData("text/plain; version=0.0.4; charset=utf-8", false)]
    [InlineData(null, false)]
    public void ContentTypeChoosesTheFormat(string? contentType, bool proto) => Assert.Equal(proto, PushBodyParser.IsProtobuf(contentType));
}

public sealed class PushgatewayStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pgw-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static Labels K(string job, string? instance = null) =>
        instance is null ? Labels.FromStrings("job", job) : Labels.FromStrings("job", job, "instance", instance);

    private static List<PushedFamily> Body(Labels key, string text) =>
        PushBodyParser.Parse(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetByteCount(text), false, key);

    private static string[] Names(PushGroup g) => g.Families.Select(f => f.Name).ToArray();

    [Fact]
    public void PutReplacesTheGroupPostOnlySameNames()
    {
        var s = new PushgatewayStore(null, _clock);
        var k = K("batch");
        s.Push(k, Body(k, "a 1\nb 2\n"), replaceAll: true);
        s.Push(k, Body(k, "b 3\nc 4\n"), replaceAll: false);
        Assert.Equal(["a", "b", "c"], Names(s.Groups()[0]));
        Assert.Equal(3, s.Groups()[0].Families[1].Samples[0].Value);

        s.Push(k, Body(k, "d 5\n"), replaceAll: true);
        Assert.Equal(["d"], Names(s.Groups()[0]));

        _clock.Advance(TimeSpan.FromSeconds(10));
        s.Push(k, [], replaceAll: false);
        Assert.Equal(["d"], Names(s.Groups()[0]));
        Assert.Equal(1_700_000_010, s.Groups()[0].PushTimeSeconds);

        s.Push(k, [], replaceAll: true);
        Assert.Empty(s.Groups()[0].Families);
    }

    [Fact]
    public void InconsistentPushesAreRefusedAndTheOldDataKept()
    {
        var s = new PushgatewayStore(null, _clock);
        var k1 = K("one");
        var k2 = K("two");
        s.Push(k1, Body(k1, "# TYPE jobs_total counter\njobs_total 1\n"), true);
        s.Push(k2, Body(k2, "# TYPE temp gauge\ntemp 20\n"), true);
        _clock.Advance(TimeSpan.FromSeconds(5));

        var e = Assert.Throws<PushRejectedException>(() => s.Push(k2, Body(k2, "# TYPE jobs_total gauge\njobs_total 2\n"), true));
        Assert.Contains("counter", e.Message);
        var g2 = s.Groups()[1];
        Assert.Equal(["temp"], Names(g2));
        Assert.Equal(1_700_000_005, g2.PushFailureTimeSeconds);
        Assert.Equal(1_700_000_000, g2.PushTimeSeconds);

        // A family claiming another family's sample name.
        Assert.Throws<PushRejectedException>(() => s.Push(k2, Body(k2, "# TYPE jobs histogram\njobs_bucket{le=\"+Inf\"} 1\njobs_sum 1\njobs_count 1\njobs_total 3\n"), false));

        // Help text may differ between groups (the upstream README tolerates it).
        s.Push(k2, Body(k2, "# HELP jobs_total other help\n# TYPE jobs_total counter\njobs_total 2\n"), false);
        Assert.Equal(["jobs_total", "temp"], Names(s.Groups()[1]));
    }

    [Fact]
    public void SameSeriesInTwoGroupsIsRefused()
    {
        var s = new PushgatewayStore(null, _clock);
        var k1 = K("j");
        var k2 = K("j", "x");
        s.Push(k1, Body(k1, "m{instance=\"x\"} 1\n"), true);
        Assert.Throws<PushRejectedException>(() => s.Push(k2, Body(k2, "m 2\n"), true));
    }

    [Fact]
    public void FailedPushToANewGroupCreatesItWithOnlyTheFailureTime()
    {
        var s = new PushgatewayStore(null, _clock);
        var k1 = K("one");
        s.Push(k1, Body(k1, "# TYPE x counter\nx 1\n"), true);
        var k2 = K("two");
        Assert.Throws<PushRejectedException>(() => s.Push(k2, Body(k2, "# TYPE x gauge\nx 1\n"), true));
        var g = s.Groups().Single(g => g.Key == k2);
        Assert.Equal(0, g.PushTimeSeconds);
        Assert.True(g.PushFailureTimeSeconds > 0);
        Assert.Empty(g.Families);
    }

    [Fact]
    public void GroupsPersistAcrossRestarts()
    {
        var k = Labels.FromStrings("job", "persist", "path", "/var/tmp");
        var s = new PushgatewayStore(_dir, _clock);
        s.Push(k, Body(k, "# HELP m The help.\n# TYPE m gauge\nm{a=\"1\"} NaN\nm{a=\"2\"} -Inf\nm{a=\"3\"} 0.1\n"), true, TimeSpan.FromMinutes(5));
        s.Delete(K("nothing-here"));

        var reopened = new PushgatewayStore(_dir, _clock).Groups().Single();
        Assert.Equal(k, reopened.Key);
        Assert.Equal(TimeSpan.FromMinutes(5), reopened.Ttl);
        var f = reopened.Families.Single();
        Assert.Equal(("m", "The help.", MetricType.Gauge), (f.Name, f.Help, f.Type));
        Assert.True(double.IsNaN(f.Samples[0].Value));
        Assert.Equal(double.NegativeInfinity, f.Samples[1].Value);
        Assert.Equal(0.1, f.Samples[2].Value);

        s.Delete(k);
        Assert.Empty(new PushgatewayStore(_dir, _clock).Groups());
    }

    [Fact]
    public void TtlIsOptInPerGroup()
    {
        var s = new PushgatewayStore(null, _clock);
        var kept = K("kept");
        var brief = K("brief");
        s.Push(kept, Body(kept, "a 1\n"), true);
        s.Push(brief, Body(brief, "b 1\n"), true, TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, s.Groups().Count);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([kept], s.Groups().Select(g => g.Key));
    }

    [Fact]
    public void WipeRemovesEverything()
    {
        var s = new PushgatewayStore(_dir, _clock);
        s.Push(K("a"), Body(K("a"), "a 1\n"), true);
        s.Push(K("b"), Body(K("b"), "b 1\n"), true);
        s.Wipe();
        Assert.Empty(s.Groups());
        Assert.Empty(new PushgatewayStore(_dir, _clock).Groups());
    }

    [Fact]
    public void IngesterWritesSamplesPushTimesAndStaleness()
    {
        var s = new PushgatewayStore(null, _clock);
        var k = K("batch", "i");
        s.Push(k, Body(k, "done 1\nduration 2.5\n"), true);
        var store = new RecordingAppendable();
        var ingester = new PushIngester();

        var r = ingester.Ingest(s.Groups(), store, 1000);
        Assert.Equal(4, r.Appended);
        Assert.Equal([new Sample(1000, 1)], store.Samples("__name__", "done", "instance", "i", "job", "batch"));
        Assert.Equal([new Sample(1000, 1_700_000_000)], store.Samples("__name__", "push_time_seconds", "instance", "i", "job", "batch"));
        Assert.Equal([new Sample(1000, 0)], store.Samples("__name__", "push_failure_time_seconds", "instance", "i", "job", "batch"));

        s.Push(k, Body(k, "done 1\n"), true);
        r = ingester.Ingest(s.Groups(), store, 2000);
        Assert.Equal(1, r.Stale);
        var d = store.Samples("__name__", "duration", "instance", "i", "job", "batch");
        Assert.True(SampleValue.IsStaleNaN(d[^1].V));

        s.Delete(k);
        r = ingester.Ingest(s.Groups(), store, 3000);
        Assert.Equal(3, r.Stale);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan d) => _now += d;
    }
}
