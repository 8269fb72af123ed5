using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tenancy;
using Portal.Web.Components.Pages;
using Portal.Web.Dashboards;
using Portal.Web.Tests.Pages;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The dashboard page draws repeat copies and annotation toggles, and never saves or exports the copies.</summary>
public sealed class DashboardRepeatPageTests : IAsyncLifetime
{
    private readonly PageTestContext _t;
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "portal-dash-repeat-page-" + Guid.NewGuid().ToString("N"));

    public DashboardRepeatPageTests() => _t = new PageTestContext(services =>
    {
        services.AddSingleton<DashboardService>();
        services.AddSingleton(new TenantEngineRegistry(_storage, _ => new TenantLimits()));
    });

    public Task InitializeAsync() => _t.InitializeAsync();

    public async Task DisposeAsync()
    {
        _t.Services.GetRequiredService<TenantEngineRegistry>().Dispose();
        await _t.DisposeAsync();
        if (Directory.Exists(_storage)) Directory.Delete(_storage, recursive: true);
    }

    private const string Model = """
        { "title": "Repeats", "uid": "rep-a", "schemaVersion": 39,
          "annotations": { "list": [
            { "builtIn": 1, "datasource": { "type": "grafana", "uid": "-- Grafana --" }, "enable": true, "hide": true, "name": "Annotations & Alerts" },
            { "name": "Always", "expr": "vector(1)", "enable": true, "iconColor": "red" },
            { "name": "Broken", "expr": "sum(", "enable": true } ] },
          "templating": { "list": [ { "name": "dc", "type": "custom", "query": "east,west,north", "multi": true,
            "current": { "value": ["east", "west"], "text": ["east", "west"] } } ] },
          "panels": [
            { "id": 1, "type": "stat", "title": "Load $dc", "repeat": "dc", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 4 },
              "targets": [ { "refId": "A", "expr": "vector(1)" } ],
              "fieldConfig": { "defaults": { "mappings": [ { "type": "value", "options": { "1": { "text": "ONE", "color": "purple" } } } ] }, "overrides": [] } },
            { "id": 2, "type": "timeseries", "title": "Series", "gridPos": { "x": 0, "y": 4, "w": 24, "h": 8 },
              "targets": [ { "refId": "A", "expr": "vector(2)" } ] } ] }
        """;

    [Fact]
    public async Task RepeatsDrawOneCopyPerValueAndExportKeepsTheStoredJson()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        await tenants.CreateAsync("team-a", "Team A", null);
        var id = await _t.AddUserAsync("ed@a.example");
        await tenants.SetMemberAsync("team-a", id, TenantRole.Editor, "test");
        _t.SignIn(id, "ed@a.example");
        var service = _t.Services.GetRequiredService<DashboardService>();
        await service.SaveAsync("team-a", GrafanaJson.ParseObject(Model), null, false, "test");
        var stored = DashboardService.Model((await service.GetAsync("team-a", "rep-a"))!);

        var cut = _t.Ctx.Render<DashboardPage>(p => p.Add(c => c.Uid, "rep-a"));
        cut.WaitForAssertion(() => Assert.Equal(["Load east", "Load west", "Series"], cut.FindAll("[data-testid=panel-title]").Select(e => e.TextContent)), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal(["ONE", "ONE"], cut.FindAll("[data-testid=stat-value]").Select(e => e.TextContent.Trim())), TimeSpan.FromSeconds(10));
        Assert.Single(cut.FindAll("[data-repeat-copy=true]"));
        var toggles = cut.FindAll("[data-testid=annotation-toggle]");
        Assert.Equal(["Always", "Broken"], toggles.Select(t => t.GetAttribute("data-name")));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=annotation-toggle][data-name=Broken] [data-testid=annotation-error]")), TimeSpan.FromSeconds(10));

        cut.Find("[data-testid=edit]").Click();
        cut.WaitForAssertion(() => Assert.Equal(["Load east", "Series"], cut.FindAll("[data-testid=panel-title]").Select(e => e.TextContent)));
        Assert.Single(cut.FindAll("[data-testid=panel-repeat]"));
        cut.Find("[data-testid=save]").Click();
        var row = (await service.GetAsync("team-a", "rep-a"))!;
        for (int i = 0; i < 100 && row.Version < 2; i++)
        {
            await Task.Delay(100);
            row = (await service.GetAsync("team-a", "rep-a"))!;
        }
        Assert.Equal(2, row.Version);
        var saved = DashboardService.Model(row);
        Assert.True(JsonNode.DeepEquals(stored["panels"], saved["panels"]), "saving must keep the panels as stored, without repeat copies");
        Assert.DoesNotContain("repeatPanelId", saved.ToJsonString());
    }
}
