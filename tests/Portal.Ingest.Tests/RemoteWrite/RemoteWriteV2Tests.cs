using Portal.Ingest.RemoteWrite;
using Portal.Model;
using V2 = Portal.Ingest.Protos.WriteV2;

namespace Portal.Ingest.Tests.RemoteWrite;

public sealed class RemoteWriteV2Tests
{
    private const long Max = 1 << 20;

    /// <summary>Builds a 2.0 request with an interned symbol table, as a sender does.</summary>
    internal sealed class V2Builder
    {
        private readonly Dictionary<string, uint> _refs = new(StringComparer.Ordinal) { [""] = 0 };
        public V2.Request Request { get; } = new();

        public V2Builder() => Request.Symbols.Add("");

        public uint Ref(string s)
        {
            if (_refs.TryGetValue(s, out var r)) return r;
            r = (uint)Request.Symbols.Count;
            Request.Symbols.Add(s);
            _refs[s] = r;
            return r;
        }

        public V2.TimeSeries Add(string[] labels, params (long T, double V, long St)[] samples)
        {
            var ts = new V2.TimeSeries { Metadata = new V2.Metadata { Type = V2.Metadata.Types.MetricType.Counter, HelpRef = Ref("help text") } };
            foreach (var l in labels) ts.LabelsRefs.Add(Ref(l));
            foreach (var (t, v, st) in samples) ts.Samples.Add(new V2.Sample { Timestamp = t, Value = v, StartTimestamp = st });
            Request.Timeseries.Add(ts);
            return ts;
        }
    }

    [Fact]
    public void SymbolsResolveToLabels()
    {
        var b = new V2Builder();
        b.Add(["__name__", "http_requests_total", "code", "200", "job", "api"], (1000, 5, 0), (2000, 7, 0));
        var ts = b.Add(["__name__", "http_requests_total", "code", "500", "job", "api"], (1000, 1, 0));
        ts.Exemplars.Add(new V2.Exemplar { Value = 1, Timestamp = 1000, LabelsRefs = { b.Ref("trace_id"), b.Ref("abc") } });
        var store = new RecordingAppendable();

        var o = new RemoteWriteReceiver().Write(RemoteWriteMessage.V2, RemoteWriteReceiverTests.Body(b.Request), Max, store);

        Assert.Equal(204, o.StatusCode);
        Assert.Equal(3, o.SamplesWritten);
        Assert.Equal(0, o.HistogramsWritten);
        Assert.Equal(0, o.ExemplarsWritten);
        Assert.Equal([new Sample(1000, 5), new Sample(2000, 7)], store.Samples("__name__", "http_requests_total", "code", "200", "job", "api"));
        Assert.Equal([new Sample(1000, 1)], store.Samples("__name__", "http_requests_total", "code", "500", "job", "api"));
    }

    [Fact]
    public void StartTimestampsAreIgnoredByDefaultAndIngestedAsZeroWhenAsked()
    {
        var b = new V2Builder();
        b.Add(["__name__", "c_total"], (5000, 3, 1000));
        var body = RemoteWriteReceiverTests.Body(b.Request);

        var plain = new RecordingAppendable();
        new RemoteWriteReceiver().Write(RemoteWriteMessage.V2, body, Max, plain);
        Assert.Equal([new Sample(5000, 3)], plain.Samples("__name__", "c_total"));

        var ct = new RecordingAppendable();
        var o = new RemoteWriteReceiver(new RemoteWriteOptions { IngestStartTimestamps = true }).Write(RemoteWriteMessage.V2, body, Max, ct);
        Assert.Equal(1, o.SamplesWritten);
        Assert.Equal([new Sample(1000, 0), new Sample(5000, 3)], ct.Samples("__name__", "c_total"));
    }

    [Fact]
    public void RefusedStartTimestampZeroIsSkipped()
    {
        var b = new V2Builder();
        b.Add(["__name__", "c_total"], (5000, 3, 1000));
        var store = new RecordingAppendable { Refuse = (l, t, _) => t == 1000 ? new AppendException(AppendError.OutOfOrderSample, "ooo", l) : null };
        var o = new RemoteWriteReceiver(new RemoteWriteOptions { IngestStartTimestamps = true })
            .Write(RemoteWriteMessage.V2, RemoteWriteReceiverTests.Body(b.Request), Max, store);
        Assert.Equal(204, o.StatusCode);
        Assert.Equal([new Sample(5000, 3)], store.Samples("__name__", "c_total"));
    }

    public static TheoryData<string, string> BadRequests()
    {
        var data = new TheoryData<string, string>();
        void Add(string expect, Action<V2Builder> make)
        {
            var b = new V2Builder();
            b.Add(["__name__", "fine"], (1000, 1, 0));
            make(b);
            data.Add(expect, Convert.ToBase64String(RemoteWriteReceiverTests.Body(b.Request)));
        }
        Add("odd length", b => b.Request.Timeseries.Add(new V2.TimeSeries { LabelsRefs = { b.Ref("__name__") }, Samples = { new V2.Sample { Timestamp = 1, Value = 1 } } }));
        Add("outside the symbols table", b => b.Request.Timeseries.Add(new V2.TimeSeries { LabelsRefs = { b.Ref("__name__"), 999 }, Samples = { new V2.Sample { Timestamp = 1 } } }));
        Add("both samples and histograms", b => b.Add(["__name__", "h"], (1000, 1, 0)).Histograms.Add(new V2.Histogram { CountInt = 1, Timestamp = 1000 }));
        Add("native histogram", b => b.Request.Timeseries.Add(new V2.TimeSeries { LabelsRefs = { b.Ref("__name__"), b.Ref("h") }, Histograms = { new V2.Histogram { CountInt = 1, Timestamp = 1000 } } }));
        Add("metadata reference", b => b.Add(["__name__", "m"], (1000, 1, 0)).Metadata.HelpRef = 77);
        Add("exemplar label reference", b => b.Add(["__name__", "e"], (1000, 1, 0)).Exemplars.Add(new V2.Exemplar { LabelsRefs = { 1, 88 }, Value = 1, Timestamp = 1 }));
        Add("invalid labels", b => b.Add(["__name__", "x", "b", "1", "a", "2"], (1000, 1, 0)));
        Add("must start with an empty string", b => b.Request.Symbols[0] = "oops");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void InvalidRequestsAreRefusedWhole(string expect, string bodyBase64)
    {
        var store = new RecordingAppendable();
        var o = new RemoteWriteReceiver().Write(RemoteWriteMessage.V2, Convert.FromBase64String(bodyBase64), Max, store);
        Assert.Equal(400, o.StatusCode);
        Assert.Contains(expect, o.Error);
        Assert.Equal(0, o.SamplesWritten);
        Assert.Empty(store.AllSeries());
    }
}
