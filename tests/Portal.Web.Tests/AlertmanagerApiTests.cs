using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

public class AlertmanagerApiTests : IAsyncLifetime
{
    private readonly PortalFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = _factory.ClientWithToken(await _factory.TokenAsync("am-team", TokenScopes.Alerts));

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static StringContent Json(string s) => new(s, Encoding.UTF8, "application/json");

    private async Task<JsonElement> GetJsonAsync(string path, HttpClient? client = null)
    {
        var r = await (client ?? _client).GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {(int)r.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task AlertsArePostedListedGroupedAndIsolatedPerTenant()
    {
        var now = DateTimeOffset.UtcNow;
        var post = await _client.PostAsync("/alertmanager/api/v2/alerts", Json($$$"""
            [{"labels":{"alertname":"Disk","instance":"a","severity":"critical"},"annotations":{"summary":"full"},"startsAt":"{{{now.AddMinutes(-1):O}}}","generatorURL":"http://prom/graph"},
             {"labels":{"alertname":"Disk","instance":"b"}}]
            """));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var alerts = await GetJsonAsync("/alertmanager/api/v2/alerts");
        Assert.Equal(2, alerts.GetArrayLength());
        var a = alerts.EnumerateArray().Single(x => x.GetProperty("labels").GetProperty("instance").GetString() == "a");
        Assert.Equal("full", a.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("active", a.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("default", a.GetProperty("receivers")[0].GetProperty("name").GetString());
        Assert.Equal(16, a.GetProperty("fingerprint").GetString()!.Length);
        Assert.EndsWith("Z", a.GetProperty("startsAt").GetString());
        Assert.Equal("http://prom/graph", a.GetProperty("generatorURL").GetString());

        var filtered = await GetJsonAsync("/alertmanager/api/v2/alerts?filter=" + Uri.EscapeDataString("severity=\"critical\""));
        Assert.Equal(1, filtered.GetArrayLength());
        var groups = await GetJsonAsync("/alertmanager/api/v2/alerts/groups");
        var g = Assert.Single(groups.EnumerateArray());
        Assert.Equal(2, g.GetProperty("alerts").GetArrayLength());
        Assert.Equal("default", g.GetProperty("receiver").GetProperty("name").GetString());
        var receivers = await GetJsonAsync("/alertmanager/api/v2/receivers");
        Assert.Equal("default", receivers[0].GetProperty("name").GetString());
        var status = await GetJsonAsync("/alertmanager/api/v2/status");
        Assert.Equal("disabled", status.GetProperty("cluster").GetProperty("status").GetString());
        Assert.Contains("receiver: default", status.GetProperty("config").GetProperty("original").GetString());

        var other = _factory.ClientWithToken(await _factory.TokenAsync("am-other", TokenScopes.Alerts));
        Assert.Equal(0, (await GetJsonAsync("/alertmanager/api/v2/alerts", other)).GetArrayLength());
        var readOnly = _factory.ClientWithToken(await _factory.TokenAsync("am-team", TokenScopes.Read));
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.GetAsync("/alertmanager/api/v2/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync("/alertmanager/api/v2/alerts")).StatusCode);

        var bad = await _client.PostAsync("/alertmanager/api/v2/alerts", Json("""[{"labels":{}}, {"labels":{"alertname":"ok"}}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("at least one label pair required", await bad.Content.ReadAsStringAsync());
        Assert.Equal(3, (await GetJsonAsync("/alertmanager/api/v2/alerts")).GetArrayLength());
    }

    [Fact]
    public async Task SilencesAreCreatedQueriedAndExpired()
    {
        var now = DateTimeOffset.UtcNow;
        await _client.PostAsync("/alertmanager/api/v2/alerts", Json("""[{"labels":{"alertname":"Disk","instance":"a"}}]"""));
        var create = await _client.PostAsync("/alertmanager/api/v2/silences", Json($$"""
            {"matchers":[{"name":"alertname","value":"Disk","isRegex":false,"isEqual":true}],"startsAt":"{{now:O}}","endsAt":"{{now.AddHours(1):O}}","createdBy":"ops","comment":"maintenance"}
            """));
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("silenceID").GetString()!;
        var s = await GetJsonAsync($"/alertmanager/api/v2/silence/{id}");
        Assert.Equal("active", s.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("ops", s.GetProperty("createdBy").GetString());
        Assert.Equal("maintenance", s.GetProperty("comment").GetString());
        var alert = (await GetJsonAsync("/alertmanager/api/v2/alerts"))[0];
        Assert.Equal("suppressed", alert.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(id, alert.GetProperty("status").GetProperty("silencedBy")[0].GetString());
        Assert.Equal(0, (await GetJsonAsync("/alertmanager/api/v2/alerts?silenced=false")).GetArrayLength());
        Assert.Equal(1, (await GetJsonAsync("/alertmanager/api/v2/silences?filter=alertname%3DDisk")).GetArrayLength());
        Assert.Equal(0, (await GetJsonAsync("/alertmanager/api/v2/silences?filter=alertname%3DOther")).GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await _client.DeleteAsync($"/alertmanager/api/v2/silence/{id}")).StatusCode);
        Assert.Equal("expired", (await GetJsonAsync($"/alertmanager/api/v2/silence/{id}")).GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.InternalServerError, (await _client.DeleteAsync($"/alertmanager/api/v2/silence/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync("/alertmanager/api/v2/silence/00000000-0000-0000-0000-000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/alertmanager/api/v2/silence/nope")).StatusCode);

        var past = await _client.PostAsync("/alertmanager/api/v2/silences", Json($$"""
            {"matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"{{now.AddHours(-2):O}}","endsAt":"{{now.AddHours(-1):O}}","createdBy":"x","comment":"y"}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Contains("end time can't be in the past", await past.Content.ReadAsStringAsync());
        var empty = await _client.PostAsync("/alertmanager/api/v2/silences", Json($$"""
            {"matchers":[{"name":"a","value":".*","isRegex":true}],"startsAt":"{{now:O}}","endsAt":"{{now.AddHours(1):O}}","createdBy":"x","comment":"y"}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("must not match the empty string", await empty.Content.ReadAsStringAsync());

        // Silences are kept per tenant on disk.
        Assert.True(File.Exists(Path.Combine(_factory.StoragePath, "tenants", "am-team", "alertmanager", "silences.json"))
            || Directory.GetFiles(_factory.StoragePath, "silences.json", SearchOption.AllDirectories).Length == 1);
    }

    [Fact]
    public async Task ConfigurationIsValidatedAndAppliedAndWebhooksAreDelivered()
    {
        var configs = _factory.Services.GetRequiredService<TenantConfigService>();
        var bad = await configs.ApplyAsync("am-team", ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument,
            "route:\n  receiver: nobody\nreceivers:\n  - name: team\n", "test");
        Assert.False(bad.Applied);
        Assert.StartsWith("alertmanager.yml:2:", bad.Errors[0].ToString());
        Assert.Contains("undefined receiver", bad.Errors[0].ToString());

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        var received = new TaskCompletionSource<string>();
        _ = Task.Run(async () =>
        {
            var ctx = await http.GetContextAsync();
            using var reader = new StreamReader(ctx.Request.InputStream);
            received.TrySetResult(await reader.ReadToEndAsync());
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
        });
        var yaml = $"""
            route:
              receiver: team
              group_by: [alertname]
              group_wait: 0s
            receivers:
              - name: team
                webhook_configs:
                  - url: 'http://127.0.0.1:{port}/hook'
            """;
        var ok = await configs.ApplyAsync("am-team", ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument, yaml, "test");
        Assert.True(ok.Applied, string.Join("\n", ok.Errors));
        Assert.Equal("team", (await GetJsonAsync("/alertmanager/api/v2/receivers"))[0].GetProperty("name").GetString());
        await _client.PostAsync("/alertmanager/api/v2/alerts", Json("""[{"labels":{"alertname":"Hook","instance":"x"}}]"""));
        var body = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.Equal("4", doc.GetProperty("version").GetString());
        Assert.Equal("{}:{alertname=\"Hook\"}", doc.GetProperty("groupKey").GetString());
        Assert.Equal("team", doc.GetProperty("receiver").GetString());
        Assert.EndsWith("/alertmanager", doc.GetProperty("externalURL").GetString());
        var alerting = _factory.Services.GetRequiredService<Portal.Tenancy.TenantEngineRegistry>().Get("am-team").Alerting;
        for (int i = 0; i < 50 && alerting.RecentAttempts.Snapshot().Count == 0; i++) await Task.Delay(100);
        var attempt = Assert.Single(alerting.RecentAttempts.Snapshot());
        Assert.True(attempt.Success, attempt.Error);
        Assert.Equal("webhook", attempt.Integration);
    }

    [Fact]
    public async Task TheConfiguredExternalUrlIsEveryTenantAlertmanagersLinkBack()
    {
        await using var configured = _factory.WithWebHostBuilder(b => b.UseSetting("Portal:ExternalUrl", "https://portal.example.com/"));
        var tenant = "ext-" + Guid.NewGuid().ToString("N")[..8];
        await _factory.TokenAsync(tenant, TokenScopes.Alerts);
        var engine = configured.Services.GetRequiredService<Portal.Tenancy.TenantEngineRegistry>().Get(tenant);
        Assert.Equal("https://portal.example.com/alertmanager", engine.Alerting.ExternalUrl);
    }
}
