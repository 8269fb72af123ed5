using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Model;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

public sealed class HostEndpointTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("/-/healthy", "Portal is Healthy.\n")]
    [InlineData("/-/ready", "Portal is Ready.\n")]
    public async Task HealthEndpointsAnswerWithShortText(string path, string expected)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/-/healthy")]
    [InlineData("/-/ready")]
    public async Task HealthEndpointsAnswerHead(string path)
    {
        using var client = factory.CreateClient();
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MetricsShowEachTenantsRemoteWriteQueuesUntilTheyAreRemoved()
    {
        var tenant = "m" + Guid.NewGuid().ToString("N")[..10];
        await factory.TokenAsync(tenant, TokenScopes.Read);
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var applied = await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument,
            "remote_write:\n  - url: http://127.0.0.1:9/api/v1/write\n    name: offsite\n", "test");
        Assert.True(applied.Applied, string.Join("; ", applied.Errors));
        factory.Append(tenant, Labels.FromStrings("__name__", "up", "job", "a"), (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1));

        using var client = factory.CreateClient();
        var series = $"{{tenant=\"{tenant}\",remote_name=\"offsite\",url=\"http://127.0.0.1:9/api/v1/write\"}}";
        var pending = new Regex("^prometheus_remote_storage_samples_pending" + Regex.Escape(series) + " 1$", RegexOptions.Multiline);
        var body = "";
        for (int i = 0; i < 100 && !pending.IsMatch(body); i++)
        {
            await Task.Delay(100);
            body = await client.GetStringAsync("/metrics");
        }
        // Nothing listens there: the sample read from the WAL waits in the queue, retried, never sent.
        Assert.Matches(pending, body);
        Assert.Contains("prometheus_remote_storage_samples_total" + series + " 0\n", body);
        Assert.Contains("# TYPE prometheus_remote_storage_samples_failed_total counter", body);
        Assert.Contains("portal_remote_write_wal_unread_bytes" + series + " 0\n", body);

        applied = await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, "global:\n  scrape_interval: 1m\n", "test");
        Assert.True(applied.Applied, string.Join("; ", applied.Errors));
        Assert.DoesNotContain($"tenant=\"{tenant}\"", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task MetricsExposeProcessRuntimeAndHttpMetricsInTextFormat()
    {
        using var client = factory.CreateClient();
        await client.GetAsync("/-/healthy");
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("# TYPE process_cpu_seconds_total counter", body);
        Assert.Contains("# TYPE process_working_set_bytes gauge", body);
        Assert.Contains("# TYPE dotnet_total_memory_bytes gauge", body);
        Assert.DoesNotContain("private_internaldiagnostics", body);
        Assert.Matches(new Regex(@"^http_requests_received_total\{[^}]*endpoint=""/-/healthy""[^}]*\} [1-9]", RegexOptions.Multiline), body);

        // Every line is a comment or a sample "name{labels} value".
        var sample = new Regex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$");
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.True(line.StartsWith('#') || sample.IsMatch(line), $"not exposition format: {line}");
    }

    [Fact]
    public async Task HomePageRendersLayoutNavigationAndSignIn()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        Assert.Contains("<title>Portal</title>", html);
        Assert.Contains("href=\"/account/sign-in\"", html);
        Assert.Contains("Getting started", html);
        Assert.Contains("_framework/blazor.web", html);
    }

    [Fact]
    public async Task StaticAssetsFromTheRootWwwrootAreServed()
    {
        using var client = factory.CreateClient();
        var css = await client.GetAsync("/app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("blazor-error-ui", await css.Content.ReadAsStringAsync());
        var mud = await client.GetAsync("/_content/MudBlazor/MudBlazor.min.css");
        Assert.Equal(HttpStatusCode.OK, mud.StatusCode);
    }

    [Fact]
    public async Task UnknownPageIsNotFound()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no page at this address", await response.Content.ReadAsStringAsync());
    }
}
