using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Diagnosers;
using Portal.Ingest.Scrape;
using Portal.Ingest.TextParse;
using Portal.Model;

namespace Portal.Benchmarks;

/// <summary>Locates tests/Portal.Benchmarks/testdata from wherever BenchmarkDotNet runs the build.</summary>
internal static class IngestTestData
{
    public static byte[] Load(string name)
    {
        var d = FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory)
            ?? throw new FileNotFoundException("repository root (Portal.sln) not found above " + AppContext.BaseDirectory);
        return File.ReadAllBytes(Path.Combine(d.FullName, "tests", "Portal.Benchmarks", "testdata", name));
    }

    private static DirectoryInfo? FindRoot(string start)
    {
        var d = new DirectoryInfo(start);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Portal.sln"))) d = d.Parent;
        return d;
    }
}

/// <summary>
/// Parse throughput on Prometheus's 237-family text payload (model/textparse/testdata/alltypes.237mfs.prom.txt,
/// copied into testdata). The MB/s and samples/s columns derive from the mean time per payload.
/// </summary>
[Config(typeof(IngestBenchConfig))]
public class IngestParseBenchmarks
{
    internal static readonly byte[] Payload = IngestTestData.Load("alltypes.237mfs.prom.txt");
    internal static readonly int SeriesCount = CountSeries();

    private readonly StringInterner _strings = new();
    private readonly LabelsBuilder _lb = new();

    private static int CountSeries()
    {
        var p = new PromTextParser(Payload);
        int n = 0;
        Entry e;
        while ((e = p.Next()) != Entry.Eof) if (e == Entry.Series) n++;
        return n;
    }

    /// <summary>Tokenizes every entry and reads each sample's series bytes, value and timestamp (the steady state of a scrape whose series are cached).</summary>
    [Benchmark(Baseline = true)]
    public double ParseSeries()
    {
        var p = new PromTextParser(Payload, Payload.Length, _strings);
        double sum = 0;
        Entry e;
        while ((e = p.Next()) != Entry.Eof)
        {
            if (e != Entry.Series) continue;
            sum += p.Value + p.SeriesBytes.Length;
        }
        return sum;
    }

    /// <summary>Also materializes every sample's labels (strings come from a warm interner, as on repeated scrapes).</summary>
    [Benchmark]
    public int ParseWithLabels()
    {
        var p = new PromTextParser(Payload, Payload.Length, _strings);
        int n = 0;
        Entry e;
        while ((e = p.Next()) != Entry.Eof)
        {
            if (e != Entry.Series) continue;
            p.Labels(_lb);
            n += _lb.Count;
        }
        return n;
    }

}

/// <summary>
/// A short job run in-process (the machine is shared: no separate build, few iterations), with the memory
/// diagnoser and throughput columns derived from the payload size and its sample count.
/// </summary>
internal sealed class IngestBenchConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public IngestBenchConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new PerOpColumn("MB/s", s => IngestParseBenchmarks.Payload.Length / s / 1e6));
        AddColumn(new PerOpColumn("samples/s", s => IngestParseBenchmarks.SeriesCount / s));
    }
}

/// <summary>One scrape's append path over the same payload into a storage that discards samples (parse, cache lookup, append, staleness, report).</summary>
[Config(typeof(IngestBenchConfig))]
public class IngestScrapeAppendBenchmarks
{
    private ScrapeLoop _loop = null!;

    private sealed class NullAppendable : IAppendable
    {
        public IAppender Appender() => new NullAppender();

        private sealed class NullAppender : IAppender
        {
            public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v) => seriesRef.IsNone ? new SeriesRef(1) : seriesRef;
            public void Commit() { }
            public void Rollback() { }
        }
    }

    private sealed class NoScraper : ITargetScraper
    {
        public Task<string?> ScrapeAsync(ScrapeTarget target, ScrapeBuffer buffer, TimeSpan timeout, CancellationToken ct) => Task.FromResult<string?>(null);
    }

    [GlobalSetup]
    public void Setup()
    {
        var t = new ScrapeTarget(Labels.FromStrings("__address__", "h:9100", "job", "node", "instance", "h:9100"), Labels.Empty, "node",
            new Uri("http://h:9100/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
        _loop = new ScrapeLoop(t, new NullAppendable(), new NoScraper(), new ScrapeOptions());
        AppendOnce();
    }

    private long _ts = 1_000_000;

    [Benchmark]
    public ScrapeReport AppendOnce()
    {
        var p = IngestParseBenchmarks.Payload;
        return _loop.AppendScrape(p, p.Length, "text/plain; version=0.0.4", _ts += 15000, TimeSpan.Zero, null, DateTimeOffset.UtcNow);
    }
}

/// <summary>A column computed from the mean time per operation (in seconds).</summary>
internal sealed class PerOpColumn(string name, Func<double, double> fromSeconds) : IColumn
{
    public string Id => "PerOp." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name} derived from the mean time per payload";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var r = summary[benchmarkCase];
        if (r?.ResultStatistics is null) return "NA";
        return fromSeconds(r.ResultStatistics.Mean / 1e9).ToString("N1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
}
