using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace Portal.Web.Tests;

/// <summary>A portal started with a provisioning folder (Provisioning:Path) that tests may rewrite.</summary>
public sealed class ProvisionedPortalFactory : IAsyncDisposable
{
    public const string DemoToken = "demo-provisioned-token-0123456789";
    public const string OpsToken = "ops-provisioned-token-0123456789";
    public const string OperatorToken = "operator-token-for-the-whole-portal-0123";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "portal-provisioning-" + Guid.NewGuid().ToString("N"));
    public PortalFactory Portal { get; }

    public ProvisionedPortalFactory()
    {
        Write("demo/tenant.yml", """
            name: Demo team
            api_tokens:
              - name: grafana
                token: "demo-provisioned-token-0123456789"
                scopes: [read, write, alerts, admin]
              - name: ops
                token: "ops-provisioned-token-0123456789"
                scopes: [read]
            members:
              - email: owner@example.com
                role: owner
            """);
        Write("demo/prometheus.yml", """
            global:
              scrape_interval: 15s
            scrape_configs:
              - job_name: node
                basic_auth:
                  username: scraper
                  password: hunter2-do-not-show
                static_configs:
                  - targets: ['localhost:9100']
            """);
        Write("demo/rules/node.yml", """
            groups:
              - name: node
                rules:
                  - alert: InstanceDown
                    expr: up == 0
                    for: 1m
            """);
        Write("broken/tenant.yml", "name: Broken\napi_tokens:\n  - name: short\n    token: tooshort\n    scopes: [read]\n");
        Portal = new PortalFactory();
    }

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Folder, "tenants", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public HttpClient Client(string tenant, string token)
    {
        var c = Host.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        return c;
    }

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _host;
    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Host =>
        _host ??= Portal.WithWebHostBuilder(b => b.UseSetting("Provisioning:Path", Folder).UseSetting("Operator:Token", OperatorToken));

    /// <summary>A client carrying the operator's token.</summary>
    public HttpClient OperatorClient()
    {
        var c = Host.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await Portal.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed class ProvisioningTests : IAsyncLifetime
{
    private readonly ProvisionedPortalFactory _p = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _p.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task ProvisionedTokensWorkWithBasicAuthAndTheConfigRunsWithSecretsMasked()
    {
        using var client = _p.Client("demo", ProvisionedPortalFactory.DemoToken);
        var config = await JsonAsync(await client.GetAsync("/api/v1/status/config"));
        var yaml = config.GetProperty("data").GetProperty("yaml").GetString()!;
        Assert.Contains("job_name: node", yaml);
        Assert.Contains("scrape_interval: 15s", yaml);
        Assert.Contains("password: <secret>", yaml);
        Assert.DoesNotContain("hunter2", yaml);
    }

    [Fact]
    public async Task ABadTenantFileIsReportedWithLineAndColumnAndOthersStillApply()
    {
        using var op = _p.OperatorClient();
        var r = await op.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        var report = await JsonAsync(r);
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.Contains("broken", error);
        Assert.Contains("tenant.yml:4:12:", error);
        Assert.Contains("at least 16 characters", error);
        Assert.Contains("demo", report.GetProperty("tenants").GetRawText());
    }

    [Fact]
    public async Task ATenantAdminReloadsButSeesOnlyItsOwnTenantsReport()
    {
        using var admin = _p.Client("demo", ProvisionedPortalFactory.DemoToken);
        var r = await admin.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var report = await JsonAsync(r);
        Assert.Equal("[\"demo\"]", report.GetProperty("tenants").GetRawText());
        Assert.Empty(report.GetProperty("errors").EnumerateArray());
        Assert.DoesNotContain("broken", await r.Content.ReadAsStringAsync());

        using var wrong = _p.Host.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-operator-token-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("/-/reload", null)).StatusCode);
        using var anonymous = _p.Host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/-/reload", null)).StatusCode);
    }

    [Fact]
    public async Task ABadPrometheusFileIsRefusedOnReloadAndTheRunningOneKept()
    {
        using var admin = _p.Client("demo", ProvisionedPortalFactory.DemoToken);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/status/config")).StatusCode);
        _p.Write("demo/prometheus.yml", "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: node\n    scrape_intervall: 5s\n");
        var r = await admin.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        var errors = (await JsonAsync(r)).GetProperty("errors").GetRawText();
        Assert.Contains("prometheus.yml:5:5:", errors);
        Assert.Contains("scrape_intervall", errors);

        var yaml = (await JsonAsync(await admin.GetAsync("/api/v1/status/config"))).GetProperty("data").GetProperty("yaml").GetString()!;
        Assert.Contains("targets:", yaml);
        Assert.DoesNotContain("scrape_intervall", yaml);
    }

    [Fact]
    public async Task ATokenRemovedFromTheFileStopsWorkingAfterReload()
    {
        using var ops = _p.Client("demo", ProvisionedPortalFactory.OpsToken);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/v1/labels")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.PostAsync("/-/reload", null)).StatusCode);

        _p.Write("demo/tenant.yml", """
            name: Demo team
            api_tokens:
              - name: grafana
                token: "demo-provisioned-token-0123456789"
                scopes: [read, write, alerts, admin]
            """);
        using var admin = _p.Client("demo", ProvisionedPortalFactory.DemoToken);
        await admin.PostAsync("/-/reload", null);

        var r = await ops.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("revoked", await r.Content.ReadAsStringAsync());
    }
}
