using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Prom = Portal.Ingest.Protos.Prom;

namespace Portal.Benchmarks;

/// <summary>
/// PromQL speed and answers, the portal against Prometheus: the same remote-written data (node-exporter-like
/// series, one sample per 15 s for ROUNDS rounds) goes into a portal process and into Debian's Prometheus, then
/// each query of a fixed set runs REPEATS times against both HTTP APIs, one at a time. Prints per query the median
/// wall time, the server's CPU seconds for all repeats, and whether the two answers agree (same series, values
/// equal to 1e-9 relative). The first query, vector(1), shows the fixed cost of a request (HTTP, authentication).
/// Before measuring, the whole set runs WARMUP times against both servers untimed: the figures are those of a
/// server that has been up a while (the .NET JIT first compiles code quickly and recompiles hot code optimized after
/// about 30 calls, so a process's first queries of a kind run several times slower; WARMUP=0 shows that).
/// Usage: <c>query-compare PORTAL_WEB_DLL [SERIES=5000] [ROUNDS=240] [REPEATS=10] [WARMUP=5]</c>.
/// </summary>
public static class QueryCompare
{
    private const string Tenant = "query";
    private const string Token = "query-compare-token-0123456789abcdef";
    private const long StepMs = 15_000;

    /// <summary>The queries: (expression, range step in seconds, or 0 for an instant query at the end).</summary>
    private static readonly (string Expr, int Step)[] Queries =
    [
        ("vector(1)", 0),
        ("sum(rate(load_metric_1[5m]))", 15),
        ("sum by (instance) (rate({__name__=~\"load_metric_1.*\"}[5m]))", 15),
        ("topk(5, load_metric_2)", 60),
        ("avg_over_time(load_metric_3[10m])", 60),
        ("count by (mode) (load_metric_4)", 15),
        ("sum by (cpu) (load_metric_5) / sum by (cpu) (load_metric_6)", 15),
        ("max_over_time(deriv(load_metric_7[5m])[30m:1m])", 60),
        ("quantile_over_time(0.95, load_metric_8[15m])", 60),
        ("count({job=\"node\"})", 0),
        ("sum by (instance, mode) (rate({job=\"node\"}[5m]))", 0),
        ("sum by (instance, mode) (rate({job=\"node\"}[5m]))", 60),
        ("histogram_quantile(0.9, rate(latency_seconds_bucket[5m]))", 0),
        ("histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))", 60),
    ];

    /// <summary>Classic histograms for the histogram_quantile queries: 10 buckets each, cumulative counters growing per round.</summary>
    private const int Histograms = 1000;

    private static List<byte[]> HistogramPayloads(int rounds, long t0)
    {
        string[] les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
        var list = new List<byte[]>();
        for (int r = 0; r < rounds; r++)
        {
            var req = new Prom.WriteRequest();
            for (int h = 0; h < Histograms; h++)
                for (int b = 0; b < les.Length; b++)
                {
                    var ts = new Prom.TimeSeries();
                    ts.Labels.Add(new Prom.Label { Name = "__name__", Value = "latency_seconds_bucket" });
                    ts.Labels.Add(new Prom.Label { Name = "instance", Value = "api-" + h.ToString(CultureInfo.InvariantCulture) });
                    ts.Labels.Add(new Prom.Label { Name = "job", Value = "api" });
                    ts.Labels.Add(new Prom.Label { Name = "le", Value = les[b] });
                    ts.Samples.Add(new Prom.Sample { Timestamp = t0 + r * StepMs, Value = (double)r * (b + 1) * (1 + h % 3) + h % 7 * b });
                    req.Timeseries.Add(ts);
                }
            list.Add(Portal.Ingest.RemoteWrite.SnappyBlock.Encode(Google.Protobuf.MessageExtensions.ToByteArray(req)));
        }
        return list;
    }

