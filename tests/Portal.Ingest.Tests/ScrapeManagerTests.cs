using Portal.Ingest.Scrape;
using Portal.Model;

namespace Portal.Ingest.Tests;

public class ScrapeManagerTests
{
    internal static async Task WaitFor(Func<bool> cond, string what, int timeoutMs = 10000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!cond())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private const string Payload = "# HELP app_requests_total Requests.\n# TYPE app_requests_total counter\napp_requests_total{path=\"/\"} 42\n";

    private static string Config(string targets, string extra = "", string job = "app") => $"""
        global:
          scrape_interval: 200ms
          scrape_timeout: 150ms
        scrape_configs:
          - job_name: {job}
            static_configs:
              - targets: [{targets}]
                labels: {"{"}team: core{"}"}
        {extra}
        """;

    [Fact]
    public async Task StaticTargetsAreScrapedWithJobAndInstance()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store);
        m.ApplyConfig(Config($"'{server.Address}'"));
        var t = Assert.Single(m.ActiveTargets());
        Assert.Equal(Labels.FromStrings("instance", server.Address, "job", "app", "team", "core"), t.Labels);
        Assert.Equal($"http://{server.Address}/metrics", t.Url.ToString());
        Assert.Equal("core", t.DiscoveredLabels.Get("team"));
        Assert.Equal("200ms", t.DiscoveredLabels.Get("__scrape_interval__"));
        await WaitFor(() => store.Find("app_requests_total") is not null, "first scrape");
        var s = store.Find("app_requests_total")!;
        Assert.Equal("app", s.Get("job"));
        Assert.Equal(server.Address, s.Get("instance"));
        Assert.Equal("core", s.Get("team"));
        await WaitFor(() => t.State.Health == TargetHealth.Up, "health up");
        Assert.Null(t.State.LastError);
        var req = server.Requests[0];
        Assert.StartsWith("application/openmetrics-text;version=1.0.0", req.Headers["Accept"]);
        Assert.Equal("0.15", req.Headers["X-Prometheus-Scrape-Timeout-Seconds"]);
    }

    [Fact]
    public async Task RelabelDroppedTargetsAreKept()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var extra = """
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '.*:1'
                    action: drop
            """;
        using var m = new ScrapeManager(new RecordingAppendable());
        m.ApplyConfig(Config($"'{server.Address}', 'gone:1'", extra));
        Assert.Single(m.ActiveTargets());
        var d = Assert.Single(m.DroppedTargets());
        Assert.Equal("gone:1", d.DiscoveredLabels.Get("__address__"));
        Assert.Null(d.Error);
    }

    [Fact]
    public async Task ReloadKeepsUnchangedJobsAndStalesRemovedTargets()
    {
        await using var a = new TestHttpServer(_ => new TestResponse(Body: Payload));
        await using var b = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store);
        m.ApplyConfig(Config($"'{a.Address}', '{b.Address}'"));
        var before = m.ActiveTargets();
        await WaitFor(() => before.All(t => t.State.Health == TargetHealth.Up), "both up");

        // Same config again: nothing restarts (same target objects, same loops).
        m.ApplyConfig(Config($"'{a.Address}', '{b.Address}'"));
        Assert.Same(before[0], m.ActiveTargets()[0]);

        // Remove b: its series get a staleness marker.
        m.ApplyConfig(Config($"'{a.Address}'"));
        Assert.Single(m.ActiveTargets());
        var bSeries = store.Find("app_requests_total", "instance", b.Address)!;
        Assert.True(SampleValue.IsStaleNaN(store.Samples(bSeries)[^1].V));
        var bUp = store.Find("up", "instance", b.Address)!;
        Assert.True(SampleValue.IsStaleNaN(store.Samples(bUp)[^1].V));
        // a kept running.
        var aTarget = m.ActiveTargets()[0];
        Assert.Equal(a.Address, aTarget.Labels.Get("instance"));
        int n = store.Samples(store.Find("app_requests_total", "instance", a.Address)!).Count;
        await WaitFor(() => store.Samples(store.Find("app_requests_total", "instance", a.Address)!).Count > n, "a still scraped");
    }

    [Fact]
    public async Task ChangedJobReloadsButKeepsTargetsAndSeries()
    {
        await using var a = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store);
        m.ApplyConfig(Config($"'{a.Address}'"));
        var before = Assert.Single(m.ActiveTargets());
        await WaitFor(() => before.State.Health == TargetHealth.Up, "up");
        m.ApplyConfig(Config($"'{a.Address}'", "    sample_limit: 1000"));
        var after = Assert.Single(m.ActiveTargets());
        Assert.Same(before, after);
        var s = store.Find("app_requests_total")!;
        int n = store.Samples(s).Count;
        await WaitFor(() => store.Samples(s).Count > n + 1, "scraping continues after reload");
        // A reload is not a disappearance: no staleness marker in between, except from a scrape that failed (up=0), as a
        // 200 ms scrape timeout can on a busy machine.
        var up = store.Samples(store.Find("up")!);
        foreach (var x in store.Samples(s).Where(x => SampleValue.IsStaleNaN(x.V)))
            Assert.Contains(up, u => u.T == x.T && u.V == 0);
    }

    [Fact]
    public async Task InvalidConfigIsRefusedAndOldKeepsRunning()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: Payload));
        using var m = new ScrapeManager(new RecordingAppendable());
        m.ApplyConfig(Config($"'{server.Address}'"));
        var ex = Assert.Throws<ScrapeConfigRejectedException>(() => m.ApplyConfig("scrape_configs:\n  - job_name: x\n    scrape_interval: nonsense\n"));
        Assert.NotEmpty(ex.Errors);
        var ex2 = Assert.Throws<ScrapeConfigRejectedException>(() => m.ApplyConfig(Config($"'{server.Address}'", """
                tls_config:
                  ca_file: /nonexistent/ca.pem
            """)));
        Assert.Contains("ca.pem", ex2.Errors[0]);
        var t = Assert.Single(m.ActiveTargets());
        Assert.Equal(server.Address, t.Labels.Get("instance"));
    }

    [Fact]
    public async Task TargetLimitFailsEveryTargetOfTheJob()
    {
        await using var a = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store);
        m.ApplyConfig(Config($"'{a.Address}', 'localhost:1'", "    target_limit: 1"));
        var targets = m.ActiveTargets();
        Assert.Equal(2, targets.Count);
        await WaitFor(() => targets.All(t => t.State.Health == TargetHealth.Down), "targets down");
        Assert.Equal("target_limit exceeded (number of targets: 2, limit: 1)", targets[0].State.LastError);
        Assert.Empty(a.Requests);
    }

    [Fact]
    public async Task FileDiscoveryReadsJsonAndYamlAndFollowsChanges()
    {
        await using var a = new TestHttpServer(_ => new TestResponse(Body: Payload));
        await using var b = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var dir = Directory.CreateTempSubdirectory("portal-filesd-");
        try
        {
            var json = Path.Combine(dir.FullName, "a.json");
            var yml = Path.Combine(dir.FullName, "b.yml");
            File.WriteAllText(json, $$"""[{"targets": ["{{a.Address}}"], "labels": {"env": "prod"} }]""");
            File.WriteAllText(yml, "- targets: ['" + b.Address + "']\n  labels:\n    env: dev\n");
            var cfg = $"""
                global:
                  scrape_interval: 200ms
                  scrape_timeout: 150ms
                scrape_configs:
                  - job_name: files
                    file_sd_configs:
                      - files: ['{dir.FullName}/*.json', '{dir.FullName}/*.yml']
                        refresh_interval: 1h
                """;
            var store = new RecordingAppendable();
            using var m = new ScrapeManager(store);
            m.ApplyConfig(cfg);
            await WaitFor(() => m.ActiveTargets().Count == 2, "two file targets");
            var ta = m.ActiveTargets().Single(t => t.Labels.Get("instance") == a.Address);
            Assert.Equal("prod", ta.Labels.Get("env"));
            Assert.Equal(json, ta.DiscoveredLabels.Get("__meta_filepath"));

            File.WriteAllText(json, "[]");
            await WaitFor(() => m.ActiveTargets().Count == 1, "file change picked up");
            Assert.Equal("dev", m.ActiveTargets()[0].Labels.Get("env"));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task HttpDiscovery()
    {
        await using var target = new TestHttpServer(_ => new TestResponse(Body: Payload));
        await using var sd = new TestHttpServer(_ => new TestResponse(ContentType: "application/json",
            Body: $$"""[{"targets": ["{{target.Address}}"], "labels": {"__meta_datacenter": "eu", "rack": "r1"} }]"""));
        var cfg = $"""
            global:
              scrape_interval: 200ms
              scrape_timeout: 150ms
            scrape_configs:
              - job_name: httpsd
                http_sd_configs:
                  - url: http://{sd.Address}/targets
                relabel_configs:
                  - source_labels: [__meta_datacenter]
                    target_label: dc
            """;
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store);
        m.ApplyConfig(cfg);
        await WaitFor(() => m.ActiveTargets().Count == 1, "http sd target");
        var t = m.ActiveTargets()[0];
        Assert.Equal("eu", t.Labels.Get("dc"));
        Assert.Equal("r1", t.Labels.Get("rack"));
        Assert.Equal($"http://{sd.Address}/targets", t.DiscoveredLabels.Get("__meta_url"));
        Assert.False(t.Labels.Has("__meta_datacenter"));
        await WaitFor(() => store.Find("app_requests_total", "dc", "eu") is not null, "scraped via http sd");
    }

    [Fact]
    public async Task ParamsSchemeAndPathLabels()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: Payload));
        var cfg = $"""
            global:
              scrape_interval: 200ms
              scrape_timeout: 150ms
            scrape_configs:
              - job_name: probe
                metrics_path: /probe
                params:
                  module: [http_2xx]
                static_configs:
                  - targets: ['example.org']
                relabel_configs:
                  - source_labels: [__address__]
                    target_label: __param_target
                  - source_labels: [__param_target]
                    target_label: instance
                  - target_label: __address__
                    replacement: {server.Address}
            """;
        using var m = new ScrapeManager(new RecordingAppendable());
        m.ApplyConfig(cfg);
        var t = Assert.Single(m.ActiveTargets());
        Assert.Equal($"http://{server.Address}/probe?module=http_2xx&target=example.org", t.Url.ToString());
        Assert.Equal("example.org", t.Labels.Get("instance"));
        await WaitFor(() => server.Requests.Count > 0, "probe request");
        Assert.Equal("/probe?module=http_2xx&target=example.org", server.Requests[0].Target);
    }
}
