using BenchmarkDotNet.Attributes;
using Portal.Model;
using Portal.PromQL;
using Portal.PromQL.PromqlTest;

namespace Portal.Benchmarks;

/// <summary>
/// PromQL engine throughput over in-memory data. Each benchmark declares OperationsPerInvoke as the
/// number of stored samples the query reads, so the reported mean is nanoseconds per sample.
/// Run: dotnet run -c Release --project tests/Portal.Benchmarks -- --filter '*PromQL*'
/// </summary>
[MemoryDiagnoser]
public class PromQLBenchmarks
{
    private const int Series = 10_000;
    private const long ScrapeMs = 15_000;
    private const long End = 3_900_000; // 65 minutes of data
    private const int SamplesPerSeries = (int)(End / ScrapeMs) + 1;

    // rate(x[5m]) at one instant reads 20 samples per series.
    private const int RateOps = Series * 20;
    // sum(rate(x[5m])) over the last hour at 15s reads the full 65 minutes per series (each sample in ~20 windows).
    private const int RangeOps = Series * (SamplesPerSeries - 1);
    // 1000 histograms x 10 buckets, 20 samples each in the rate window.
    private const int HistOps = 1000 * 10 * 20;

    private MemoryStorage _storage = null!;
    private PromQLEngine _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _storage = new MemoryStorage();
        for (int i = 0; i < Series; i++)
        {
            var l = Labels.FromStrings("__name__", "http_requests_total", "instance", "i" + i, "job", "job" + (i % 10));
            for (int k = 0; k < SamplesPerSeries; k++) _storage.Add(l, k * ScrapeMs, k * (1 + i % 7));
        }
        string[] les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
        for (int h = 0; h < 1000; h++)
        {
            for (int b = 0; b < les.Length; b++)
            {
                var l = Labels.FromStrings("__name__", "latency_seconds_bucket", "instance", "i" + h, "le", les[b]);
                for (int k = 0; k < SamplesPerSeries; k++) _storage.Add(l, k * ScrapeMs, k * (b + 1) * (1 + h % 3));
            }
        }
        _engine = new PromQLEngine(new EngineOptions());
    }

    [Benchmark(OperationsPerInvoke = RateOps)]
    public int RateInstant10kSeries() => Count(_engine.InstantQuery(_storage, "rate(http_requests_total[5m])", End));

    [Benchmark(OperationsPerInvoke = RangeOps)]
    public int SumByJobRateRange1h15s10kSeries() =>
        Count(_engine.RangeQuery(_storage, "sum by (job) (rate(http_requests_total[5m]))", End - 3_600_000, End, 15_000));

    [Benchmark(OperationsPerInvoke = HistOps)]
    public int HistogramQuantile1kClassic() =>
        Count(_engine.InstantQuery(_storage, "histogram_quantile(0.9, rate(latency_seconds_bucket[5m]))", End));

    private static int Count(QueryResult r)
    {
        if (r.Error is not null) throw new InvalidOperationException(r.Error.Message);
        return r.Value switch
        {
            VectorResult v => v.Samples.Count,
            MatrixResult m => m.Series.Count,
            _ => 0,
        };
    }
}
