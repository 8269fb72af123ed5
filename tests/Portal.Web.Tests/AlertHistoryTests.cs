using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Alerting;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Alerting;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

/// <summary>Alert history end to end in the real host: rule state changes, notification attempts, retention and the API.</summary>
public sealed class AlertHistoryTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Rule = """
        groups:
          - name: db
            interval: 1h
            rules:
              - alert: DbDown
                expr: up{job="db"} == 0
                for: 2m
                labels:
                  team: payments
                annotations:
                  summary: "{{ $labels.instance }} is down"
        """;

    private static string NewTenant(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url, HttpStatusCode expect = HttpStatusCode.OK)
    {
        var r = await client.GetAsync(url);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expect == r.StatusCode, $"{r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Polls until <paramref name="done"/> holds (the recorder writes asynchronously) or 10 s pass.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient client, string url, Func<JsonElement, bool> done)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var data = (await GetJsonAsync(client, url)).GetProperty("data");
            if (done(data) || sw.Elapsed > TimeSpan.FromSeconds(10)) return data;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ARuleGoingPendingFiringResolvedIsRecordedInOrder()
    {
        var tenant = NewTenant("h");
        var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var result = await factory.Services.GetRequiredService<TenantConfigService>().ApplyAsync(tenant, ConfigKind.Rules, "db.yml", Rule, "test");
        Assert.True(result.Applied, string.Join("; ", result.Errors));
        var engine = factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600);
        var up = Labels.FromStrings("__name__", "up", "job", "db", "instance", "db-1:9100");
        factory.Append(tenant, up, (t0.ToUnixTimeMilliseconds(), 0), (t0.AddMinutes(3).ToUnixTimeMilliseconds(), 0), (t0.AddMinutes(4).ToUnixTimeMilliseconds(), 1));
        var group = engine.Rules.Groups.Single();
        group.Evaluate(t0);
        group.Evaluate(t0.AddMinutes(1));
        group.Evaluate(t0.AddMinutes(3));
        group.Evaluate(t0.AddMinutes(4));

        var data = await WaitForAsync(client, "/api/v1/alert_history?alertname=DbDown", d => d.GetProperty("changes").GetArrayLength() >= 3);
        var changes = data.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["resolved", "firing", "pending"], changes.Select(c => c.GetProperty("state").GetString()));
        Assert.Single(changes.Select(c => c.GetProperty("fingerprint").GetString()).Distinct());
        var expectedFp = Fingerprints.ToHex(Fingerprints.Of(Labels.FromStrings("alertname", "DbDown", "instance", "db-1:9100", "job", "db", "team", "payments")));
        Assert.Equal(expectedFp, changes[0].GetProperty("fingerprint").GetString());
        Assert.All(changes, c => Assert.Equal("payments", c.GetProperty("team").GetString()));
        Assert.Equal("db-1:9100 is down", changes[1].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("0", changes[2].GetProperty("value").GetString());
        Assert.Equal(AlertHistoryApiTime(t0.AddMinutes(3)), changes[1].GetProperty("at").GetString());
        Assert.Equal(AlertHistoryApiTime(t0), changes[1].GetProperty("activeAt").GetString());
        Assert.False(changes[2].TryGetProperty("activeAt", out _));

        var firing = await GetJsonAsync(client, "/api/v1/alert_history?state=firing&match[]=" + Uri.EscapeDataString("{instance=~\"db-.*\"}"));
        Assert.Single(firing.GetProperty("data").GetProperty("changes").EnumerateArray());
        var none = await GetJsonAsync(client, "/api/v1/alert_history?match[]=" + Uri.EscapeDataString("{instance=\"other\"}"));
        Assert.Empty(none.GetProperty("data").GetProperty("changes").EnumerateArray());
    }

    private static string AlertHistoryApiTime(DateTimeOffset t) => Portal.Web.Api.AlertHistoryApi.Rfc3339(t);

    [Fact]
    public async Task TestAndRoutedNotificationsAreRecordedWithTheirTeam()
    {
        using var hook = new LocalWebhook();
        var tenant = NewTenant("n");
        var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var svc = factory.Services.GetRequiredService<TeamAlertingService>();
        var team = await svc.CreateTeamAsync(tenant, "payments", "test");
        Assert.True(team.Ok, string.Join("; ", team.Errors));
        var good = await svc.SaveReceiverAsync(tenant, team.Id, 0, "hook", ReceiverKind.Webhook, $$"""{"url":"{{hook.Url}}","send_resolved":true}""", "test");
        Assert.True(good.Ok, string.Join("; ", good.Errors));
        var bad = await svc.SaveReceiverAsync(tenant, team.Id, 0, "closed", ReceiverKind.Webhook, $$"""{"url":"http://127.0.0.1:{{LocalWebhook.FreePort()}}/"}""", "test");
        Assert.True(bad.Ok, string.Join("; ", bad.Errors));
        var route = await svc.SaveRouteAsync(tenant, team.Id, new TeamRoute { TenantId = tenant, GroupWait = "100ms", GroupBy = "alertname" }, "test");
        Assert.True(route.Ok, string.Join("; ", route.Errors));

        var ok = await svc.TestAsync(tenant, good.Id);
        Assert.True(ok.Single().Success, ok.Single().Error);
        Assert.Contains("TestNotification", Assert.Single(hook.Bodies));
        var failed = await svc.TestAsync(tenant, bad.Id);
        Assert.False(failed.Single().Success);
        Assert.Contains("127.0.0.1", failed.Single().Error);

        var data = await WaitForAsync(client, "/api/v1/alert_history?team=payments", d => d.GetProperty("notifications").GetArrayLength() >= 2);
        var sent = data.GetProperty("notifications").EnumerateArray().ToList();
        var okRow = sent.Single(n => n.GetProperty("receiver").GetString() == "payments/hook");
        Assert.True(okRow.GetProperty("success").GetBoolean());
        Assert.Equal("webhook", okRow.GetProperty("integration").GetString());
        Assert.Equal("payments", okRow.GetProperty("team").GetString());
        Assert.Contains("test notification", okRow.GetProperty("summary").GetString());
        Assert.Contains("TestNotification", okRow.GetProperty("summary").GetString());
        var badRow = sent.Single(n => n.GetProperty("receiver").GetString() == "payments/closed");
        Assert.False(badRow.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(badRow.GetProperty("error").GetString()));

        // A real alert labelled team=payments is routed by the generated tree to the team's webhook.
        var am = factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant).Alerting.Alertmanager;
        var labels = Labels.FromStrings("alertname", "QueueFull", "team", "payments", "queue", "q1");
        Assert.Empty(am.PutAlerts([new PostableAlert(labels, Labels.Empty, DateTimeOffset.UtcNow, default, "")]));
        var fp = Fingerprints.ToHex(Fingerprints.Of(labels));
        var routed = await WaitForAsync(client, "/api/v1/alert_history?team=payments",
            d => d.GetProperty("notifications").EnumerateArray().Any(n => n.GetProperty("fingerprints").EnumerateArray().Any(f => f.GetString() == fp) && n.GetProperty("success").GetBoolean()));
        var row = routed.GetProperty("notifications").EnumerateArray().First(n => n.GetProperty("fingerprints").EnumerateArray().Any(f => f.GetString() == fp) && n.GetProperty("success").GetBoolean());
        Assert.Equal("payments/hook", row.GetProperty("receiver").GetString());
        Assert.Contains("QueueFull", row.GetProperty("summary").GetString());
        Assert.Contains(hook.Bodies, b => b.Contains("QueueFull"));
    }

    [Fact]
    public async Task TheApiIsScopedToTheCredentialsTenantAndChecksItsParameters()
    {
        string a = NewTenant("a"), b = NewTenant("b");
        var clientA = factory.ClientWithToken(await factory.TokenAsync(a, TokenScopes.Read));
        var clientB = factory.ClientWithToken(await factory.TokenAsync(b, TokenScopes.Read));
        var now = DateTimeOffset.UtcNow;
        var store = factory.Services.GetRequiredService<AlertHistoryStore>();
        AlertStateChange Change(string tenant, string name, string state, DateTimeOffset at) => new()
        {
            TenantId = tenant, Fingerprint = "00000000000000" + (name.Length % 10) + "0", AlertName = name, Team = "core", State = state,
            LabelsJson = $$"""{"alertname":"{{name}}","env":"prod"}""", AnnotationsJson = "{}", Value = 1, At = at,
        };
        await store.AddAsync(
            [Change(a, "Secret", "firing", now.AddMinutes(-5)), Change(a, "Secret", "resolved", now.AddMinutes(-1)), Change(a, "Other", "pending", now.AddHours(-2)), Change(b, "Visible", "firing", now)],
            [new Portal.Data.NotificationAttempt { TenantId = a, Receiver = "core/hook", Team = "core", Integration = "webhook", At = now, Success = true, Summary = "s", Fingerprints = "", AlertCount = 1 }]);

        var seenByB = (await GetJsonAsync(clientB, "/api/v1/alert_history")).GetProperty("data");
        Assert.Equal(["Visible"], seenByB.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("alertname").GetString()));
        Assert.Empty(seenByB.GetProperty("notifications").EnumerateArray());
        Assert.Empty((await GetJsonAsync(clientB, "/api/v1/alert_history?alertname=Secret")).GetProperty("data").GetProperty("changes").EnumerateArray());

        var all = await GetJsonAsync(clientA, "/api/v1/alert_history");
        Assert.Equal("success", all.GetProperty("status").GetString());
        Assert.Equal(3, all.GetProperty("data").GetProperty("changes").GetArrayLength());
        Assert.Single(all.GetProperty("data").GetProperty("notifications").EnumerateArray());

        var start = Uri.EscapeDataString(now.AddMinutes(-10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        var recent = await GetJsonAsync(clientA, $"/api/v1/alert_history?start={start}&end={now.ToUnixTimeSeconds() + 1}");
        Assert.Equal(2, recent.GetProperty("data").GetProperty("changes").GetArrayLength());
        var limited = await GetJsonAsync(clientA, "/api/v1/alert_history?limit=1");
        Assert.Equal("resolved", limited.GetProperty("data").GetProperty("changes")[0].GetProperty("state").GetString());
        Assert.Equal(1, limited.GetProperty("data").GetProperty("changes").GetArrayLength());
        Assert.Equal(3, (await GetJsonAsync(clientA, "/api/v1/alert_history?team=core")).GetProperty("data").GetProperty("changes").GetArrayLength());
        Assert.Empty((await GetJsonAsync(clientA, "/api/v1/alert_history?team=nobody")).GetProperty("data").GetProperty("changes").EnumerateArray());

        var badState = await GetJsonAsync(clientA, "/api/v1/alert_history?state=burning", HttpStatusCode.BadRequest);
        Assert.Equal("bad_data", badState.GetProperty("errorType").GetString());
        Assert.Contains("state", badState.GetProperty("error").GetString());
        var badMatch = await GetJsonAsync(clientA, "/api/v1/alert_history?match[]=" + Uri.EscapeDataString("{env="), HttpStatusCode.BadRequest);
        Assert.Contains("match[]", badMatch.GetProperty("error").GetString());
        var badTime = await GetJsonAsync(clientA, "/api/v1/alert_history?start=yesterday", HttpStatusCode.BadRequest);
        Assert.Contains("start", badTime.GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/api/v1/alert_history")).StatusCode);
        var writeOnly = factory.ClientWithToken(await factory.TokenAsync(a, TokenScopes.Write));
        Assert.Equal(HttpStatusCode.Forbidden, (await writeOnly.GetAsync("/api/v1/alert_history")).StatusCode);
    }

    [Fact]
    public async Task TheWriterDeletesRowsOlderThanTheRetention()
    {
        var tenant = NewTenant("r");
        await factory.TokenAsync(tenant, TokenScopes.Read);
        var store = factory.Services.GetRequiredService<AlertHistoryStore>();
        var now = DateTimeOffset.UtcNow;
        AlertStateChange Row(DateTimeOffset at) => new()
        {
            TenantId = tenant, Fingerprint = "0123456789abcdef", AlertName = "Old", State = "firing", LabelsJson = "{}", AnnotationsJson = "{}", At = at,
        };
        await store.AddAsync([Row(now.AddDays(-3)), Row(now.AddHours(-1))],
            [new Portal.Data.NotificationAttempt { TenantId = tenant, Receiver = "x", Integration = "webhook", At = now.AddDays(-3), Success = true, Summary = "old", Fingerprints = "" }]);

        var options = Options.Create(new AlertHistoryOptions { Retention = TimeSpan.FromDays(1), RetentionCheckInterval = TimeSpan.FromHours(1) });
        var recorder = new AlertHistoryRecorder(options);
        using var writer = new AlertHistoryWriter(recorder, store, options, TimeProvider.System, NullLogger<AlertHistoryWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var sw = Stopwatch.StartNew();
        AlertHistoryPage page;
        do
        {
            await Task.Delay(50);
            page = await store.QueryAsync(tenant, new AlertHistoryQuery());
        } while ((page.Changes.Count > 1 || page.Notifications.Count > 0) && sw.Elapsed < TimeSpan.FromSeconds(10));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(now.AddHours(-1).ToUnixTimeMilliseconds(), Assert.Single(page.Changes).At.ToUnixTimeMilliseconds());
        Assert.Empty(page.Notifications);
    }

    [Fact]
    public async Task AFullQueueDropsEventsInsteadOfBlocking()
    {
        var options = Options.Create(new AlertHistoryOptions { QueueCapacity = 16 });
        var recorder = new AlertHistoryRecorder(options);
        var transition = new Portal.Rules.AlertTransition("R", Labels.FromStrings("alertname", "R"), Labels.Empty, "firing", 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++) recorder.OnTransitions("t", [transition]);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2));
        Assert.Equal(1000 - 16, recorder.Dropped);
        await Task.CompletedTask;
    }
}

