using Google.Protobuf;
using Portal.Ingest.RemoteWrite;
using Portal.Model;
using V1 = Portal.Ingest.Protos.Prom;
using V2 = Portal.Ingest.Protos.WriteV2;

namespace Portal.Ingest.Tests.RemoteWrite;

public sealed class RemoteWriteReceiverTests
{
    private const long Max = 1 << 20;
    private readonly RemoteWriteReceiver _rx = new();

    internal static V1.TimeSeries Series(string[] labels, params (long T, double V)[] samples)
    {
        var ts = new V1.TimeSeries();
        for (int i = 0; i < labels.Length; i += 2) ts.Labels.Add(new V1.Label { Name = labels[i], Value = labels[i + 1] });
        foreach (var (t, v) in samples) ts.Samples.Add(new V1.Sample { Timestamp = t, Value = v });
        return ts;
    }

    internal static byte[] Body(IMessage m) => SnappyBlock.Encode(m.ToByteArray());

    [Fact]
    public void V1RequestIsStoredInOneCommit()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "up", "instance", "a", "job", "j"], (1000, 1), (2000, 0)));
        req.Timeseries.Add(Series(["__name__", "temp", "room", "b"], (1500, 21.5)));
        var store = new RecordingAppendable();

        var o = _rx.Write(RemoteWriteMessage.V1, Body(req), Max, store);

        Assert.Equal(204, o.StatusCode);
        Assert.Equal(3, o.SamplesWritten);
        Assert.Equal(1, store.Commits);
        Assert.Equal([new Sample(1000, 1), new Sample(2000, 0)], store.Samples("__name__", "up", "instance", "a", "job", "j"));
        Assert.Equal([new Sample(1500, 21.5)], store.Samples("__name__", "temp", "room", "b"));
    }

    [Fact]
    public void StaleMarkerKeepsItsBits()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "up"], (1000, SampleValue.StaleNaN)));
        var store = new RecordingAppendable();
        Assert.Equal(204, _rx.Write(RemoteWriteMessage.V1, Body(req), Max, store).StatusCode);
        Assert.True(SampleValue.IsStaleNaN(store.Samples("__name__", "up")[0].V));
    }

    [Fact]
    public void EmptyRequestSucceedsWithoutTransaction()
    {
        var store = new RecordingAppendable();
        Assert.Equal(204, _rx.Write(RemoteWriteMessage.V1, Body(new V1.WriteRequest()), Max, store).StatusCode);
        Assert.Equal(204, _rx.Write(RemoteWriteMessage.V2, Body(new V2.Request()), Max, store).StatusCode);
        Assert.Equal(0, store.Commits + store.Rollbacks);
    }

    public static TheoryData<string, string[]> InvalidLabelSets => new()
    {
        { "no metric name", ["job", "x"] },
        { "unsorted", ["__name__", "up", "zone", "a", "job", "x"] },
        { "duplicate", ["__name__", "up", "job", "a", "job", "b"] },
        { "empty value", ["__name__", "up", "job", ""] },
        { "empty name", ["__name__", "up", "", "x"] },
    };

    [Theory]
    [MemberData(nameof(InvalidLabelSets))]
    public void InvalidLabelsRefuseTheWholeRequest(string why, string[] labels)
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "ok"], (1000, 1)));
        req.Timeseries.Add(Series(labels, (1000, 1)));
        var store = new RecordingAppendable();

        var o = _rx.Write(RemoteWriteMessage.V1, Body(req), Max, store);

        Assert.True(o.StatusCode == 400, why);
        Assert.Contains("invalid labels", o.Error);
        Assert.Equal(0, store.Commits);
        Assert.Equal(1, store.Rollbacks);
        Assert.Empty(store.AllSeries());
    }

    [Fact]
    public void RefusedSampleRollsBackAndSaysWhy()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "a"], (1000, 1)));
        req.Timeseries.Add(Series(["__name__", "b"], (5, 1)));
        var store = new RecordingAppendable
        {
            Refuse = (l, t, _) => t < 100 ? new AppendException(AppendError.TooOldSample, "sample at 5 is older than the head", l) : null,
        };

        var o = _rx.Write(RemoteWriteMessage.V1, Body(req), Max, store);

        Assert.Equal(400, o.StatusCode);
        Assert.Contains("sample at 5 is older than the head", o.Error);
        Assert.Empty(store.AllSeries());
        Assert.Equal(1, store.Rollbacks);
    }

    [Fact]
    public void CommitFailurePropagatesForTheCallerToMap()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "a"], (1000, 1)));
        var store = new ThrowingAppendable();
        Assert.Throws<TimeoutException>(() => _rx.Write(RemoteWriteMessage.V1, Body(req), Max, store));
    }

    [Fact]
    public void HistogramsAreRefused()
    {
        var req = new V1.WriteRequest();
        var ts = Series(["__name__", "h"]);
        ts.Histograms.Add(new V1.Histogram { CountInt = 3, Sum = 1, Timestamp = 1000 });
        req.Timeseries.Add(ts);
        var o = _rx.Write(RemoteWriteMessage.V1, Body(req), Max, new RecordingAppendable());
        Assert.Equal(400, o.StatusCode);
        Assert.Contains("native histogram", o.Error);
    }

    public static TheoryData<string, byte[]> BadBodies()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(Series(["__name__", "up", "job", "node"], (1000, 1), (2000, 1)));
        var good = Body(req);
        var raw = req.ToByteArray();
        return new TheoryData<string, byte[]>
        {
            { "snappy", good[..(good.Length / 2)] },
            { "snappy", [0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3] },
            { "snappy", "not snappy at all"u8.ToArray() },
            { "protobuf", SnappyBlock.Encode(raw[..(raw.Length - 3)]) },
            { "protobuf", SnappyBlock.Encode([0x0a, 0xff, 0xff, 0x01, 0x02]) },
            { "protobuf", SnappyBlock.Encode([0x0f, 0x01]) },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void GarbageIsABadRequest(string layer, byte[] body)
    {
        var store = new RecordingAppendable();
        var o = _rx.Write(RemoteWriteMessage.V1, body, Max, store);
        Assert.Equal(400, o.StatusCode);
        Assert.StartsWith(layer, o.Error);
        Assert.Empty(store.AllSeries());
    }

    [Fact]
    public void DecodedSizeIsLimitedBeforeAllocating()
    {
        var big = SnappyBlock.Encode(new byte[100_000]);
        var o = _rx.Write(RemoteWriteMessage.V1, big, 1000, new RecordingAppendable());
        Assert.Equal(400, o.StatusCode);
        Assert.Contains("exceeds the limit", o.Error);
    }

    [Theory]
    [InlineData(null, null, RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf", "snappy", RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf;proto=prometheus.WriteRequest", "snappy", RemoteWriteMessage.V1)]
    [InlineData("application/x-protobuf; proto=io.prometheus.write.v2.Request", "snappy", RemoteWriteMessage.V2)]
    [InlineData("Application/X-Protobuf;proto=io.prometheus.write.v2.Request", "SNAPPY", RemoteWriteMessage.V2)]
    public void NegotiationAcceptsTheSpecHeaders(string? type, string? encoding, RemoteWriteMessage expected)
    {
        Assert.Null(RemoteWriteReceiver.Negotiate(type, encoding, out var m));
        Assert.Equal(expected, m);
    }

    [Theory]
    [InlineData("text/plain", "snappy")]
    [InlineData("application/json", null)]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy")]
    [InlineData("application/x-protobuf", "gzip")]
    [InlineData("application/x-protobuf", "zstd")]
    public void NegotiationRefusesOthers(string type, string? encoding)
    {
        Assert.NotNull(RemoteWriteReceiver.Negotiate(type, encoding, out _));
    }

    private sealed class ThrowingAppendable : IAppendable
    {
        public IAppender Appender() => new App();

        private sealed class App : IAppender
        {
            public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v) => new(1);
            public void Commit() => throw new TimeoutException("disk busy");
            public void Rollback() { }
        }
    }
}
