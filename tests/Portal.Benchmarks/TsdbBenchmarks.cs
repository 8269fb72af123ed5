using MatchType = Portal.Model.MatchType;
using BenchmarkDotNet.Attributes;
using Portal.Model;
using Portal.Tsdb;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Index;

namespace Portal.Benchmarks;

/// <summary>Appends one sample to each of N existing series per operation (a scrape's worth), then commits.</summary>
[ShortRunJob, MemoryDiagnoser]
public class TsdbAppendBenchmarks
{
    [Params(10_000, 100_000, 1_000_000)]
    public int Series;

    private string _dir = "";
    private TsdbDatabase _db = null!;
    private Labels[] _labels = [];
    private SeriesRef[] _refs = [];
    private long _t;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "tsdbbench-" + Guid.NewGuid().ToString("N"));
        _db = TsdbDatabase.Open(_dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero });
        _labels = new Labels[Series];
        _refs = new SeriesRef[Series];
        for (int i = 0; i < Series; i++)
            _labels[i] = Labels.FromStrings("__name__", "node_cpu_seconds_total", "cpu", (i % 64).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "instance", "host-" + (i / 64).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":9100", "job", "node", "mode", "idle");
        var app = _db.Appender();
        for (int i = 0; i < Series; i++) _refs[i] = app.Append(SeriesRef.None, _labels[i], 0, 0);
        app.Commit();
        _t = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        Directory.Delete(_dir, true);
    }

    [Benchmark]
    public void AppendScrapeToExistingSeries()
    {
        _t += 15_000;
        var app = _db.Appender();
        for (int i = 0; i < _refs.Length; i++) app.Append(_refs[i], _labels[i], _t, _t * 0.001 + i);
        app.Commit();
    }
}

[ShortRunJob, MemoryDiagnoser]
public class TsdbXorBenchmarks
{
    private byte[] _chunk = [];
    private readonly XorIterator _it = new();

    [GlobalSetup]
    public void Setup()
    {
        var c = new XorChunk();
        var rnd = new Random(1);
        double v = 1000;
        for (int i = 0; i < 120; i++) { v += rnd.Next(0, 100); c.Append(i * 15_000L + rnd.Next(-5, 5), v); }
        _chunk = c.ToArray();
    }

    [Benchmark(OperationsPerInvoke = 120)]
    public int Encode120()
    {
        var c = new XorChunk(256);
        double v = 1000;
        for (int i = 0; i < 120; i++) { v += i % 7; c.Append(i * 15_000L, v); }
        return c.ByteLength;
    }

    [Benchmark(OperationsPerInvoke = 120)]
    public double Decode120()
    {
        _it.Reset(_chunk);
        double s = 0;
        while (_it.Next()) s += _it.V;
        return s;
    }

    /// <summary>480 samples of a counter with hundredths (node_cpu_seconds_total-like), as blocks hold them.</summary>
    private static readonly List<Sample> Block480 = MakeBlock480();

    private static List<Sample> MakeBlock480()
    {
        var rnd = new Random(2);
        var list = new List<Sample>(480);
        double v = 123456.78;
        for (int i = 0; i < 480; i++) { v = Math.Round(v + rnd.Next(0, 200) / 100.0, 2); list.Add(new Sample(i * 15_000L, v)); }
        return list;
    }

    /// <summary>Prometheus's window rule, as the head encodes.</summary>
    [Benchmark(OperationsPerInvoke = 480)]
    public int Encode480ByPrometheusRule()
    {
        var c = new XorChunk(1024);
        foreach (var s in Block480) c.Append(s.T, s.V);
        return c.ByteLength;
    }

    /// <summary>Planned windows, as blocks are written.</summary>
    [Benchmark(OperationsPerInvoke = 480)]
    public int Encode480Planned() => ChunkUtil.EncodePlanned(Block480, 0, Block480.Count).Length;
}

