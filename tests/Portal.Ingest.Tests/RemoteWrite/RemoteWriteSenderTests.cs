using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portal.Config.Prometheus;
using Portal.Ingest.RemoteWrite;
using Portal.Model;

namespace Portal.Ingest.Tests.RemoteWrite;

/// <summary>A loopback remote write endpoint that stores what it receives and answers with scripted status codes.</summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Queue<int> _statuses = new();
    public RecordingAppendable Store { get; } = new();
    public int Requests;
    public string Url { get; }

    public LoopbackReceiver(params int[] firstStatuses) : this(FreePort(), firstStatuses) { }

    public LoopbackReceiver(int port, int[] firstStatuses)
    {
        foreach (var s in firstStatuses) _statuses.Enqueue(s);
        Url = $"http://127.0.0.1:{port}/receive";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            Interlocked.Increment(ref Requests);
            var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            int status;
            lock (_statuses) status = _statuses.Count > 0 ? _statuses.Dequeue() : 0;
            if (status == 0)
            {
                var o = new RemoteWriteReceiver().Write(RemoteWriteMessage.V1, ms.ToArray(), 1 << 26, Store);
                status = o.StatusCode;
            }
            ctx.Response.StatusCode = status;
            ctx.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
    }
}

public sealed class RemoteWriteSenderTests
{
    private static RemoteWriteConfig Config(string url, string extraYaml = "", string queueYaml = "")
    {
        var yaml = $"""
            remote_write:
              - url: {url}
                name: test
                queue_config:
                  batch_send_deadline: 50ms
                  min_backoff: 10ms
                  max_backoff: 50ms
                  max_samples_per_send: 100
            {queueYaml}
            {extraYaml}
            """;
        var loaded = PrometheusConfigLoader.Load(yaml, "test.yml");
        Assert.True(loaded.Success, string.Join("\n", loaded.Errors.Select(e => e.ToString())));
        return loaded.Config!.RemoteWrite![0];
    }

    private static async Task WaitAsync(Func<bool> done, int seconds = 20)
    {
        var sw = Stopwatch.StartNew();
        while (!done() && sw.Elapsed < TimeSpan.FromSeconds(seconds)) await Task.Delay(20);
    }

    [Fact]
    public async Task CommittedSamplesAreSentWithExternalLabelsAndRelabeling()
    {
        await using var rx = new LoopbackReceiver();
        var cfg = Config(rx.Url, """
                write_relabel_configs:
                  - source_labels: [__name__]
                    regex: secret_.*
                    action: drop
            """);
        using var local = new WalStorage();
        var before = local.Db.Appender();
        before.Append(SeriesRef.None, Labels.FromStrings("__name__", "before_start"), 1000, 1);
        before.Commit();
        await using var queue = new RemoteWriteQueue(cfg, new Dictionary<string, string> { ["cluster"] = "eu" });
        queue.Start(local.Db.OpenReader());

        var app = local.Db.Appender();
        for (int i = 0; i < 250; i++) app.Append(SeriesRef.None, Labels.FromStrings("__name__", "sent_metric", "n", (i % 5).ToString()), 1000 + i, i);
        app.Append(SeriesRef.None, Labels.FromStrings("__name__", "secret_metric"), 1000, 1);
        app.Commit();
        var rolledBack = local.Db.Appender();
        rolledBack.Append(SeriesRef.None, Labels.FromStrings("__name__", "never_sent"), 1000, 1);
        rolledBack.Rollback();

        await WaitAsync(() => queue.Metrics.SamplesSent >= 250);
        Assert.Equal(250, queue.Metrics.SamplesSent);
        Assert.Equal(0, queue.Metrics.SamplesPending);
        Assert.Equal(0, queue.Metrics.LagSeconds);
        Assert.Equal(50, rx.Store.Samples("__name__", "sent_metric", "cluster", "eu", "n", "3").Count);
        Assert.Null(rx.Store.Find("secret_metric"));
        Assert.Null(rx.Store.Find("never_sent"));
        Assert.Null(rx.Store.Find("before_start"));
        Assert.Equal(0, queue.Metrics.SamplesDropped);
    }