/// <summary>Template previews render a receiver's templates with the notification template engine.</summary>
public sealed class TemplatePreviewTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task PreviewRendersAgainstASampleOrAFiringAlertAndReportsTemplateErrors()
    {
        var tenant = "p" + Guid.NewGuid().ToString("N")[..10];
        await factory.TokenAsync(tenant, TokenScopes.Read);
        var svc = factory.Services.GetRequiredService<TeamAlertingService>();
        const string slack = """{"api_url":"https://hooks.slack.com/services/X","title":"{{ .Status }}: {{ .CommonLabels.alertname }}","text":"{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}"}""";

        var sample = svc.Preview(tenant, "payments", "chat", ReceiverKind.Slack, slack, null);
        Assert.Null(sample.Error);
        Assert.Equal("sample alert", sample.AlertSource);
        Assert.Equal("firing: InstanceDown", sample.Title);
        Assert.Equal("db-1:9100 is down", sample.Text);

        var am = factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant).Alerting.Alertmanager;
        var labels = Labels.FromStrings("alertname", "DiskFull", "team", "payments");
        am.PutAlerts([new PostableAlert(labels, Labels.FromStrings("summary", "disk 97% full"), DateTimeOffset.UtcNow, default, "")]);
        var fp = Assert.Single(svc.FiringAlerts(tenant)).Fingerprint;
        var live = svc.Preview(tenant, "payments", "chat", ReceiverKind.Slack, slack, fp);
        Assert.Contains("DiskFull", live.AlertSource);
        Assert.Equal("firing: DiskFull", live.Title);
        Assert.Equal("disk 97% full", live.Text);

        var mail = svc.Preview(tenant, "payments", "mail", ReceiverKind.Email, """{"to":"a@example.com"}""", fp);
        Assert.StartsWith("[FIRING:1] DiskFull", mail.Title);
        Assert.Contains("<html", mail.Text);

        var broken = svc.Preview(tenant, "payments", "chat", ReceiverKind.Slack, """{"title":"{{ .Nope "}""", null);
        Assert.NotNull(broken.Error);
    }
}