/// <summary>Postings resolution for selectors over 1M head series.</summary>
[ShortRunJob, MemoryDiagnoser]
public class TsdbPostingsBenchmarks
{
    private string _dir = "";
    private TsdbDatabase _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "tsdbbench-" + Guid.NewGuid().ToString("N"));
        _db = TsdbDatabase.Open(_dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero });
        var app = _db.Appender();
        for (int i = 0; i < 1_000_000; i++)
            app.Append(SeriesRef.None, Labels.FromStrings("__name__", "m" + (i % 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "i", (i % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), "j", (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, i);
        app.Commit();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        Directory.Delete(_dir, true);
    }

    [Benchmark]
    public int EqualIntersect() => Resolve(Matcher.Equal("__name__", "m1"), Matcher.Equal("j", "3"));

    [Benchmark]
    public int RegexIntersect() => Resolve(Matcher.Equal("j", "3"), new Matcher(MatchType.Regex, "i", "1.*"));

    [Benchmark]
    public int NotEqual() => Resolve(Matcher.Equal("__name__", "m1"), new Matcher(MatchType.NotEqual, "j", "3"));

    private int Resolve(params Matcher[] ms)
    {
        using var q = _db.Querier(0, 10);
        var set = q.Select(false, null, ms);
        int n = 0;
        while (set.MoveNext()) n++;
        return n;
    }
}

/// <summary>
/// Block write (head cut) and block read for 10k series × 2h of 15 s samples (3h15m appended, the first 2h cut into a
/// block), with the head's 120-sample chunks kept
/// (120) or merged into one planned chunk per series (480).
/// </summary>
[ShortRunJob, MemoryDiagnoser]
public class TsdbBlockBenchmarks
{
    [Params(120, 480)]
    public int MaxSamplesPerBlockChunk { get; set; }

    [Benchmark]
    public long WriteAndReadBlock()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tsdbbench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var db = TsdbDatabase.Open(dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero, MaxSamplesPerBlockChunk = MaxSamplesPerBlockChunk });
            var refs = new SeriesRef[10_000];
            var labels = new Labels[refs.Length];
            for (int i = 0; i < refs.Length; i++)
                labels[i] = Labels.FromStrings("__name__", "node_network_receive_bytes_total", "device", "eth" + (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "instance", "host-" + (i / 4).ToString(System.Globalization.CultureInfo.InvariantCulture), "job", "node");
            for (long t = 0; t <= 3 * 3600_000 + 15 * 60_000; t += 15_000)
            {
                var app = db.Appender();
                for (int i = 0; i < refs.Length; i++) refs[i] = app.Append(refs[i], labels[i], t, t / 15_000 * 1024.0 + i);
                app.Commit();
            }
            db.Compact();
            if (db.Blocks.Count == 0) throw new InvalidOperationException("no block was written");
            long n = 0;
            using var q = db.Querier(0, 2 * 3600_000 - 1);
            var set = q.Select(false, null, new Matcher(MatchType.Regex, "__name__", ".+"));
            while (set.MoveNext())
            {
                var it = set.Current.Iterator();
                while (it.Next() == ValueKind.Float) n++;
            }
            return n;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>
/// Turning a head range into a block's chunks for 10k series × 2h of 15 s samples (four 120-sample head chunks each; a
/// third constant, a third counters with hundredths, a third random gauges): kept as they are (120) or merged into one
/// chunk per series with planned windows (480). What the merge costs a head cut, without the disk.
/// </summary>
[ShortRunJob, MemoryDiagnoser]
public class TsdbBlockChunksBenchmarks
{
    [Params(120, 480)]
    public int MaxSamplesPerBlockChunk { get; set; }

    private List<Portal.Tsdb.Querying.GatheredSeries> _series = [];

    [GlobalSetup]
    public void Setup()
    {
        var rnd = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            var g = new Portal.Tsdb.Querying.GatheredSeries(Labels.FromStrings("__name__", "m", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            double v = 1000;
            var samples = new List<Sample>();
            for (int k = 0; k < 480; k++)
            {
                v = (i % 3) switch { 0 => v, 1 => Math.Round(v + rnd.Next(0, 300) / 100.0, 2), _ => rnd.NextDouble() };
                samples.Add(new Sample(k * 15_000L, v));
            }
            foreach (var (mn, mx, data) in ChunkUtil.Encode(samples))
                g.Chunks.Add(new Portal.Tsdb.Querying.QueryChunk(new Portal.Tsdb.Head.ChunkData(mn, mx, data), null));
            _series.Add(g);
        }
    }

    /// <summary>Builds every series' block chunks, including those the block writer would have encoded as it reached them.</summary>
    [Benchmark]
    public int BuildBlockChunks()
    {
        int chunks = 0;
        foreach (var s in TsdbDatabase.BuildSeriesChunks(_series, 0, 2 * 3600_000 - 1, MaxSamplesPerBlockChunk))
            chunks += (s.Chunks ?? s.Encode!()).Count;
        return chunks;
    }
}

/// <summary>
/// What longer block chunks cost queries over short ranges of old data: 10k series × 2h of 15 s samples in a block,
/// chunks of 120 or 480 samples; each operation reads every series' samples in a 5-minute window in the middle of the
/// block (an instant query's lookback) through the querier, seeking to the window's start.
/// </summary>
[ShortRunJob, MemoryDiagnoser]
public class TsdbBlockLookbackBenchmarks
{
    [Params(120, 480)]
    public int MaxSamplesPerBlockChunk { get; set; }

    private string _dir = "";
    private TsdbDatabase _db = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "tsdbbench-" + Guid.NewGuid().ToString("N"));
        _db = TsdbDatabase.Open(_dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero, MaxSamplesPerBlockChunk = MaxSamplesPerBlockChunk });
        var refs = new SeriesRef[10_000];
        var labels = new Labels[refs.Length];
        var rnd = new Random(4);
        var values = new double[refs.Length];
        for (int i = 0; i < refs.Length; i++)
            labels[i] = Labels.FromStrings("__name__", "node_cpu_seconds_total", "cpu", (i % 16).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "instance", "host-" + (i / 16).ToString(System.Globalization.CultureInfo.InvariantCulture), "job", "node");
        for (long t = 0; t <= 3 * 3600_000 + 15 * 60_000; t += 15_000)
        {
            var app = _db.Appender();
            for (int i = 0; i < refs.Length; i++)
            {
                values[i] = Math.Round(values[i] + rnd.Next(0, 1500) / 100.0, 2);
                refs[i] = app.Append(refs[i], labels[i], t, values[i]);
            }
            app.Commit();
        }
        _db.Compact();
        if (_db.Blocks.Count == 0) throw new InvalidOperationException("no block was written");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        Directory.Delete(_dir, true);
    }

    [Benchmark]
    public long ReadFiveMinutesOfEverySeries()
    {
        const long At = 3600_000;
        long n = 0;
        using var q = _db.Querier(At - 300_000, At);
        var set = q.Select(false, null, new Matcher(MatchType.Equal, "__name__", "node_cpu_seconds_total"));
        while (set.MoveNext())
        {
            var it = set.Current.Iterator();
            if (it.Seek(At - 300_000) != ValueKind.Float) continue;
            do
            {
                if (it.At().T > At) break;
                n++;
            } while (it.Next() == ValueKind.Float);
        }
        return n;
    }
}
