using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Ingest.Scrape;
using Portal.Model;
using Portal.Tsdb;

namespace Portal.Benchmarks;

/// <summary>
/// Load test of scrape-and-append: a child process serves T targets of S series each in the Prometheus text format
/// on loopback (Kestrel, one port, paths <c>/t/N/metrics</c>, bodies pre-rendered with values that change on every
/// request), and this process scrapes them with a real <see cref="ScrapeManager"/> (configured from a
/// prometheus.yml with static targets, so hash-based offsets spread the scrapes) into a real TSDB in a temp folder.
/// After one interval of warm-up (series creation) it measures a steady-state window, then a burst window with a
/// short interval to find the most samples per second this process can scrape and append. Prints samples/s,
/// scrape duration p50/p99, CPU seconds per million samples for the scraper (this process) and the target server
/// (the child), allocated bytes per sample, RSS and failed scrapes.
/// WARMUP_SECONDS more of scraping before the steady window lets the head reach its steady state (series created,
/// first chunks cut), which a window right after series creation does not show.
/// Usage: <c>scrape-load [TARGETS=1000] [SERIES=1000] [SECONDS=60] [INTERVAL=15s] [BURST_INTERVAL=1s] [BURST_SECONDS=20] [WARMUP_SECONDS=0]</c>.
/// </summary>
public static class ScrapeLoad
{
    /// <summary>Distinct payload shapes; target N serves shape N mod this (its own instance label keeps series apart).</summary>
    private const int Shapes = 8;

    public static int Run(string[] args)
    {
        int targets = ArgInt(args, 0, 1000);
        int series = ArgInt(args, 1, 1000);
        int seconds = ArgInt(args, 2, 60);
        var interval = args.Length > 3 ? PromDuration.ParseTimeSpan(args[3]) : TimeSpan.FromSeconds(15);
        var burstInterval = args.Length > 4 ? PromDuration.ParseTimeSpan(args[4]) : TimeSpan.FromSeconds(1);
        int burstSeconds = ArgInt(args, 5, 20);
        int warmupSeconds = ArgInt(args, 6, 0);

        var work = Path.Combine(Path.GetTempPath(), "scrape-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        using var server = StartServer(targets, series, out int port);
        try
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"scrape-load: {targets} targets x {series} series, interval {PromDurationText(interval)}, window {seconds} s, burst interval {PromDurationText(burstInterval)} for {burstSeconds} s; server_gc={System.Runtime.GCSettings.IsServerGC} cores={Environment.ProcessorCount}"));
            Console.WriteLine("load average at start: " + File.ReadAllText("/proc/loadavg").Trim());
            using var db = TsdbDatabase.Open(Path.Combine(work, "tsdb"));
            var counting = new CountingAppendable(db);
            using var manager = new ScrapeManager(counting);
            manager.ApplyConfig(Config(targets, port, interval));

            // Warm-up: every target's first successful scrape creates its series, which costs far more than the later
            // ones; the steady window starts once every target is up (at most three intervals), plus a second.
            var warm = Stopwatch.StartNew();
            while (manager.ActiveTargets() is var active && (active.Count < targets || active.Any(t => t.State.Health != TargetHealth.Up))
                   && warm.Elapsed < 3 * interval)
                Thread.Sleep(500);
            Thread.Sleep(1000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warm.Elapsed.TotalSeconds:0.0} s until {counting.Snapshot().Scrapes} scrapes ({counting.Snapshot().Failed} failed)"));
            if (warmupSeconds > 0)
            {
                var settle = Measure(counting, server, TimeSpan.FromSeconds(warmupSeconds));
                Print("settling", settle, targets, series, interval);
            }
            var steady = Measure(counting, server, TimeSpan.FromSeconds(seconds));
            Print("steady", steady, targets, series, interval);

