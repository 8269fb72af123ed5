using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Grafana's dashboard API subset: shapes, version and title rules, search, scopes and tenant isolation.</summary>
public sealed class DashboardsApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static string NewTenant() => "d" + Guid.NewGuid().ToString("N")[..10];

    private async Task<HttpClient> ClientAsync(string tenant, TokenScopes scopes) => factory.ClientWithToken(await factory.TokenAsync(tenant, scopes));

    private static StringContent Body(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    private static StringContent Post(JsonObject dashboard, string? folderUid = null, bool overwrite = false) =>
        new(new JsonObject { ["dashboard"] = dashboard, ["folderUid"] = folderUid, ["overwrite"] = overwrite }.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage r) => (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;

    private static JsonObject Dash(string title, string? uid = null, int? version = null, params string[] tags) => new()
    {
        ["id"] = null, ["uid"] = uid, ["title"] = title, ["version"] = version, ["tags"] = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()),
        ["schemaVersion"] = 39, ["panels"] = new JsonArray(),
    };

    [Fact]
    public async Task CreateGetUpdateAndDeleteAnswerInGrafanasShapes()
    {
        using var c = await ClientAsync(NewTenant(), TokenScopes.Read | TokenScopes.Write);
        var r = await c.PostAsync("/api/dashboards/db", Post(Dash("Production Overview", "prod-overview")));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var created = await JsonAsync(r);
        Assert.Equal(["id", "uid", "url", "status", "version", "slug"], created.Select(p => p.Key));
        Assert.Equal("prod-overview", (string?)created["uid"]);
        Assert.Equal("/d/prod-overview/production-overview", (string?)created["url"]);
        Assert.Equal("success", (string?)created["status"]);
        Assert.Equal(1, (int)created["version"]!);
        Assert.Equal("production-overview", (string?)created["slug"]);

        var got = await JsonAsync(await c.GetAsync("/api/dashboards/uid/prod-overview"));
        Assert.Equal("Production Overview", (string?)got["dashboard"]!["title"]);
        Assert.Equal(1, (int)got["dashboard"]!["version"]!);
        Assert.Equal((long)created["id"]!, (long)got["dashboard"]!["id"]!);
        Assert.Equal("db", (string?)got["meta"]!["type"]);
        Assert.False((bool)got["meta"]!["provisioned"]!);
        Assert.Equal("General", (string?)got["meta"]!["folderTitle"]);

        var update = (JsonObject)got["dashboard"]!.DeepClone();
        update["title"] = "Production Overview 2";
        r = await c.PostAsync("/api/dashboards/db", Post(update));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(2, (int)(await JsonAsync(r))["version"]!);

        var del = await c.DeleteAsync("/api/dashboards/uid/prod-overview");
        Assert.Equal(HttpStatusCode.OK, del.StatusCode);
        var deleted = await JsonAsync(del);
        Assert.Equal("Production Overview 2", (string?)deleted["title"]);
        Assert.Equal("Dashboard Production Overview 2 deleted", (string?)deleted["message"]);

        r = await c.GetAsync("/api/dashboards/uid/prod-overview");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("Dashboard not found", (string?)(await JsonAsync(r))["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await c.DeleteAsync("/api/dashboards/uid/prod-overview")).StatusCode);
    }

    [Fact]
    public async Task AStaleVersionIsRefusedWith412UnlessOverwriting()
    {
        using var c = await ClientAsync(NewTenant(), TokenScopes.Read | TokenScopes.Write);
        await c.PostAsync("/api/dashboards/db", Post(Dash("Versioned", "v1")));
        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync("/api/dashboards/db", Post(Dash("Versioned", "v1", version: 1)))).StatusCode);

        var stale = await c.PostAsync("/api/dashboards/db", Post(Dash("Versioned", "v1", version: 1)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var body = await JsonAsync(stale);
        Assert.Equal("version-mismatch", (string?)body["status"]);
        Assert.Equal("The dashboard has been changed by someone else", (string?)body["message"]);

        var forced = await c.PostAsync("/api/dashboards/db", Post(Dash("Versioned", "v1", version: 1), overwrite: true));
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal(3, (int)(await JsonAsync(forced))["version"]!);
    }

    [Fact]
    public async Task ASecondDashboardWithTheSameTitleInAFolderIsRefusedUnlessOverwriting()
    {
        using var c = await ClientAsync(NewTenant(), TokenScopes.Read | TokenScopes.Write);
        var first = await JsonAsync(await c.PostAsync("/api/dashboards/db", Post(Dash("Same name"))));
        var again = await c.PostAsync("/api/dashboards/db", Post(Dash("Same name")));
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        Assert.Equal("name-exists", (string?)(await JsonAsync(again))["status"]);

        var folder = await JsonAsync(await c.PostAsync("/api/folders", Body(new { title = "Team A", uid = "team-a" })));
        Assert.Equal("team-a", (string?)folder["uid"]);
        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync("/api/dashboards/db", Post(Dash("Same name"), "team-a"))).StatusCode);

        var replaced = await JsonAsync(await c.PostAsync("/api/dashboards/db", Post(Dash("Same name"), overwrite: true)));
        Assert.Equal((string?)first["uid"], (string?)replaced["uid"]);

        var noFolder = await c.PostAsync("/api/dashboards/db", Post(Dash("Elsewhere"), "missing-folder"));
        Assert.Equal(HttpStatusCode.BadRequest, noFolder.StatusCode);
        Assert.Contains("not found", (string?)(await JsonAsync(noFolder))["message"]);
        var noTitle = await c.PostAsync("/api/dashboards/db", Post(Dash("")));
        Assert.Equal(HttpStatusCode.BadRequest, noTitle.StatusCode);
        Assert.Equal("Dashboard title cannot be empty", (string?)(await JsonAsync(noTitle))["message"]);
        var notJson = await c.PostAsync("/api/dashboards/db", new StringContent("{nope", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task SearchFiltersByQueryTagFolderAndType()
    {
        using var c = await ClientAsync(NewTenant(), TokenScopes.Read | TokenScopes.Write);
        await c.PostAsync("/api/folders", Body(new { title = "Infra", uid = "infra" }));
        await c.PostAsync("/api/dashboards/db", Post(Dash("Node exporter", "node", null, "linux", "node")));
        await c.PostAsync("/api/dashboards/db", Post(Dash("Nginx", "nginx", null, "web"), "infra"));
        await c.PostAsync("/api/dashboards/db", Post(Dash("Postgres", "pg", null, "db", "linux"), "infra"));

        async Task<List<JsonObject>> Search(string q) =>
            (JsonNode.Parse(await c.GetStringAsync("/api/search" + q)) as JsonArray)!.OfType<JsonObject>().ToList();

        var all = await Search("");
        Assert.Equal(["Infra", "Nginx", "Node exporter", "Postgres"], all.Select(h => (string?)h["title"]));
        Assert.Equal("dash-folder", (string?)all[0]["type"]);
        Assert.Equal("/dashboards/f/infra/infra", (string?)all[0]["url"]);
        var nginx = all[1];
        Assert.Equal("dash-db", (string?)nginx["type"]);
        Assert.Equal("/d/nginx/nginx", (string?)nginx["url"]);
        Assert.Equal("infra", (string?)nginx["folderUid"]);
        Assert.Equal("Infra", (string?)nginx["folderTitle"]);
        Assert.Equal(["web"], nginx["tags"]!.AsArray().Select(t => (string?)t));

        Assert.Equal(["Nginx", "Node exporter"], (await Search("?query=n&type=dash-db")).Select(h => (string?)h["title"]));
        Assert.Equal(["Node exporter", "Postgres"], (await Search("?tag=linux")).Select(h => (string?)h["title"]));
        Assert.Equal(["Postgres"], (await Search("?tag=linux&tag=db")).Select(h => (string?)h["title"]));
        Assert.Equal(["Nginx", "Postgres"], (await Search("?folderUIDs=infra")).Select(h => (string?)h["title"]));
        Assert.Equal(["Node exporter"], (await Search("?dashboardUIDs=node")).Select(h => (string?)h["title"]));
        Assert.Equal(["Infra"], (await Search("?type=dash-folder")).Select(h => (string?)h["title"]));
        Assert.Single(await Search("?limit=1"));
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/api/search?type=dash-nope")).StatusCode);
    }

    [Fact]
    public async Task AnotherTenantNeverSeesOrTouchesTheDashboards()
    {
        string a = NewTenant(), b = NewTenant();
        using var ca = await ClientAsync(a, TokenScopes.Read | TokenScopes.Write);
        using var cb = await ClientAsync(b, TokenScopes.Read | TokenScopes.Write);
        var created = await JsonAsync(await ca.PostAsync("/api/dashboards/db", Post(Dash("Secret plans", "secret-plans"))));
        Assert.Equal("success", (string?)created["status"]);

        Assert.Equal(HttpStatusCode.NotFound, (await cb.GetAsync("/api/dashboards/uid/secret-plans")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cb.DeleteAsync("/api/dashboards/uid/secret-plans")).StatusCode);
        Assert.Empty((JsonNode.Parse(await cb.GetStringAsync("/api/search"))!.AsArray()));
        Assert.Empty((JsonNode.Parse(await cb.GetStringAsync("/api/search?query=Secret"))!.AsArray()));

        // B posting the same uid makes B's own dashboard; A's is untouched.
        var own = await JsonAsync(await cb.PostAsync("/api/dashboards/db", Post(Dash("Mine", "secret-plans"))));
        Assert.Equal(1, (int)own["version"]!);
        var stillA = await JsonAsync(await ca.GetAsync("/api/dashboards/uid/secret-plans"));
        Assert.Equal("Secret plans", (string?)stillA["dashboard"]!["title"]);
        Assert.Equal(1, (int)stillA["dashboard"]!["version"]!);
    }

    [Fact]
    public async Task ReadingNeedsReadAndChangingNeedsWrite()
    {
        var tenant = NewTenant();
        using var writer = await ClientAsync(tenant, TokenScopes.Write);
        using var reader = await ClientAsync(tenant, TokenScopes.Read);
        using var anonymous = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await writer.PostAsync("/api/dashboards/db", Post(Dash("Scoped", "scoped")))).StatusCode);
        var denied = await reader.PostAsync("/api/dashboards/db", Post(Dash("Scoped 2")));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("write", await denied.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("/api/dashboards/uid/scoped")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/dashboards/uid/scoped")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/dashboards/uid/scoped")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/search")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/dashboards/db", Post(Dash("x")))).StatusCode);
    }

    [Fact]
    public async Task TheTestDashboardsRoundTripThroughTheApi()
    {
        using var c = await ClientAsync(NewTenant(), TokenScopes.Read | TokenScopes.Write);
        var files = DashboardTestData.Files.Select(DashboardTestData.Read).ToList();
        if (DashboardTestData.SeedAvailable) files.Add(File.ReadAllText(DashboardTestData.SeedDashboard));
        foreach (var text in files)
        {
            var original = GrafanaJson.ParseObject(text);
            var posted = (JsonObject)original.DeepClone();
            posted.Remove("id");
            posted.Remove("version");
            var r = await c.PostAsync("/api/dashboards/db", Post(posted));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var uid = (string?)(await JsonAsync(r))["uid"];
            var back = (JsonObject)(await JsonAsync(await c.GetAsync($"/api/dashboards/uid/{uid}")))["dashboard"]!.DeepClone();
            foreach (var k in new[] { "id", "version", "uid" }) { back.Remove(k); original.Remove(k); }
            Assert.True(JsonNode.DeepEquals(original, back), $"{original["title"]} changed in the round trip");
        }
    }

    [Fact]
    public async Task PanelsRunTheirQueriesWithLegendFormatAndVariables()
    {
        var tenant = NewTenant();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        foreach (var instance in new[] { "web-1:9100", "web-2:9100", "db-1:9100" })
        {
            var samples = Enumerable.Range(0, 240).Select(i => (now - 3_600_000 + i * 15_000L, (double)i)).ToArray();
            factory.Append(tenant, Labels.FromStrings("__name__", "node_load1", "instance", instance, "job", "node"), samples);
        }
        var runner = new DashboardRunner(factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant));
        var variable = new VariableModel(new JsonObject
        {
            ["name"] = "instance", ["type"] = "query", ["multi"] = true, ["includeAll"] = true, ["regex"] = "/web.*/",
            ["query"] = "label_values(node_load1{job=\"node\"}, instance)", ["current"] = new JsonObject { ["value"] = new JsonArray("web-1:9100", "web-2:9100") },
        });
        long start = now - 3_600_000;
        var options = await runner.VariableOptionsAsync(variable, start, now, new Interpolator(new Dictionary<string, VariableValue>(), new Dictionary<string, string>()), default);
        Assert.Equal(["web-1:9100", "web-2:9100"], options);
        var values = new Dictionary<string, VariableValue> { ["instance"] = DashboardRunner.Resolve(variable, options) };

        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        panel.Targets[0].Expr = "node_load1{instance=~\"$instance\"}";
        panel.Targets[0].LegendFormat = "{{instance}}";
        panel.Targets[0].MinStep = "30s";
        var second = panel.AddTarget("sum(node_load1)");
        Assert.Equal("B", second.RefId);

        var data = await runner.RunPanelAsync(panel, start, now, values, 720, default);
        Assert.Null(data.Error);
        Assert.Equal(15_000, data.StepMs);
        Assert.Equal(30_000, data.Series[0].StepMs);
        Assert.Equal(["web-1:9100", "web-2:9100", "{}"], data.Series.Select(s => s.Name == "sum(node_load1)" ? "{}" : s.Name));
        Assert.All(data.Series, s => Assert.True(s.T.Length >= 100));
        Assert.InRange(data.Series[0].Last!.Value, 237, 239);

        panel.Targets[0].Expr = "sum(rate(";
        var failed = await runner.RunPanelAsync(panel, start, now, values, 720, default);
        Assert.StartsWith("query A:", failed.Error);

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        panel.Targets[0].Expr = "node_load1";
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunPanelAsync(panel, start, now, values, 720, cts.Token));
    }
}
