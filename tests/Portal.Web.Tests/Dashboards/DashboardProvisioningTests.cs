using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Dashboards from a tenant's provisioning folder: loaded on start, read-only through the API, reloaded and removed with their files.</summary>
public sealed class DashboardProvisioningTests : IAsyncLifetime
{
    private readonly ProvisionedPortalFactory _p = new();

    private const string Node = """
        { "title": "Node Statistics", "uid": "KchAVsdmk", "version": 3, "schemaVersion": 16,
          "panels": [ { "id": 4, "type": "graph", "title": "Free Memory", "gridPos": { "h": 9, "w": 12, "x": 0, "y": 0 },
                        "targets": [ { "expr": "node_memory_MemAvailable_bytes", "refId": "A" } ] } ] }
        """;

    public Task InitializeAsync()
    {
        _p.Write("demo/dashboards/node-dashboard.json", DashboardTestData.SeedAvailable ? File.ReadAllText(DashboardTestData.SeedDashboard) : Node);
        _p.Write("demo/dashboards/Infrastructure/no-uid.json", """{ "title": "Without uid", "panels": [] }""");
        _p.Write("demo/dashboards/broken.json", """{ "title": "Broken", """);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _p.DisposeAsync();

    private static async Task<JsonObject> JsonAsync(HttpResponseMessage r) => (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task ProvisionedDashboardsLoadReadOnlyAndFollowTheirFiles()
    {
        using var c = _p.Client("demo", ProvisionedPortalFactory.DemoToken);
        var node = await JsonAsync(await c.GetAsync("/api/dashboards/uid/KchAVsdmk"));
        Assert.Equal("Node Statistics", (string?)node["dashboard"]!["title"]);
        Assert.True((bool)node["meta"]!["provisioned"]!);
        Assert.Equal("dashboards/node-dashboard.json", (string?)node["meta"]!["provisionedExternalId"]);
        Assert.False((bool)node["meta"]!["canSave"]!);

        var hits = JsonNode.Parse(await c.GetStringAsync("/api/search?type=dash-db"))!.AsArray().OfType<JsonObject>().ToList();
        var noUid = hits.Single(h => (string?)h["title"] == "Without uid");
        Assert.Equal("Infrastructure", (string?)noUid["folderTitle"]);
        var derivedUid = (string?)noUid["uid"];
        Assert.DoesNotContain(hits, h => (string?)h["title"] == "Broken");

        var save = await c.PostAsync("/api/dashboards/db", new StringContent(
            new JsonObject { ["dashboard"] = node["dashboard"]!.DeepClone(), ["overwrite"] = true }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, save.StatusCode);
        Assert.Equal("Cannot save provisioned dashboard", (string?)(await JsonAsync(save))["message"]);
        var delete = await c.DeleteAsync("/api/dashboards/uid/KchAVsdmk");
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Contains("provisioning folder", (string?)(await JsonAsync(delete))["message"]);

        var reload = await c.PostAsync("/-/reload", null);
        var errors = (await JsonAsync(reload))["errors"]!.ToJsonString();
        Assert.Contains("broken.json", errors);
        Assert.Contains("not valid JSON", errors);
        Assert.Equal(derivedUid, JsonNode.Parse(await c.GetStringAsync("/api/search?query=Without"))!.AsArray().Single()!["uid"]!.GetValue<string>());
        var unchanged = await JsonAsync(await c.GetAsync("/api/dashboards/uid/KchAVsdmk"));
        Assert.Equal((int)node["dashboard"]!["version"]!, (int)unchanged["dashboard"]!["version"]!);

        _p.Write("demo/dashboards/node-dashboard.json", Node.Replace("Node Statistics", "Node Statistics v2", StringComparison.Ordinal));
        File.Delete(Path.Combine(_p.Folder, "tenants", "demo", "dashboards", "Infrastructure", "no-uid.json"));
        await c.PostAsync("/-/reload", null);
        var changed = await JsonAsync(await c.GetAsync("/api/dashboards/uid/KchAVsdmk"));
        Assert.Equal("Node Statistics v2", (string?)changed["dashboard"]!["title"]);
        Assert.True((int)changed["dashboard"]!["version"]! > (int)node["dashboard"]!["version"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/dashboards/uid/{derivedUid}")).StatusCode);
    }
}
