using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Portal.E2E;

/// <summary>
/// Debian's Prometheus (2.42) evaluates an always-firing rule and sends the alert to the portal's Alertmanager API v2
/// (path prefix <c>/alertmanager</c>, basic auth with the tenant id and an <c>alerts</c>-scoped token); the alert is
/// then listed by the tenant's <c>/alertmanager/api/v2/alerts</c> and by no other tenant's.
/// </summary>
public sealed class PrometheusAlertsTests
{
    private const string Tenant = "prom-alerters";
    private const string Token = "prom-alerters-token-0123456789abcdef";
    private const string OtherTenant = "prom-bystanders";
    private const string OtherToken = "prom-bystanders-token-0123456789abcdef";

    private static void WriteTenant(string dir, string id, string name, string token)
    {
        var tenantDir = Path.Combine(dir, "tenants", id);
        Directory.CreateDirectory(tenantDir);
        File.WriteAllText(Path.Combine(tenantDir, "tenant.yml"), $"""
            name: {name}
            api_tokens:
              - name: prometheus
                token: "{token}"
                scopes: [read, write, alerts]
            """);
        File.WriteAllText(Path.Combine(tenantDir, "alertmanager.yml"), """
            route:
              receiver: team
              group_by: [alertname]
            receivers:
              - name: team
            """);
    }

    private static HttpClient Client(string baseUrl, string tenant, string token)
    {
        var c = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        return c;
    }

    private static async Task<JsonElement> AlertsAsync(HttpClient c)
    {
        var r = await c.GetAsync("/alertmanager/api/v2/alerts");
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"GET /alertmanager/api/v2/alerts answered {(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static JsonElement? Find(JsonElement alerts, string alertname)
    {
        foreach (var a in alerts.EnumerateArray())
            if (a.GetProperty("labels").TryGetProperty("alertname", out var n) && n.GetString() == alertname) return a;
        return null;
    }

    [NeedsProgramsFact(RemoteWritePrometheusTests.Prometheus)]
    public async Task PrometheusSendsAlertsToTheTenantsAlertmanager()
    {
        var prov = Path.Combine(Path.GetTempPath(), "portal-prom-alerts-prov-" + Guid.NewGuid().ToString("N"));
        WriteTenant(prov, Tenant, "Prometheus alerters", Token);
        WriteTenant(prov, OtherTenant, "Bystanders", OtherToken);
        var work = Path.Combine(Path.GetTempPath(), "portal-prom-alerts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var portal = await PortalProcess.StartAsync("http", $"--Provisioning:Path={prov}");
            var portalPort = new Uri(portal.BaseUrl).Port;
            var promPort = PushTools.FreePort();
            var rules = Path.Combine(work, "rules.yml");
            File.WriteAllText(rules, """
                groups:
                  - name: always
                    interval: 1s
                    rules:
                      - alert: AlwaysFiring
                        expr: vector(1)
                        for: 0s
                        labels:
                          severity: page
                        annotations:
                          summary: a rule that always fires
                """);
            var config = Path.Combine(work, "prometheus.yml");
            File.WriteAllText(config, $"""
                global:
                  evaluation_interval: 1s
                rule_files:
                  - {rules}
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['127.0.0.1:{portalPort}']
                      path_prefix: /alertmanager
                      api_version: v2
                      timeout: 5s
                      basic_auth:
                        username: {Tenant}
                        password: {Token}
                """);
            await using var prometheus = new ExternalProcess(RemoteWritePrometheusTests.Prometheus, $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(work, "data")}", $"--web.listen-address=127.0.0.1:{promPort}",
                $"--web.external-url=http://127.0.0.1:{promPort}/",
                // Alerts evaluated before the Alertmanager list is first discovered (a few seconds) are dropped;
                // the default one-minute resend delay would then make the first delivery a minute late.
                "--rules.alert.resend-delay=1s", "--log.level=debug");
            using var c = Client(portal.BaseUrl, Tenant, Token);

            JsonElement? alert = null;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (alert is null && DateTime.UtcNow < deadline)
            {
                alert = Find(await AlertsAsync(c), "AlwaysFiring");
                if (alert is null) await Task.Delay(500);
            }
            Assert.True(alert is not null, "the alert did not reach the portal within 60 s\nprometheus:\n" + prometheus.Log + "\nportal:\n" + portal.Log);
            var a = alert.Value;
            var labels = a.GetProperty("labels");
            Assert.Equal("AlwaysFiring", labels.GetProperty("alertname").GetString());
            Assert.Equal("page", labels.GetProperty("severity").GetString());
            Assert.Equal("a rule that always fires", a.GetProperty("annotations").GetProperty("summary").GetString());
            var generator = a.GetProperty("generatorURL").GetString()!;
            Assert.StartsWith($"http://127.0.0.1:{promPort}/graph?", generator, StringComparison.Ordinal);
            Assert.Contains("vector%281%29", generator, StringComparison.Ordinal);
            Assert.Equal("active", a.GetProperty("status").GetProperty("state").GetString());
            Assert.Contains(a.GetProperty("receivers").EnumerateArray(), r => r.GetProperty("name").GetString() == "team");

            using var other = Client(portal.BaseUrl, OtherTenant, OtherToken);
            Assert.Null(Find(await AlertsAsync(other), "AlwaysFiring"));
            Assert.Equal(0, (await AlertsAsync(other)).GetArrayLength());
        }
        finally
        {
            Directory.Delete(prov, recursive: true);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
