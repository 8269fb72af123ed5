using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Data;
using Portal.Web.Components.Pages;
using Portal.Web.Components.Shared;
using Portal.Web.Hosting;

namespace Portal.Web.Tests.Pages;

/// <summary>Pages and shared components rendered with bunit against real metadata services.</summary>
public sealed class ComponentTests : IAsyncLifetime
{
    private readonly PageTestContext _t = new();

    public Task InitializeAsync() => _t.InitializeAsync();

    public Task DisposeAsync() => _t.DisposeAsync();

    [Fact]
    public void ErrorMarkerShowsLineColumnAndCaretsUnderTheError()
    {
        const string query = "up\n  + )";
        var cut = _t.Ctx.Render<PromQLErrorMarker>(p => p
            .Add(c => c.Query, query)
            .Add(c => c.Diagnostics, PromQLDiagnostics.Check(query)));
        Assert.StartsWith("2:5: ", cut.Find("[data-testid=promql-error]").TextContent);
        var marker = cut.Find("[data-testid=promql-marker]").TextContent;
        Assert.Equal("  + )\n    ^", marker);
    }

    [Fact]
    public void ErrorMarkerRendersNothingForAValidQuery()
    {
        var cut = _t.Ctx.Render<PromQLErrorMarker>(p => p.Add(c => c.Query, "up").Add(c => c.Diagnostics, PromQLDiagnostics.Check("up")));
        Assert.Empty(cut.FindAll("[data-testid=promql-errors]"));
    }

    [Fact]
    public async Task TokenDialogAsksForANameThenShowsTheSecretOnce()
    {
        TokenCreateDialog.Request? asked = null;
        var provider = _t.Ctx.Render<MudDialogProvider>();
        var dialogs = _t.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<TokenCreateDialog>
        {
            { d => d.Create, r => { asked = r; return Task.FromResult("pt_secret-value-123456"); } },
        };
        await provider.InvokeAsync(() => dialogs.ShowAsync<TokenCreateDialog>("New API token", parameters));

        provider.Find("[data-testid=token-create]").Click();
        provider.WaitForAssertion(() => Assert.Contains("Give the token a name", provider.Find("[data-testid=token-error]").TextContent));
        Assert.Null(asked);

        provider.Find("#token-name").Input("grafana");
        var write = provider.Find("[data-testid=scope-write]");
        (write.TagName == "INPUT" ? write : write.QuerySelector("input")!).Change(true);
        provider.Find("[data-testid=token-create]").Click();
        provider.WaitForAssertion(() => Assert.Equal("pt_secret-value-123456", provider.Find("[data-testid=token-secret]").TextContent));
        Assert.Equal("grafana", asked!.Name);
        Assert.Equal(TokenScopes.Read | TokenScopes.Write, asked.Scopes);
        Assert.Null(asked.ExpiresAt);
        Assert.Empty(provider.FindAll("#token-name"));
    }

    [Fact]
    public async Task TokenDialogShowsWhyCreationWasRefused()
    {
        var provider = _t.Ctx.Render<MudDialogProvider>();
        var dialogs = _t.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<TokenCreateDialog>
        {
            { d => d.Create, _ => throw new TenantAccessDeniedException("this needs the Admin role") },
        };
        await provider.InvokeAsync(() => dialogs.ShowAsync<TokenCreateDialog>("New API token", parameters));
        provider.Find("#token-name").Input("ci");
        provider.Find("[data-testid=token-create]").Click();
        provider.WaitForAssertion(() => Assert.Contains("Admin role", provider.Find("[data-testid=token-error]").TextContent));
        Assert.Empty(provider.FindAll("[data-testid=token-secret]"));
    }

    [Theory]
    [InlineData(TenantRole.Viewer, false)]
    [InlineData(TenantRole.Editor, false)]
    [InlineData(TenantRole.Admin, true)]
    [InlineData(TenantRole.Owner, true)]
    public async Task TokenAndMemberControlsAppearOnlyForAdmins(TenantRole role, bool canManage)
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var owner = await _t.AddUserAsync("owner@a.example");
        await tenants.CreateAsync("team-a", "Team A", owner);
        var me = await _t.AddUserAsync("me@a.example");
        if (role != TenantRole.Owner) await tenants.SetMemberAsync("team-a", me, role, "test");
        else await tenants.SetMemberAsync("team-a", me, TenantRole.Owner, "test");
        await _t.Services.GetRequiredService<ApiTokenService>().CreateAsync("team-a", "existing", TokenScopes.Read, null, owner);
        _t.SignIn(me, "me@a.example");

        var cut = _t.Ctx.Render<AccountPage>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=token-row]")));
        Assert.Equal(canManage, cut.FindAll("[data-testid=new-token]").Count == 1);
        Assert.Equal(canManage, cut.FindAll("[data-testid=revoke]").Count == 1);
        Assert.Equal(canManage, cut.FindAll("[data-testid=invite]").Count == 1);
        Assert.Equal(!canManage, cut.FindAll("[data-testid=tokens-read-only]").Count == 1);
        Assert.Equal(2, cut.FindAll("[data-testid=member-row]").Count);
    }

    [Fact]
    public async Task EveryChangeRechecksTheRoleInTheDatabase()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var owner = await _t.AddUserAsync("owner@b.example");
        await tenants.CreateAsync("team-b", "Team B", owner);
        var me = await _t.AddUserAsync("editor@b.example");
        await tenants.SetMemberAsync("team-b", me, TenantRole.Editor, "test");
        _t.SignIn(me, "editor@b.example");

        var current = _t.Services.GetRequiredService<CurrentTenant>();
        await current.EnsureLoadedAsync();
        Assert.Equal("team-b", current.TenantId);
        Assert.True(current.Can(TenantRole.Editor));
        Assert.Equal(TenantRole.Editor, await current.RequireAsync(TenantRole.Editor));

        await tenants.SetMemberAsync("team-b", me, TenantRole.Viewer, owner);
        var denied = await Assert.ThrowsAsync<TenantAccessDeniedException>(() => current.RequireAsync(TenantRole.Editor));
        Assert.Contains("Viewer", denied.Message);
        Assert.False(current.Can(TenantRole.Editor));
    }

    [Fact]
    public async Task SwitchingTenantsIsRememberedAndLimitedToMemberships()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var me = await _t.AddUserAsync("multi@c.example");
        await tenants.CreateAsync("alpha", "Alpha", me);
        await tenants.CreateAsync("beta", "Beta", null);
        await tenants.SetMemberAsync("beta", me, TenantRole.Viewer, "test");
        await tenants.CreateAsync("gamma", "Gamma", null);
        _t.SignIn(me, "multi@c.example");

        var current = _t.Services.GetRequiredService<CurrentTenant>();
        await current.EnsureLoadedAsync();
        Assert.Equal(2, current.Memberships.Count);
        await current.SwitchAsync("beta");
        Assert.Equal(TenantRole.Viewer, current.Role);
        await Assert.ThrowsAsync<TenantAccessDeniedException>(() => current.SwitchAsync("gamma"));

        var fresh = new CurrentTenant(_t.Services.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>(),
            tenants, _t.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>());
        await fresh.LoadAsync();
        Assert.Equal("beta", fresh.TenantId);
    }
}
