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

    [Fact]
    public async Task AnAppliedConfigScrapesTheTargetAndTheApiShowsIt()
    {
        using var target = new StaticTarget("# TYPE app_requests_total counter\napp_requests_total{path=\"/\"} 7\n");
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
    public async Task MetadataApisServeTheTargetsTypeHelpAndUnitToItsTenantOnly()
    {
        using var target = new StaticTarget("# HELP app_requests_total Requests served.\n# TYPE app_requests_total counter\napp_requests_total 7\n" +
                                      "# HELP app_temperature Room temperature.\n# TYPE app_temperature gauge\napp_temperature 21\n");
        var tenant = "meta-" + Guid.NewGuid().ToString("N")[..8];
        using var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var yaml = $"scrape_configs:\n  - job_name: app\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['127.0.0.1:{target.Port}']\n";
        Assert.True((await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, yaml, "test")).Applied);

        JsonElement all = default;
        for (int i = 0; i < 100; i++)
        {
            all = (await JsonAsync(await client.GetAsync("/api/v1/targets/metadata"))).GetProperty("data");
            if (all.GetArrayLength() == 2) break;
            await Task.Delay(200);
        }
        Assert.Equal(2, all.GetArrayLength());
        var first = all[0];
        Assert.Equal("app_requests_total", first.GetProperty("metric").GetString());
        Assert.Equal("counter", first.GetProperty("type").GetString());
        Assert.Equal("Requests served.", first.GetProperty("help").GetString());
        Assert.Equal("", first.GetProperty("unit").GetString());
        Assert.Equal("app", first.GetProperty("target").GetProperty("job").GetString());
        Assert.Equal($"127.0.0.1:{target.Port}", first.GetProperty("target").GetProperty("instance").GetString());

        // With metric= the metric field is left out; match_target selects targets by their labels.
        var one = (await JsonAsync(await client.GetAsync("/api/v1/targets/metadata?metric=app_temperature&match_target=" + Uri.EscapeDataString("{job=\"app\"}")))).GetProperty("data");
        var row = Assert.Single(one.EnumerateArray());
        Assert.False(row.TryGetProperty("metric", out _));
        Assert.Equal("gauge", row.GetProperty("type").GetString());
        var none = (await JsonAsync(await client.GetAsync("/api/v1/targets/metadata?match_target=" + Uri.EscapeDataString("{job=\"other\"}")))).GetProperty("data");
        Assert.Equal(0, none.GetArrayLength());
        var bad = await client.GetAsync("/api/v1/targets/metadata?match_target=" + Uri.EscapeDataString("{job="));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("match_target", (await JsonAsync(bad)).GetProperty("error").GetString());

        var meta = (await JsonAsync(await client.GetAsync("/api/v1/metadata"))).GetProperty("data");
        Assert.Equal(["app_requests_total", "app_temperature"], meta.EnumerateObject().Select(p => p.Name));
        var entry = Assert.Single(meta.GetProperty("app_temperature").EnumerateArray());
        Assert.Equal("""{"type":"gauge","help":"Room temperature.","unit":""}""", entry.GetRawText());
        Assert.Single((await JsonAsync(await client.GetAsync("/api/v1/metadata?limit=1"))).GetProperty("data").EnumerateObject());
        Assert.Empty((await JsonAsync(await client.GetAsync("/api/v1/metadata?limit=0"))).GetProperty("data").EnumerateObject());
        Assert.Equal(["app_requests_total"], (await JsonAsync(await client.GetAsync("/api/v1/metadata?metric=app_requests_total"))).GetProperty("data").EnumerateObject().Select(p => p.Name));
        var badLimit = await client.GetAsync("/api/v1/metadata?limit=x");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badLimit.StatusCode);

        using var other = factory.ClientWithToken(await factory.TokenAsync("other-" + Guid.NewGuid().ToString("N")[..8], TokenScopes.Read));
        Assert.Equal(0, (await JsonAsync(await other.GetAsync("/api/v1/targets/metadata"))).GetProperty("data").GetArrayLength());
        Assert.Empty((await JsonAsync(await other.GetAsync("/api/v1/metadata"))).GetProperty("data").EnumerateObject());
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
