using System.Diagnostics;
using System.Globalization;
using Portal.Model;
using Portal.PromQL;
using Portal.Tsdb;

namespace Portal.Benchmarks;

/// <summary>
/// One PromQL query run over and over in-process against a real <see cref="TsdbDatabase"/> holding the data of
/// <c>query-compare</c> (node-exporter-like series, 100 metric names, one sample per 15 s), without HTTP: for a
/// profiler to attach to (dotnet-trace) and for the engine's own share of a query's time. Prints the median and the
/// CPU time per run. Usage: <c>query-loop QUERY [STEP_SECONDS=15, 0 = instant] [SECONDS=20] [SERIES=5000] [ROUNDS=240]</c>.
/// </summary>
internal static class QueryLoop
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: query-loop QUERY [STEP_SECONDS=15] [SECONDS=20] [SERIES=5000] [ROUNDS=240]");
            return 2;
        }
        string query = args[0];
        int step = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        int seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        int series = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5000;
        int rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 240;
        const long stepMs = 15_000;
        var dir = Path.Combine(Path.GetTempPath(), "query-loop-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var db = TsdbDatabase.Open(dir, new TsdbOptions { CompactionInterval = TimeSpan.Zero });
            long t0 = 1_700_000_000_000;
            var labels = new Labels[series];
            for (int i = 0; i < series; i++)
                labels[i] = Labels.FromStrings(RemoteWriteLoad.SeriesLabels(i));
            var refs = new SeriesRef[series];
            for (int r = 0; r < rounds; r++)
            {
                var app = db.Appender();
                for (int i = 0; i < series; i++) refs[i] = app.Append(refs[i], labels[i], t0 + r * stepMs, r * 1.5 + i);
                app.Commit();
            }
            long end = t0 + (rounds - 1) * stepMs, start = t0 + 20 * 60_000;
            var engine = new PromQLEngine(new EngineOptions());
            var times = new List<double>();
            var sw = Stopwatch.StartNew();
            double cpu0 = ProcessStats.CpuSeconds(Environment.ProcessId);
            while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var one = Stopwatch.StartNew();
                var result = step == 0 ? engine.InstantQuery(db, query, end) : engine.RangeQuery(db, query, start, end, step * 1000L);
                times.Add(one.Elapsed.TotalMilliseconds);
                if (result.Error is not null)
                {
                    Console.Error.WriteLine(result.Error.Message);
                    return 1;
                }
            }
            double cpu = ProcessStats.CpuSeconds(Environment.ProcessId) - cpu0;
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{query} ({(step == 0 ? "instant" : step + "s")}): {times.Count} runs, median {times[times.Count / 2]:0.00} ms, CPU {cpu * 1000 / times.Count:0.00} ms per run"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