    public static int Run(string[] args)
    {
        if (Arguments(args, "query-compare", 5000, 240, 10, 5) is not var (dll, series, rounds, repeats, warmup)) return 2;
        var payloads = RemoteWriteLoad.BuildPayloads(series, rounds, StepMs);
        payloads.AddRange(HistogramPayloads(rounds, RemoteWriteLoad.FirstTimestamp(rounds, StepMs)));
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000 - StepMs) / 1000;
        // Windows never reach back to a series' first sample: Debian's Prometheus (2.42) extrapolates rate() there
        // differently from 3.x (the zero-point clamp comes before the half-interval rule), which this portal follows.
        long start = end - (rounds - 1) * StepMs / 1000 + 20 * 60;
        Console.WriteLine($"data: {series} series and {Histograms} classic histograms of 10 buckets, {rounds} samples each at 15 s ({((long)series + Histograms * 10) * rounds} samples); queries over [{start}, {end}], {repeats} repeats each after {warmup} untimed passes");
        return Compare(dll, payloads, Queries, start, end, repeats, warmup);
    }

    /// <summary>Selectors over many series (regex on a label with a million values, on the metric name, negative regex), instant queries.</summary>
    private static readonly (string Expr, int Step)[] RegexQueries =
    [
        ("count({series=~\"12345.*\"})", 0),
        ("count({series=~\".*999\"})", 0),
        ("count({__name__=~\"load_metric_1.*\"})", 0),
        ("count(load_metric_1{series!~\"1.*\"})", 0),
        ("count({job=\"node\", cpu=~\"1|3\", mode!~\"m[0-5]\"})", 0),
    ];

    /// <summary>
    /// <c>regex-compare PORTAL_WEB_DLL [SERIES=1000000] [ROUNDS=4] [REPEATS=10] [WARMUP=2]</c>: regex selectors over a
    /// million series (the same node-exporter-like label sets, a few samples each), the portal against Prometheus.
    /// </summary>
    public static int RunRegex(string[] args)
    {
        if (Arguments(args, "regex-compare", 1_000_000, 4, 10, 2) is not var (dll, series, rounds, repeats, warmup)) return 2;
        var payloads = RemoteWriteLoad.BuildPayloads(series, rounds, StepMs);
        long end = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000 - StepMs) / 1000;
        Console.WriteLine($"data: {series} series, {rounds} samples each at 15 s; instant queries at {end}, {repeats} repeats each after {warmup} untimed passes");
        return Compare(dll, payloads, RegexQueries, end, end, repeats, warmup);
    }

    /// <summary>PORTAL_WEB_DLL [SERIES] [ROUNDS] [REPEATS] [WARMUP] with the given defaults; null (after saying why) when unusable.</summary>
    private static (string Dll, int Series, int Rounds, int Repeats, int Warmup)? Arguments(string[] args, string mode, int series, int rounds, int repeats, int warmup)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine($"usage: {mode} PORTAL_WEB_DLL [SERIES={series}] [ROUNDS={rounds}] [REPEATS={repeats}] [WARMUP={warmup}]");
            return null;
        }
        if (!File.Exists("/usr/bin/prometheus"))
        {
            Console.Error.WriteLine("/usr/bin/prometheus is missing: install Debian's prometheus to compare with it");
            return null;
        }
        int Arg(int i, int def) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : def;
        return (Path.GetFullPath(args[0]), Arg(1, series), Arg(2, rounds), Arg(3, repeats), Arg(4, warmup));
    }

    private static int Compare(string dll, List<byte[]> payloads, (string Expr, int Step)[] queries, long start, long end, int repeats, int warmup)
    {
        Console.WriteLine("load average at start: " + File.ReadAllText("/proc/loadavg").Trim());

        var work = Path.Combine(Path.GetTempPath(), "query-compare-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        Process? portal = null, prometheus = null;
        try
        {
            var prov = Path.Combine(work, "prov", "tenants", Tenant);
            Directory.CreateDirectory(prov);
            File.WriteAllText(Path.Combine(prov, "tenant.yml"), $"name: Query\napi_tokens:\n  - name: q\n    token: \"{Token}\"\n    scopes: [read, write]\n");
            string portalUrl = $"http://127.0.0.1:{RemoteWriteLoad.FreePort()}";
            portal = RemoteWriteLoad.Start("dotnet", dll, $"--urls={portalUrl}", $"--Storage:Path={Path.Combine(work, "portal")}",
                $"--Provisioning:Path={Path.Combine(work, "prov")}", "--Limits:IngestionRate=1000000000", "--Limits:IngestionBurstSize=2000000000",
                "--Limits:MaxGlobalSeriesPerUser=10000000", "--Logging:LogLevel:Default=Warning");
            var config = Path.Combine(work, "prometheus.yml");
            File.WriteAllText(config, "global:\n  scrape_interval: 1m\n");
            int promPort = RemoteWriteLoad.FreePort();
            string promUrl = $"http://127.0.0.1:{promPort}";
            prometheus = RemoteWriteLoad.Start("/usr/bin/prometheus", $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(work, "prom")}",
                $"--web.listen-address=127.0.0.1:{promPort}", "--web.enable-remote-write-receiver", "--log.level=warn");
            RemoteWriteLoad.WaitReady(portalUrl + "/-/ready");
            RemoteWriteLoad.WaitReady(promUrl + "/-/ready");

            using var portalHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            portalHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Tenant}:{Token}")));
            using var promHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            int refused = 0;
            foreach (var p in payloads)
            {
                if (!RemoteWriteLoad.Send(portalHttp, portalUrl + "/api/v1/write", p)) refused++;
                if (!RemoteWriteLoad.Send(promHttp, promUrl + "/api/v1/write", p)) refused++;
            }
            if (refused > 0) Console.WriteLine($"{refused} write requests refused (see above)");

            for (int w = 0; w < warmup; w++)
                foreach (var (expr, step) in queries)
                {
                    var path = PathOf(expr, step, start, end);
                    portalHttp.GetStringAsync(portalUrl + path).GetAwaiter().GetResult();
                    promHttp.GetStringAsync(promUrl + path).GetAwaiter().GetResult();
                }
            if (warmup > 0) Thread.Sleep(1000);

            Console.WriteLine("query | step | portal median ms | prometheus median ms | speed-up | portal CPU s | prometheus CPU s | answers");
            double sumPortal = 0, sumProm = 0;
            int agree = 0;
            foreach (var (expr, step) in queries)
            {
                var path = PathOf(expr, step, start, end);
                var (portalMs, portalCpu, portalBody) = Measure(portalHttp, portalUrl + path, portal.Id, repeats);
                var (promMs, promCpu, promBody) = Measure(promHttp, promUrl + path, prometheus.Id, repeats);
                var same = SameAnswer(portalBody, promBody, out var why);
                if (same) agree++;
                sumPortal += portalMs;
                sumProm += promMs;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{expr} | {(step == 0 ? "instant" : step + "s")} | {portalMs:0.0} | {promMs:0.0} | {promMs / portalMs:0.00}x | {portalCpu:0.00} | {promCpu:0.00} | {(same ? "same" : "DIFFER: " + why)}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sum of medians: portal {sumPortal:0} ms, prometheus {sumProm:0} ms ({sumProm / sumPortal:0.00}x); answers agree on {agree}/{queries.Length}"));
            Console.WriteLine("load average at end: " + File.ReadAllText("/proc/loadavg").Trim());
            return 0;
        }
        finally
        {
            if (portal is not null) RemoteWriteLoad.Stop(portal);
            if (prometheus is not null) RemoteWriteLoad.Stop(prometheus);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string PathOf(string expr, int step, long start, long end) => step == 0
        ? $"/api/v1/query?query={Uri.EscapeDataString(expr)}&time={end}"
        : $"/api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={start}&end={end}&step={step}";

    /// <summary>One warm-up request, then <paramref name="repeats"/> timed ones; the median wall time, the server's CPU for them, the last body.</summary>
    private static (double MedianMs, double CpuSeconds, string Body) Measure(HttpClient http, string url, int pid, int repeats)
    {
        string body = http.GetStringAsync(url).GetAwaiter().GetResult();
        var times = new List<double>(repeats);
        double cpu0 = ProcessStats.CpuSeconds(pid);
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            body = http.GetStringAsync(url).GetAwaiter().GetResult();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        double cpu = ProcessStats.CpuSeconds(pid) - cpu0;
        times.Sort();
        return (times[times.Count / 2], cpu, body);
    }

    /// <summary>Whether two API answers hold the same series with the same points (values to 1e-9 relative).</summary>
    private static bool SameAnswer(string a, string b, out string why)
    {
        var x = Series(a);
        var y = Series(b);
        why = "";
        if (x.Count != y.Count)
        {
            why = $"{x.Count} series vs {y.Count}";
            return false;
        }
        foreach (var (key, points) in x)
        {
            if (!y.TryGetValue(key, out var other))
            {
                why = "series " + key + " only in the portal's answer";
                return false;
            }
            if (points.Count != other.Count)
            {
                why = $"{key}: {points.Count} points vs {other.Count}";
                return false;
            }
            for (int i = 0; i < points.Count; i++)
            {
                var (t1, v1) = points[i];
                var (t2, v2) = other[i];
                bool equal = t1 == t2 && (v1 == v2 || (double.IsNaN(v1) && double.IsNaN(v2)) || Math.Abs(v1 - v2) <= 1e-9 * Math.Max(Math.Abs(v1), Math.Abs(v2)));
                if (!equal)
                {
                    why = $"{key} at {t2}: {v1} vs {v2}";
                    return false;
                }
            }
        }
        return true;
    }

    private static Dictionary<string, List<(double T, double V)>> Series(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var data = doc.RootElement.GetProperty("data");
        var map = new Dictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        foreach (var s in data.GetProperty("result").EnumerateArray())
        {
            var key = string.Join(",", s.GetProperty("metric").EnumerateObject().Select(p => p.Name + "=" + p.Value.GetString()).Order(StringComparer.Ordinal));
            var points = new List<(double, double)>();
            if (s.TryGetProperty("values", out var values))
                foreach (var v in values.EnumerateArray()) points.Add(Point(v));
            else points.Add(Point(s.GetProperty("value")));
            map[key] = points;
        }
        return map;
    }

    private static (double, double) Point(JsonElement pair) =>
        (pair[0].GetDouble(), double.Parse(pair[1].GetString()!, CultureInfo.InvariantCulture));
}