    [Fact]
    public async Task AnUnreachableEndpointHoldsTheWalReaderBackAndLosesNothing()
    {
        int port = LoopbackReceiver.FreePort();
        using var local = new WalStorage();
        await using var queue = new RemoteWriteQueue(Config($"http://127.0.0.1:{port}/receive", queueYaml: """
                  capacity: 10
                  max_shards: 1
            """));
        queue.Start(local.Db.OpenReader());
        for (int batch = 0; batch < 20; batch++)
        {
            var app = local.Db.Appender();
            for (int i = 0; i < 500; i++) app.Append(SeriesRef.None, Labels.FromStrings("__name__", "held", "i", i.ToString()), 1000 + batch, batch);
            app.Commit();
        }
        // 10,000 samples committed while the endpoint is down and the queue holds 10: the reader waits in the WAL.
        await WaitAsync(() => queue.Metrics.WalUnreadBytes > 0 && queue.Metrics.SamplesRetried > 0);
        Assert.True(queue.Metrics.WalUnreadBytes > 0, "the reader is behind the WAL while the endpoint is down");
        Assert.True(queue.Metrics.SamplesRetried > 0);
        Assert.Equal(0, queue.Metrics.SamplesDropped);
        Assert.Equal(0, queue.Metrics.SamplesSent);

        await using var rx = new LoopbackReceiver(port, []);
        await WaitAsync(() => queue.Metrics.SamplesSent >= 10_000, 60);
        Assert.Equal(10_000, queue.Metrics.SamplesSent);
        Assert.Equal(0, queue.Metrics.SamplesDropped);
        await WaitAsync(() => queue.Metrics.WalUnreadBytes == 0);
        Assert.Equal(0, queue.Metrics.WalUnreadBytes);
        for (int i = 0; i < 500; i++) Assert.Equal(20, rx.Store.Samples("__name__", "held", "i", i.ToString()).Count);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedAndClientErrorsDropTheBatch()
    {
        await using var rx = new LoopbackReceiver(503, 500);
        using var local = new WalStorage();
        await using var queue = new RemoteWriteQueue(Config(rx.Url));
        queue.Start(local.Db.OpenReader());
        var app = local.Db.Appender();
        app.Append(SeriesRef.None, Labels.FromStrings("__name__", "retried"), 1000, 1);
        app.Commit();
        await WaitAsync(() => queue.Metrics.SamplesSent == 1);
        Assert.Equal(1, queue.Metrics.SamplesSent);
        Assert.Equal(2, queue.Metrics.SamplesRetried);
        Assert.Equal([new Sample(1000, 1)], rx.Store.Samples("__name__", "retried"));

        await using var refusing = new LoopbackReceiver(400);
        using var local2 = new WalStorage();
        await using var q2 = new RemoteWriteQueue(Config(refusing.Url));
        q2.Start(local2.Db.OpenReader());
        app = local2.Db.Appender();
        app.Append(SeriesRef.None, Labels.FromStrings("__name__", "refused"), 1000, 1);
        app.Commit();
        await WaitAsync(() => q2.Metrics.SamplesFailed == 1);
        Assert.Equal(1, q2.Metrics.SamplesFailed);
        Assert.Equal(0, q2.Metrics.SamplesRetried);
        Assert.Equal(1, refusing.Requests);
    }

    public const string Prometheus = "/usr/bin/prometheus";

    /// <summary>Real check: Debian's Prometheus 2.42 with its remote write receiver enabled gets our samples.</summary>
    [PrometheusBinaryFact]
    public async Task DebianPrometheusReceivesTheSamples()
    {
        int port = LoopbackReceiver.FreePort();
        var dir = Path.Combine(Path.GetTempPath(), "rw-sender-prom-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, "global:\n  scrape_interval: 1m\n");
        var psi = new ProcessStartInfo(Prometheus) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver" })
            psi.ArgumentList.Add(a);
        using var prom = Process.Start(psi)!;
        prom.OutputDataReceived += (_, _) => { };
        prom.ErrorDataReceived += (_, _) => { };
        prom.BeginOutputReadLine();
        prom.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await WaitAsync(() =>
            {
                try { return http.GetAsync($"http://127.0.0.1:{port}/-/ready").Result.IsSuccessStatusCode; }
                catch (Exception) { return false; }
            }, 60);

            using var local = new WalStorage();
            await using var queue = new RemoteWriteQueue(Config($"http://127.0.0.1:{port}/api/v1/write"), new Dictionary<string, string> { ["sender"] = "portal" });
            queue.Start(local.Db.OpenReader());
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var app = local.Db.Appender();
            for (int i = 0; i < 10; i++) app.Append(SeriesRef.None, Labels.FromStrings("__name__", "portal_sent_total", "i", i.ToString()), now - 1000, i);
            app.Commit();
            await WaitAsync(() => queue.Metrics.SamplesSent + queue.Metrics.SamplesFailed >= 10);
            Assert.Equal(10, queue.Metrics.SamplesSent);

            var body = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query=" + Uri.EscapeDataString("sum(portal_sent_total{sender=\"portal\"})"));
            var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
            Assert.Equal("45", result[0].GetProperty("value")[1].GetString());
        }
        finally
        {
            prom.Kill(entireProcessTree: true);
            await prom.WaitForExitAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>A real TSDB in a throwaway folder, whose WAL the queues under test follow.</summary>
internal sealed class WalStorage : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rw-sender-wal-" + Guid.NewGuid().ToString("N"));

    public Portal.Tsdb.TsdbDatabase Db { get; }

    public WalStorage() => Db = Portal.Tsdb.TsdbDatabase.Open(_dir, new Portal.Tsdb.TsdbOptions { CompactionInterval = TimeSpan.Zero });

    public void Dispose()
    {
        Db.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fact skipped (with the reason) when Debian's prometheus binary is not installed.</summary>
public sealed class PrometheusBinaryFactAttribute : FactAttribute
{
    public PrometheusBinaryFactAttribute()
    {
        if (!File.Exists(RemoteWriteSenderTests.Prometheus)) Skip = $"{RemoteWriteSenderTests.Prometheus} is absent (apt-get install -y prometheus)";
    }
}
