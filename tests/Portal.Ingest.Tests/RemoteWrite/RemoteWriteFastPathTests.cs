using Google.Protobuf;
using Portal.Ingest.RemoteWrite;
using Portal.Model;
using V1 = Portal.Ingest.Protos.Prom;

namespace Portal.Ingest.Tests.RemoteWrite;

/// <summary>The 1.0 fast path (wire bytes and a series cache) gives the same outcomes as the generic decoder.</summary>
public sealed class RemoteWriteFastPathTests
{
    private const long Max = 1 << 20;
    private readonly RemoteWriteReceiver _rx = new();

    [Fact]
    public void KnownSeriesAreServedFromTheCache()
    {
        var cache = new RemoteWriteSeriesCache();
        var store = new RecordingAppendable();
        for (int round = 0; round < 3; round++)
        {
            var req = new V1.WriteRequest();
            req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "up", "instance", "a", "job", "j"], (1000 + round, round)));
            req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "temp", "room", "b"], (1000 + round, 20 + round), (1500 + round, 21)));
            var o = _rx.Write(RemoteWriteMessage.V1, RemoteWriteReceiverTests.Body(req), Max, store, cache);
            Assert.Equal(204, o.StatusCode);
            Assert.Equal(3, o.SamplesWritten);
        }
        Assert.Equal(2, cache.Count);
        Assert.Equal([new Sample(1000, 0), new Sample(1001, 1), new Sample(1002, 2)], store.Samples("__name__", "up", "instance", "a", "job", "j"));
        Assert.Equal(6, store.Samples("__name__", "temp", "room", "b").Count);
    }

    [Fact]
    public void CachedSeriesKeepTheStoragesLabelSetNotTheirOwn()
    {
        var cache = new RemoteWriteSeriesCache();
        var store = new RecordingAppendable();
        for (int round = 0; round < 3; round++)
        {
            var req = new V1.WriteRequest();
            req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "up", "job", "j"], (1000 + round, round)));
            Assert.Equal(204, _rx.Write(RemoteWriteMessage.V1, RemoteWriteReceiverTests.Body(req), Max, store, cache).StatusCode);
        }
        var stored = store.StoredCopy(Labels.FromStrings("__name__", "up", "job", "j"));
        Assert.NotNull(stored);
        Assert.Equal(3, store.AppendedLabels.Count);
        Assert.False(ReferenceEquals(store.AppendedLabels[0], stored), "the first append carries the decoded labels");
        Assert.Same(stored, store.AppendedLabels[1]);
        Assert.Same(stored, store.AppendedLabels[2]);
    }

    [Theory]
    [MemberData(nameof(RemoteWriteReceiverTests.InvalidLabelSets), MemberType = typeof(RemoteWriteReceiverTests))]
    public void InvalidLabelsAreRefusedAndNotCached(string why, string[] labels)
    {
        var cache = new RemoteWriteSeriesCache();
        var req = new V1.WriteRequest();
        req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "ok"], (1000, 1)));
        req.Timeseries.Add(RemoteWriteReceiverTests.Series(labels, (1000, 1)));
        var store = new RecordingAppendable();
        var o = _rx.Write(RemoteWriteMessage.V1, RemoteWriteReceiverTests.Body(req), Max, store, cache);
        Assert.True(o.StatusCode == 400, why);
        Assert.Contains("invalid labels", o.Error);
        Assert.Empty(store.AllSeries());
        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [MemberData(nameof(RemoteWriteReceiverTests.BadBodies), MemberType = typeof(RemoteWriteReceiverTests))]
    public void GarbageIsABadRequest(string layer, byte[] body)
    {
        var store = new RecordingAppendable();
        var o = _rx.Write(RemoteWriteMessage.V1, body, Max, store, new RemoteWriteSeriesCache());
        Assert.Equal(400, o.StatusCode);
        Assert.StartsWith(layer, o.Error);
        Assert.Empty(store.AllSeries());
    }

    [Fact]
    public void RefusedSamplesAndHistogramsRollBack()
    {
        var req = new V1.WriteRequest();
        req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "a"], (1000, 1)));
        req.Timeseries.Add(RemoteWriteReceiverTests.Series(["__name__", "b"], (5, 1)));
        var store = new RecordingAppendable { Refuse = (l, t, _) => t < 100 ? new AppendException(AppendError.OutOfBounds, "out of bounds: too early", l) : null };
        var o = _rx.Write(RemoteWriteMessage.V1, RemoteWriteReceiverTests.Body(req), Max, store, new RemoteWriteSeriesCache());
        Assert.Equal(400, o.StatusCode);
        Assert.Contains("out of bounds", o.Error);
        Assert.Empty(store.AllSeries());

        var h = new V1.WriteRequest();
        var ts = RemoteWriteReceiverTests.Series(["__name__", "h"]);
        ts.Histograms.Add(new V1.Histogram { CountInt = 1, Timestamp = 1 });
        h.Timeseries.Add(ts);
        o = _rx.Write(RemoteWriteMessage.V1, RemoteWriteReceiverTests.Body(h), Max, new RecordingAppendable(), new RemoteWriteSeriesCache());
        Assert.Equal(400, o.StatusCode);
        Assert.Contains("native histogram", o.Error);
    }

    [Fact]
    public void NonUtf8StringsAreRefused()
    {
        var raw = new V1.WriteRequest { Timeseries = { RemoteWriteReceiverTests.Series(["__name__", "xx"], (1, 1)) } }.ToByteArray();
        int i = Array.IndexOf(raw, (byte)'x');
        raw[i] = 0xff;
        var o = _rx.Write(RemoteWriteMessage.V1, SnappyBlock.Encode(raw), Max, new RecordingAppendable(), new RemoteWriteSeriesCache());
        Assert.Equal(400, o.StatusCode);
        Assert.Contains("UTF-8", o.Error);
    }
}
