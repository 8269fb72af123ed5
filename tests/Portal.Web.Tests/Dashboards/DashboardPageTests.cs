using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tenancy;
using Portal.Web.Components.Pages;
using Portal.Web.Tests.Pages;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The dashboard pages with roles, provisioned dashboards and another tenant's user.</summary>
public sealed class DashboardPageTests : IAsyncLifetime
{
    private readonly PageTestContext _t;
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "portal-dash-page-" + Guid.NewGuid().ToString("N"));

    public DashboardPageTests() => _t = new PageTestContext(services =>
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

    private static JsonObject Model(string title, string uid) => new()
    {
        ["title"] = title, ["uid"] = uid, ["schemaVersion"] = 16, ["tags"] = new JsonArray("node"),
        ["panels"] = new JsonArray(
            new JsonObject { ["id"] = 1, ["type"] = "graph", ["title"] = "Free Memory", ["gridPos"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["w"] = 12, ["h"] = 9 },
                ["targets"] = new JsonArray(new JsonObject { ["refId"] = "A", ["expr"] = "vector(1)" }) },
            new JsonObject { ["id"] = 2, ["type"] = "text", ["title"] = "Notes", ["gridPos"] = new JsonObject { ["x"] = 12, ["y"] = 0, ["w"] = 12, ["h"] = 9 },
                ["options"] = new JsonObject { ["content"] = "**hello**", ["mode"] = "markdown" } }),
    };

    private async Task<string> MemberAsync(string tenant, string email, TenantRole role)
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        if (await tenants.FindAsync(tenant) is null) await tenants.CreateAsync(tenant, tenant, null);
        var id = await _t.AddUserAsync(email);
        await tenants.SetMemberAsync(tenant, id, role, "test");
        _t.SignIn(id, email);
        return id;
    }

    [Theory]
    [InlineData(TenantRole.Viewer, false)]
    [InlineData(TenantRole.Editor, true)]
    [InlineData(TenantRole.Owner, true)]
    public async Task OnlyEditorsSeeTheEditingControls(TenantRole role, bool canEdit)
    {
        await MemberAsync("team-a", "me@a.example", role);
        var service = _t.Services.GetRequiredService<DashboardService>();
        await service.SaveAsync("team-a", Model("Node", "node-a"), null, false, "test");

        var cut = _t.Ctx.Render<DashboardPage>(p => p.Add(c => c.Uid, "node-a"));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=panel-title]").Count));
        Assert.Equal("Node", cut.Find("[data-testid=dashboard-title]").TextContent);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=edit]").Count == 1);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=delete-dashboard]").Count == 1);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=save-copy]").Count == 1);
        Assert.Single(cut.FindAll("[data-testid=export]"));
        Assert.Contains("<strong>hello</strong>", cut.Find("[data-testid=panel-text]").InnerHtml);

        var list = _t.Ctx.Render<Components.Pages.Dashboards>();
        list.WaitForAssertion(() => Assert.Single(list.FindAll("[data-testid=dashboard-row]")));
        Assert.Equal(canEdit, list.FindAll("[data-testid=import]").Count == 1);
        Assert.Equal(canEdit, list.FindAll("[data-testid=new-dashboard]").Count == 1);
    }

    [Fact]
    public async Task ProvisionedDashboardsOfferOnlyACopy()
    {
        await MemberAsync("team-p", "owner@p.example", TenantRole.Owner);
        await _t.Services.GetRequiredService<DashboardService>().SaveAsync("team-p", Model("Provisioned", "prov"), null, true, "provisioning", provisionedFrom: "dashboards/prov.json");
        var cut = _t.Ctx.Render<DashboardPage>(p => p.Add(c => c.Uid, "prov"));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=provisioned]")));
        Assert.Empty(cut.FindAll("[data-testid=edit]"));
        Assert.Empty(cut.FindAll("[data-testid=delete-dashboard]"));
        Assert.Single(cut.FindAll("[data-testid=save-copy]"));
    }

    [Fact]
    public async Task AnotherTenantsUserSeesNeitherTheDashboardNorItsListing()
    {
        var service = _t.Services.GetRequiredService<DashboardService>();
        var tenants = _t.Services.GetRequiredService<TenantService>();
        await tenants.CreateAsync("team-x", "Team X", null);
        await service.SaveAsync("team-x", Model("Secret", "secret-x"), null, false, "test");
        await MemberAsync("team-y", "me@y.example", TenantRole.Owner);

        var cut = _t.Ctx.Render<DashboardPage>(p => p.Add(c => c.Uid, "secret-x"));
        cut.WaitForAssertion(() => Assert.Contains("Dashboard not found", cut.Markup));
        Assert.Empty(cut.FindAll("[data-testid=panel]"));
        Assert.DoesNotContain("Secret", cut.Markup.Replace("secret-x", "", StringComparison.Ordinal));

        var list = _t.Ctx.Render<Components.Pages.Dashboards>();
        list.WaitForAssertion(() => Assert.Contains("No dashboards yet", list.Markup));
        Assert.Empty(list.FindAll("[data-testid=dashboard-row]"));
    }
}
