using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Portal.Ingest.RemoteWrite;
using Prom = Portal.Ingest.Protos.Prom;

namespace Portal.Benchmarks;

/// <summary>
/// Load generator for end-to-end remote write ingest (HTTP, snappy, protobuf, validation, append): sends the
/// same prebuilt remote write 1.0 payloads to a portal process and to Debian's Prometheus (started with
/// <c>--web.enable-remote-write-receiver</c>), both on loopback with throwaway folders, and prints for each the
/// samples per second, the receiver's CPU seconds (from /proc), samples per CPU-second and resident memory.
/// Usage: <c>remote-write-load PORTAL_WEB_DLL [SERIES] [ROUNDS] [CONCURRENCY]</c>. Every request loop is bounded.
/// </summary>
public static class RemoteWriteLoad
{
    private const string Tenant = "load";
    private const string Token = "load-test-write-token-0123456789abcdef";
    private const int SamplesPerRequest = 2000;

    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: remote-write-load PORTAL_WEB_DLL [SERIES] [ROUNDS] [CONCURRENCY]");
            return 2;
        }
        var dll = Path.GetFullPath(args[0]);
        int series = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
        int concurrency = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 4;
        var payloads = BuildPayloads(series, rounds);
        long total = (long)series * rounds;
        Console.WriteLine($"payloads: {payloads.Count} requests, {total} samples, {series} series x {rounds} rounds, {payloads.Sum(p => (long)p.Length) / 1024} KiB snappy");

        var work = Path.Combine(Path.GetTempPath(), "rw-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var portal = MeasurePortal(dll, work, payloads, total, concurrency);
            var prometheus = File.Exists("/usr/bin/prometheus")
                ? (Figures?)MeasurePrometheus(work, payloads, total, concurrency)
                : null;
            Print("portal", portal);
            if (prometheus is { } p)
            {
                Print("prometheus", p);
                Console.WriteLine($"ratio samples/CPU-s portal/prometheus: {portal.PerCpuSecond / p.PerCpuSecond:0.00}x; RSS portal/prometheus: {(double)portal.RssKb / p.RssKb:0.00}");
            }
            else Console.WriteLine("prometheus: /usr/bin/prometheus absent, not measured");
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private readonly record struct Figures(double Seconds, double CpuSeconds, long RssKb, long PeakRssKb, string RssParts, long Samples, int Errors)
    {
        public double PerSecond => Samples / Seconds;
        public double PerCpuSecond => Samples / CpuSeconds;
    }

    private static void Print(string name, Figures f) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {f.Samples} samples in {f.Seconds:0.00} s = {f.PerSecond:0} samples/s; receiver CPU {f.CpuSeconds:0.00} s = {f.PerCpuSecond:0} samples/CPU-s; RSS {f.RssKb / 1024} MiB ({f.RssParts}; peak {f.PeakRssKb / 1024} MiB); errors {f.Errors}"));

    /// <summary>The first round's timestamp: the rounds end a minute before now (to the millisecond of this call).</summary>
    internal static long FirstTimestamp(int rounds, long stepMs) => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - rounds * stepMs - 60_000;

    /// <summary>Series <paramref name="i"/>'s label names and values, alternating and sorted by name.</summary>
    internal static string[] SeriesLabels(int i) =>
    [
        "__name__", "load_metric_" + (i % 100).ToString(CultureInfo.InvariantCulture),
        "cpu", (i % 8).ToString(CultureInfo.InvariantCulture),
        "instance", "host-" + (i / 800).ToString(CultureInfo.InvariantCulture) + ":9100",
        "job", "node",
        "mode", "m" + (i / 100 % 8).ToString(CultureInfo.InvariantCulture),
        "series", i.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>
    /// Node-exporter-like series (6 labels: 100 metric names, 8 cpus, 25 instances per 20,000, 8 modes) with one
    /// sample each per request, rounds <paramref name="stepMs"/> apart and ending a minute before now. Values grow
    /// with the round, like counters.
    /// </summary>
    internal static List<byte[]> BuildPayloads(int series, int rounds, long stepMs = 1000)
    {
        var list = new List<byte[]>();
        long t0 = FirstTimestamp(rounds, stepMs);
        var labelSets = new List<Prom.Label[]>(series);
        for (int i = 0; i < series; i++)
        {
            var pairs = SeriesLabels(i);
            var set = new Prom.Label[pairs.Length / 2];
            for (int k = 0; k < set.Length; k++) set[k] = new Prom.Label { Name = pairs[2 * k], Value = pairs[2 * k + 1] };
            labelSets.Add(set);
        }
        for (int r = 0; r < rounds; r++)
        {
            for (int start = 0; start < series; start += SamplesPerRequest)
            {
                var req = new Prom.WriteRequest();
                for (int i = start; i < Math.Min(series, start + SamplesPerRequest); i++)
                {
                    var ts = new Prom.TimeSeries();
                    ts.Labels.AddRange(labelSets[i]);
                    ts.Samples.Add(new Prom.Sample { Timestamp = t0 + r * stepMs, Value = r * 1.5 + i });
                    req.Timeseries.Add(ts);
                }
                list.Add(SnappyBlock.Encode(req.ToByteArray()));
            }
        }
        return list;
    }

    private static Figures MeasurePortal(string dll, string work, List<byte[]> payloads, long total, int concurrency)
    {
        var prov = Path.Combine(work, "prov", "tenants", Tenant);
        Directory.CreateDirectory(prov);
        File.WriteAllText(Path.Combine(prov, "tenant.yml"), $"name: Load\napi_tokens:\n  - name: load\n    token: \"{Token}\"\n    scopes: [read, write]\n");
        int port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var p = Start("dotnet", dll, $"--urls={url}", $"--Storage:Path={Path.Combine(work, "portal")}", $"--Provisioning:Path={Path.Combine(work, "prov")}",
            "--Limits:IngestionRate=1000000000", "--Limits:IngestionBurstSize=2000000000", "--Limits:MaxGlobalSeriesPerUser=10000000", "--Logging:LogLevel:Default=Warning");
        try
        {
            WaitReady(url + "/-/ready");
            return Drive(p, url + "/api/v1/write", payloads, total, concurrency, auth: true);
        }
        finally
        {
            Stop(p);
        }
    }

    private static Figures MeasurePrometheus(string work, List<byte[]> payloads, long total, int concurrency)
    {
        var config = Path.Combine(work, "prometheus.yml");
        File.WriteAllText(config, "global:\n  scrape_interval: 1m\n");
        int port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var p = Start("/usr/bin/prometheus", $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(work, "prom")}",
            $"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver", "--log.level=warn");
        try
        {
            WaitReady(url + "/-/ready");
            return Drive(p, url + "/api/v1/write", payloads, total, concurrency, auth: false);
        }
        finally
        {
            Stop(p);
        }
    }

    private static Figures Drive(Process p, string url, List<byte[]> payloads, long total, int concurrency, bool auth)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(60) };
        if (auth) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Tenant}:{Token}")));
        // Warm-up: the first round's first request (not counted), so connection setup and JIT are outside the figures.
        Send(http, url, payloads[0]);
        Thread.Sleep(500);
        double cpu0 = ProcessStats.CpuSeconds(p.Id);
        var sw = Stopwatch.StartNew();
        int next = 0, errors = 0;
        var workers = new Thread[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            workers[w] = new Thread(() =>
            {
                while (true)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= payloads.Count) return;
                    if (!Send(http, url, payloads[i])) Interlocked.Increment(ref errors);
                }
            });
            workers[w].Start();
        }
        foreach (var w in workers) w.Join();
        sw.Stop();
        double cpu = ProcessStats.CpuSeconds(p.Id) - cpu0;
        var (rss, hwm) = ProcessStats.Memory(p.Id);
        var parts = ProcessStats.RssParts(p.Id);
        long sent = total - Math.Min(total, SamplesPerRequest);
        return new Figures(sw.Elapsed.TotalSeconds, cpu, rss, hwm, parts, sent, errors);
    }

    /// <summary>Posts one payload; a refusal is printed (status and body) and counted by the caller.</summary>
    internal static bool Send(HttpClient http, string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", "0.1.0");
        try
        {
            using var r = http.PostAsync(url, content).GetAwaiter().GetResult();
            if (r.IsSuccessStatusCode) return true;
            Console.Error.WriteLine($"request refused: HTTP {(int)r.StatusCode} {r.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            return false;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"request failed: {e.Message}");
            return false;
        }
    }

    internal static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    internal static void Stop(Process p)
    {
        if (p.HasExited) return;
        p.Kill(entireProcessTree: true);
        p.WaitForExit();
    }

    internal static void WaitReady(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (http.GetAsync(url).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            Thread.Sleep(200);
        }
        throw new TimeoutException("not ready: " + url);
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