            manager.ApplyConfig(Config(targets, port, burstInterval));
            Thread.Sleep(burstInterval + TimeSpan.FromMilliseconds(500));
            var burst = Measure(counting, server, TimeSpan.FromSeconds(burstSeconds));
            Print("burst", burst, targets, series, burstInterval);
            Console.WriteLine("load average at end: " + File.ReadAllText("/proc/loadavg").Trim());
            return 0;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit();
            }
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static int ArgInt(string[] args, int i, int def) =>
        args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : def;

    private static string PromDurationText(TimeSpan t) => PromDuration.Format(t);

    private static string Config(int targets, int port, TimeSpan interval)
    {
        var sb = new StringBuilder();
        var iv = PromDurationText(interval);
        sb.Append("global:\n  scrape_interval: ").Append(iv).Append("\n  scrape_timeout: ").Append(iv).Append('\n');
        sb.Append("scrape_configs:\n  - job_name: node\n    static_configs:\n");
        for (int i = 0; i < targets; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"      - targets: ['127.0.0.1:{port}']\n");
            sb.Append(CultureInfo.InvariantCulture, $"        labels: {{__metrics_path__: '/t/{i}/metrics', instance: 'host-{i:D4}.example.net:9100', zone: 'z{i % 3}'}}\n");
        }
        return sb.ToString();
    }

    private readonly record struct Window(double Seconds, long Samples, long Scrapes, long Failed, double[] Durations,
        double PortalCpu, double ServerCpu, long AllocatedBytes, long RssKb, long HwmKb, int Gen0, int Gen1, int Gen2, TimeSpan GcPause);

    private static Window Measure(CountingAppendable counting, Process server, TimeSpan length)
    {
        var before = counting.Snapshot();
        double cpu0 = ProcessStats.CpuSeconds(Environment.ProcessId), scpu0 = ProcessStats.CpuSeconds(server.Id);
        long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration();
        var sw = Stopwatch.StartNew();
        Thread.Sleep(length);
        var after = counting.Snapshot();
        double secs = sw.Elapsed.TotalSeconds;
        double cpu = ProcessStats.CpuSeconds(Environment.ProcessId) - cpu0, scpu = ProcessStats.CpuSeconds(server.Id) - scpu0;
        long alloc = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
        var (rss, hwm) = ProcessStats.Memory(Environment.ProcessId);
        var durations = counting.DurationsSince(before.Scrapes);
        Array.Sort(durations);
        return new Window(secs, after.Samples - before.Samples, after.Scrapes - before.Scrapes, after.Failed - before.Failed,
            durations, cpu, scpu, alloc, rss, hwm,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2, GC.GetTotalPauseDuration() - pause0);
    }

    private static void Print(string name, Window w, int targets, int series, TimeSpan interval)
    {
        double expected = targets * (double)(series + 5) / interval.TotalSeconds;
        double p50 = Percentile(w.Durations, 0.50), p99 = Percentile(w.Durations, 0.99);
        double perM = w.Samples / 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {w.Samples / w.Seconds:0} samples/s appended (schedule asks {expected:0}); {w.Scrapes} scrapes, {w.Failed} failed; scrape duration p50 {p50 * 1000:0.0} ms p99 {p99 * 1000:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: CPU s per 1M samples: portal {w.PortalCpu / perM:0.000} (total {w.PortalCpu:0.0} s = {w.PortalCpu / w.Seconds * 100:0}% of a core), target server {w.ServerCpu / perM:0.000}; allocated {w.AllocatedBytes / (double)w.Samples:0.0} B/sample; GCs {w.Gen0}/{w.Gen1}/{w.Gen2} pausing {w.GcPause.TotalSeconds:0.00} s; RSS {w.RssKb / 1024} MiB (peak {w.HwmKb / 1024} MiB)"));
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    /// <summary>
    /// Counts what the scrape loops append. A scrape is one transaction whose last five appends are the synthetic
    /// series in the order <c>up</c>, <c>scrape_duration_seconds</c>, ... (as <see cref="ScrapeLoop"/> writes them),
    /// so the commit tells whether the scrape failed and how long it took without looking at labels.
    /// </summary>
    private sealed class CountingAppendable(IAppendable inner) : IAppendable
    {
        private readonly object _lock = new();
        private readonly List<double> _durations = new();
        private long _samples, _failed;

        public IAppender Appender() => new Counting(this, inner.Appender());

        public (long Samples, long Scrapes, long Failed) Snapshot()
        {
            lock (_lock) return (_samples, _durations.Count, _failed);
        }

        public double[] DurationsSince(long scrapes)
        {
            lock (_lock) return _durations.Skip((int)scrapes).ToArray();
        }

        private void Committed(long samples, double up, double duration)
        {
            lock (_lock)
            {
                _samples += samples;
                _durations.Add(duration);
                if (up != 1) _failed++;
            }
        }

        private sealed class Counting(CountingAppendable owner, IAppender inner) : IAppender
        {
            private readonly double[] _last = new double[5];
            private long _n;

            public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
            {
                var r = inner.Append(seriesRef, labels, t, v);
                _last[_n++ % 5] = v;
                return r;
            }

            public void Commit()
            {
                inner.Commit();
                if (_n >= 5) owner.Committed(_n, _last[(_n - 5) % 5], _last[(_n - 4) % 5]);
            }

            public void Rollback() => inner.Rollback();
        }
    }

    private static Process StartServer(int targets, int series, out int port)
    {
        var self = Environment.GetCommandLineArgs()[0];
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = false };
        if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) psi.ArgumentList.Add(self);
        psi.ArgumentList.Add("scrape-load-server");
        psi.ArgumentList.Add(targets.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(series.ToString(CultureInfo.InvariantCulture));
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the target server");
        var line = p.StandardOutput.ReadLine() ?? throw new InvalidOperationException("target server exited before listening");
        port = int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
        return p;
    }

    /// <summary>
    /// The target server (child process): prints <c>listening PORT</c>, then serves until killed. Each body is a
    /// pre-rendered shape whose sample values are fixed-width 10-digit fields, overwritten per request with a
    /// counter so every scrape sees new values at the cost of one copy.
    /// </summary>
    public static int Serve(string[] args)
    {
        int targets = ArgInt(args, 0, 1000);
        int series = ArgInt(args, 1, 1000);
        var shapes = new Shape[Shapes];
        for (int s = 0; s < Shapes; s++) shapes[s] = Render(s, series);
        var counters = new long[targets];

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var path = ctx.Request.Path.Value ?? "";
            // /t/N/metrics
            int end = path.IndexOf('/', 3);
            if (!path.StartsWith("/t/", StringComparison.Ordinal) || end < 0 ||
                !int.TryParse(path.AsSpan(3, end - 3), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n >= targets)
            {
                ctx.Response.StatusCode = 404;
                return;
            }
            var shape = shapes[n % Shapes];
            long k = Interlocked.Increment(ref counters[n]);
            var buf = ArrayPool<byte>.Shared.Rent(shape.Body.Length);
            try
            {
                shape.Body.CopyTo(buf, 0);
                for (int i = 0; i < shape.ValueOffsets.Length; i++)
                    WriteDigits(buf.AsSpan(shape.ValueOffsets[i], 10), 1_000_000_000L + (i * 7_919L + k * (i % 17 + 1)) % 8_000_000_000L);
                ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                ctx.Response.ContentLength = shape.Body.Length;
                await ctx.Response.Body.WriteAsync(buf.AsMemory(0, shape.Body.Length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }
        });
        app.Start();
        var addr = app.Urls.First();
        Console.WriteLine("listening " + new Uri(addr).Port.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        app.WaitForShutdown();
        return 0;
    }

    private static void WriteDigits(Span<byte> dst, long v)
    {
        for (int i = dst.Length - 1; i >= 0; i--)
        {
            dst[i] = (byte)('0' + v % 10);
            v /= 10;
        }
    }

    private sealed record Shape(byte[] Body, int[] ValueOffsets);

    /// <summary>A node-exporter and HTTP-service-like payload of <paramref name="series"/> samples with HELP/TYPE lines.</summary>
    private static Shape Render(int shape, int series)
    {
        var sb = new StringBuilder();
        var offsets = new List<int>(series);
        int emitted = 0;
        string[] modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
        string[] methods = ["GET", "POST", "PUT", "DELETE"];
        string[] codes = ["200", "201", "304", "400", "404", "500"];
        string[] les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
        string[] devices = ["eth0", "eth1", "lo", "docker0", "veth1a2b3c", "wlan0"];
        string[] mounts = ["/", "/boot", "/var", "/home", "/srv/data"];
        void Sample(string name, string labels)
        {
            if (emitted >= series) return;
            sb.Append(name);
            if (labels.Length > 0) sb.Append('{').Append(labels).Append('}');
            sb.Append(' ');
            offsets.Add(sb.Length);
            sb.Append("0000000000\n");
            emitted++;
        }
        void Family(string name, string type, string help)
        {
            if (emitted >= series) return;
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }
        for (int round = 0; emitted < series; round++)
        {
            string r = round.ToString(CultureInfo.InvariantCulture);
            Family($"node_cpu_seconds_total{(round > 0 ? "_r" + r : "")}", "counter", "Seconds the CPUs spent in each mode.");
            for (int cpu = 0; cpu < 16; cpu++)
                foreach (var m in modes) Sample($"node_cpu_seconds_total{(round > 0 ? "_r" + r : "")}", $"cpu=\"{cpu}\",mode=\"{m}\"");
            Family($"http_requests_total{(round > 0 ? "_r" + r : "")}", "counter", "Requests handled, by method, handler and status code.");
            for (int h = 0; h < 8; h++)
                foreach (var m in methods)
                    foreach (var c in codes) Sample($"http_requests_total{(round > 0 ? "_r" + r : "")}", $"code=\"{c}\",handler=\"/api/v1/resource{h}/shape{shape}\",method=\"{m}\"");
            string hist = $"http_request_duration_seconds{(round > 0 ? "_r" + r : "")}";
            Family(hist, "histogram", "Request latency by handler.");
            for (int h = 0; h < 8; h++)
            {
                foreach (var le in les) Sample(hist + "_bucket", $"handler=\"/api/v1/resource{h}/shape{shape}\",le=\"{le}\"");
                Sample(hist + "_sum", $"handler=\"/api/v1/resource{h}/shape{shape}\"");
                Sample(hist + "_count", $"handler=\"/api/v1/resource{h}/shape{shape}\"");
            }
            Family($"node_network_receive_bytes_total{(round > 0 ? "_r" + r : "")}", "counter", "Network device statistic receive_bytes.");
            foreach (var d in devices) Sample($"node_network_receive_bytes_total{(round > 0 ? "_r" + r : "")}", $"device=\"{d}\"");
            Family($"node_filesystem_avail_bytes{(round > 0 ? "_r" + r : "")}", "gauge", "Filesystem space available to non-root users in bytes.");
            foreach (var mp in mounts) Sample($"node_filesystem_avail_bytes{(round > 0 ? "_r" + r : "")}", $"device=\"/dev/sda{mp.Length}\",fstype=\"ext4\",mountpoint=\"{mp}\"");
            Family($"process_resident_memory_bytes{(round > 0 ? "_r" + r : "")}", "gauge", "Resident memory size in bytes.");
            Sample($"process_resident_memory_bytes{(round > 0 ? "_r" + r : "")}", "");
        }
        return new Shape(Encoding.UTF8.GetBytes(sb.ToString()), offsets.ToArray());
    }

    /// <summary>
    /// Splits one scrape's cost into its stages for profiling: HTTP fetch only (against the child server), parse and
    /// append into a storage that discards samples, and parse and append into a real TSDB. Prints microseconds and
    /// allocated bytes per sample for each. Usage: <c>scrape-profile [SERIES=1000] [ROUNDS=300]</c>.
    /// </summary>
    public static int Profile(string[] args)
    {
        int series = ArgInt(args, 0, 1000);
        int rounds = ArgInt(args, 1, 300);
        var body = Render(0, series).Body;
        for (int i = 0; i < body.Length; i++) if (body[i] == (byte)'0' && i + 10 < body.Length && body[i + 10] == (byte)'\n') body[i] = (byte)'1';
        var target = new ScrapeTarget(Labels.FromStrings("__address__", "h:9100", "job", "node", "instance", "host-0001.example.net:9100"), Labels.Empty, "node",
            new Uri("http://h:9100/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
        Console.WriteLine("load average: " + File.ReadAllText("/proc/loadavg").Trim());

        var nullLoop = new ScrapeLoop(target, new DiscardAppendable(), new NoScraper(), new ScrapeOptions());
        long ts = 1_000_000;
        Stage("parse+append (discarding storage)", series, rounds, () => nullLoop.AppendScrape(body, body.Length, "text/plain; version=0.0.4", ts += 15000, TimeSpan.Zero, null, DateTimeOffset.UtcNow));

        var work = Path.Combine(Path.GetTempPath(), "scrape-profile-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var db = TsdbDatabase.Open(work))
            {
                var dbLoop = new ScrapeLoop(target, db, new NoScraper(), new ScrapeOptions());
                long t2 = Timestamp.Now() - rounds * 15_000L - 60_000;
                Stage("parse+append (TSDB)", series, rounds, () => dbLoop.AppendScrape(body, body.Length, "text/plain; version=0.0.4", t2 += 15000, TimeSpan.Zero, null, DateTimeOffset.UtcNow));
            }

            using var server = StartServer(1, series, out int port);
            try
            {
                using var client = TargetHttpClient.Create(new Portal.Config.Prometheus.HttpClientConfig());
                var scraper = new HttpTargetScraper(client, new ScrapeOptions().AcceptHeader, 0);
                var ht = new ScrapeTarget(target.FullLabels, Labels.Empty, "node", new Uri($"http://127.0.0.1:{port}/t/0/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));
                var buffer = new ScrapeBuffer();
                Stage("HTTP fetch only", series, rounds, () => scraper.ScrapeAsync(ht, buffer, TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult());
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit();
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static void Stage(string name, int series, int rounds, Action once)
    {
        for (int i = 0; i < Math.Min(20, rounds); i++) once();
        double best = double.MaxValue;
        long alloc = 0;
        for (int rep = 0; rep < 3; rep++)
        {
            long a0 = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < rounds; i++) once();
            sw.Stop();
            alloc = GC.GetTotalAllocatedBytes(precise: true) - a0;
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {best / rounds / series * 1000:0.0} ns/sample (best of 3), {best / rounds:0} us/scrape, {alloc / (double)rounds / series:0.0} B/sample allocated (whole process)"));
    }

    private sealed class DiscardAppendable : IAppendable
    {
        public IAppender Appender() => new DiscardAppender();

        private sealed class DiscardAppender : IAppender
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

}
