using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

/// <summary>A tenant's prometheus.yml applied through the config service scrapes its targets into its own TSDB.</summary>
public sealed class ScrapingTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    /// <summary>A target serving a fixed text-format payload on a free loopback port until disposed.</summary>
    private sealed class Target : IDisposable
    {
        private readonly HttpListener _listener = new();
        public int Port { get; }

        public Target(string payload)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    var bytes = Encoding.UTF8.GetBytes(payload);
                    ctx.Response.ContentType = "text/plain; version=0.0.4";
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
            });
        }

        public void Dispose() => _listener.Close();
    }

    [Fact]
    public async Task AnAppliedConfigScrapesTheTargetAndTheApiShowsIt()
    {
        using var target = new Target("# TYPE app_requests_total counter\napp_requests_total{path=\"/\"} 7\n");
        var tenant = "scrape-" + Guid.NewGuid().ToString("N")[..8];
        using var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var yaml = $"scrape_configs:\n  - job_name: app\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['127.0.0.1:{target.Port}']\n";

        var result = await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, yaml, "test");
        Assert.True(result.Applied, string.Join("; ", result.Errors));

        JsonElement up = default;
        for (int i = 0; i < 100; i++)
        {
            up = await JsonAsync(await client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString("up{job=\"app\"}")));
            if (up.GetProperty("data").GetProperty("result").GetArrayLength() > 0) break;
            await Task.Delay(200);
        }
        var sample = Assert.Single(up.GetProperty("data").GetProperty("result").EnumerateArray());
        Assert.Equal("1", sample.GetProperty("value")[1].GetString());
        Assert.Equal($"127.0.0.1:{target.Port}", sample.GetProperty("metric").GetProperty("instance").GetString());

        var app = await JsonAsync(await client.GetAsync("/api/v1/query?query=app_requests_total"));
        Assert.Equal("7", app.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());

        var targets = await JsonAsync(await client.GetAsync("/api/v1/targets"));
        var t = Assert.Single(targets.GetProperty("data").GetProperty("activeTargets").EnumerateArray());
        Assert.Equal("app", t.GetProperty("scrapePool").GetString());
        Assert.Equal("up", t.GetProperty("health").GetString());
        Assert.Equal("5s", t.GetProperty("scrapeInterval").GetString());

        using var other = factory.ClientWithToken(await factory.TokenAsync("other-" + Guid.NewGuid().ToString("N")[..8], TokenScopes.Read));
        var otherTargets = await JsonAsync(await other.GetAsync("/api/v1/targets"));
        Assert.Equal(0, otherTargets.GetProperty("data").GetProperty("activeTargets").GetArrayLength());
    }

    [Fact]
    public async Task AScrapeIntervalBelowTheTenantsMinimumIsRefusedAtItsPosition()
    {
        var tenant = "fast-" + Guid.NewGuid().ToString("N")[..8];
        await factory.TokenAsync(tenant, TokenScopes.Read);
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var yaml = "scrape_configs:\n  - job_name: app\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['127.0.0.1:1']\n";

        var result = await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, yaml, "test");

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, 22), (error.Line, error.Column));
        Assert.Contains("shorter than this tenant's minimum of 5s", error.Message);
        Assert.False(result.Revision!.Valid);
    }
}
