namespace Portal.E2E;

/// <summary>
/// Debian's Prometheus (2.42) scrapes Debian's node_exporter and remote-writes to a portal with basic auth;
/// the samples are then queryable through the portal's /api/v1/query. Both programs run on free loopback
/// ports with throwaway folders and are stopped at the end.
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
}
