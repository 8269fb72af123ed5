namespace Portal.E2E;

/// <summary>
/// Remote write between the portal and Debian's Prometheus (2.42), both ways: Prometheus scrapes Debian's
/// node_exporter and remote-writes to a portal with basic auth, and a portal tenant scrapes node_exporter and
/// remote-writes to Prometheus. The programs run on free loopback ports with throwaway folders and are stopped
/// at the end.
/// </summary>
public sealed class RemoteWritePrometheusTests
{
    public const string Prometheus = "/usr/bin/prometheus";
    public const string NodeExporter = "/usr/bin/prometheus-node-exporter";

    [NeedsProgramsFact(Prometheus, NodeExporter)]
    public async Task PrometheusRemoteWritesNodeExporterSamples()
    {
        var prov = PushTools.ProvisioningFolder();
        var work = Path.Combine(Path.GetTempPath(), "portal-rw-prom-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var portal = await PortalProcess.StartAsync("http", $"--Provisioning:Path={prov}");
            int nodePort = PushTools.FreePort(), promPort = PushTools.FreePort();
            await using var node = new ExternalProcess(NodeExporter, $"--web.listen-address=127.0.0.1:{nodePort}",
                "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg");
            var config = Path.Combine(work, "prometheus.yml");
            File.WriteAllText(config, $"""
                global:
                  scrape_interval: 1s
                  external_labels:
                    sender: debian-prometheus
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ['127.0.0.1:{nodePort}']
                remote_write:
                  - url: {portal.BaseUrl}/api/v1/write
                    basic_auth:
                      username: {PushTools.Tenant}
                      password: {PushTools.Token}
                    queue_config:
                      batch_send_deadline: 1s
                      min_backoff: 100ms
                """);
            await using var prometheus = new ExternalProcess(Prometheus, $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(work, "data")}",
                $"--web.listen-address=127.0.0.1:{promPort}");
            using var c = PushTools.Client(portal.BaseUrl);

            var cpu = await PushTools.WaitForSeriesAsync(c, "node_cpu_seconds_total{job=\"node\"}", TimeSpan.FromSeconds(90));
            Assert.True(cpu.GetArrayLength() > 0, "no node_cpu_seconds_total arrived\nprometheus:\n" + prometheus.Log + "\nportal:\n" + portal.Log);
            var metric = cpu[0].GetProperty("metric");
            Assert.Equal($"127.0.0.1:{nodePort}", metric.GetProperty("instance").GetString());
            Assert.Equal("debian-prometheus", metric.GetProperty("sender").GetString());

            var up = await PushTools.WaitForSeriesAsync(c, "up{job=\"node\"} == 1", TimeSpan.FromSeconds(30));
            Assert.Equal(1, up.GetArrayLength());
            var rate = await PushTools.WaitForSeriesAsync(c, "rate(node_cpu_seconds_total[10s])", TimeSpan.FromSeconds(30));
            Assert.True(rate.GetArrayLength() > 0, "several remote-written samples per series make rate() work");
        }
        finally
        {
            Directory.Delete(prov, recursive: true);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// A tenant's remote_write section ships what the portal scrapes to Prometheus, from the tenant's WAL: samples
    /// committed while Prometheus was not yet running arrive once it is.
    /// </summary>
    [NeedsProgramsFact(Prometheus, NodeExporter)]
    public async Task PortalRemoteWritesScrapedSamplesToPrometheusIncludingThoseFromBeforeItStarted()
    {
        var prov = PushTools.ProvisioningFolder();
        var work = Path.Combine(Path.GetTempPath(), "portal-rw-out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            int nodePort = PushTools.FreePort(), promPort = PushTools.FreePort();
            await using var node = new ExternalProcess(NodeExporter, $"--web.listen-address=127.0.0.1:{nodePort}",
                "--collector.disable-defaults", "--collector.loadavg");
            File.WriteAllText(Path.Combine(prov, "tenants", PushTools.Tenant, "prometheus.yml"), $"""
                global:
                  scrape_interval: 5s
                  external_labels:
                    sent_by: portal
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ['127.0.0.1:{nodePort}']
                remote_write:
                  - url: http://127.0.0.1:{promPort}/api/v1/write
                    queue_config:
                      batch_send_deadline: 1s
                      min_backoff: 100ms
                      max_backoff: 1s
                """);
            await using var portal = await PortalProcess.StartAsync("http", $"--Provisioning:Path={prov}");
            using var c = PushTools.Client(portal.BaseUrl);
            var up = await PushTools.WaitForSeriesAsync(c, "up{job=\"node\"} == 1", TimeSpan.FromSeconds(60));
            Assert.True(up.GetArrayLength() == 1, "the portal does not scrape node_exporter\nportal:\n" + portal.Log);
            await Task.Delay(TimeSpan.FromSeconds(6));
            double promStarted = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

            var config = Path.Combine(work, "prometheus.yml");
            File.WriteAllText(config, "global:\n  scrape_interval: 1m\n");
            await using var prometheus = new ExternalProcess(Prometheus, $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(work, "data")}",
                $"--web.listen-address=127.0.0.1:{promPort}", "--web.enable-remote-write-receiver");
            using var p = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{promPort}"), Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            // Until its storage is open Prometheus answers every API call with a plain-text 503.
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    if ((await p.GetAsync("/-/ready")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(250);
            }
            System.Text.Json.JsonElement series = default;
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    series = await PushTools.QueryAsync(p, "up{job=\"node\",sent_by=\"portal\"}[5m]");
                    if (series.GetArrayLength() > 0 && series[0].GetProperty("values").GetArrayLength() >= 3) break;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(500);
            }
            Assert.True(series.ValueKind == System.Text.Json.JsonValueKind.Array && series.GetArrayLength() == 1,
                "Prometheus did not receive up{job=\"node\"}\nportal:\n" + portal.Log + "\nprometheus:\n" + prometheus.Log);
            var values = series[0].GetProperty("values");
            double first = values[0][0].GetDouble();
            Assert.True(first < promStarted - 1, $"the first sample Prometheus holds ({first}) should predate its start ({promStarted})");
            Assert.Equal($"127.0.0.1:{nodePort}", series[0].GetProperty("metric").GetProperty("instance").GetString());
            var load = await PushTools.QueryAsync(p, "node_load1{sent_by=\"portal\"}");
            Assert.Equal(1, load.GetArrayLength());
        }
        finally
        {
            Directory.Delete(prov, recursive: true);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
