using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Alerting;
using Portal.Config;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Components.Pages;
using Portal.Web.Hosting;
using RulesPage = Portal.Web.Components.Pages.Rules;

namespace Portal.Web.Tests.Pages;

/// <summary>The real portal (in-process host) whose services the alerting pages are rendered against, one bunit context per signed-in user.</summary>
public sealed class AlertingAppFixture : IAsyncLifetime
{
    public PortalFactory App { get; } = new();

    public const string RuleFile = """
        groups:
          - name: always
            interval: 1s
            rules:
              - alert: AlwaysFiring
                expr: vector(1) > 0
                for: 0s
                labels:
                  severity: page
                annotations:
                  summary: "it always fires"
        """;

    public Task InitializeAsync()
    {
        _ = App.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Adds a user row and returns its id.</summary>
    public async Task<string> AddUserAsync(string email)
    {
        var user = new PortalUser { Id = Guid.NewGuid().ToString("N"), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant() };
        await using var db = await Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>
    /// Creates tenant <paramref name="tenant"/> with an owner, an editor and a viewer (emails <c>&lt;role&gt;@&lt;tenant&gt;.example</c>);
    /// with <paramref name="withRule"/>, applies the always-firing rule file and evaluates it once.
    /// </summary>
    public async Task<Dictionary<TenantRole, string>> TenantAsync(string tenant, bool withRule, string? ruleFile = null)
    {
        var tenants = Get<TenantService>();
        var users = new Dictionary<TenantRole, string>();
        users[TenantRole.Owner] = await AddUserAsync($"owner@{tenant}.example");
        await tenants.CreateAsync(tenant, tenant, users[TenantRole.Owner]);
        foreach (var role in new[] { TenantRole.Editor, TenantRole.Viewer })
        {
            users[role] = await AddUserAsync($"{role.ToString().ToLowerInvariant()}@{tenant}.example");
            await tenants.SetMemberAsync(tenant, users[role], role, "test");
        }
        if (withRule)
        {
            var result = await Get<TenantConfigService>().ApplyAsync(tenant, ConfigKind.Rules, "alerts.yml", ruleFile ?? RuleFile, "setup@example.com");
            Assert.True(result.Applied, string.Join("; ", result.Errors));
            foreach (var g in Get<TenantEngineRegistry>().Get(tenant).Rules.Groups) g.Evaluate(DateTimeOffset.UtcNow);
        }
        return users;
    }

    /// <summary>A bunit context signed in as <paramref name="email"/>, using the portal's own services. Dispose it asynchronously.</summary>
    public BunitContext View(string userId, string email)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddSingleton(Get<TimeProvider>());
        ctx.Services.AddSingleton(Get<IDbContextFactory<PortalDbContext>>());
        ctx.Services.AddSingleton(Get<TenantService>());
        ctx.Services.AddSingleton(Get<ConfigRevisionStore>());
        ctx.Services.AddSingleton(Get<TenantEngineRegistry>());
        ctx.Services.AddSingleton(Get<TenantConfigService>());
        ctx.Services.AddScoped<CurrentTenant>();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        ctx.Render<MudPopoverProvider>();
        return ctx;
    }
}

/// <summary>/alerts, /rules and /silences against the real portal: what each role sees and can change, and that tenants never see each other's data.</summary>
public sealed class AlertingPagesTests(AlertingAppFixture f) : IClassFixture<AlertingAppFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string Email(string tenant, TenantRole role) => $"{role.ToString().ToLowerInvariant()}@{tenant}.example";

    [Fact]
    public async Task AlertsPageShowsFiringAlertsAndEditorsSilenceThem()
    {
        var a = await f.TenantAsync("alerts-a", withRule: true);
        var b = await f.TenantAsync("alerts-b", withRule: false);

        await using (var editor = f.View(a[TenantRole.Editor], Email("alerts-a", TenantRole.Editor)))
        {
            var dialogs = editor.Render<MudDialogProvider>();
            var page = editor.Render<Alerts>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=alert-row]")), Wait);
            var row = page.Find("[data-testid=alert-row]");
            Assert.Equal("AlwaysFiring", row.GetAttribute("data-alertname"));
            Assert.Equal("firing", row.QuerySelector("[data-testid=alert-state]")!.TextContent);
            Assert.Contains("severity=page", row.QuerySelectorAll("[data-testid=alert-label]").Select(e => e.TextContent));
            Assert.Equal("it always fires", row.QuerySelector("[data-testid=alert-annotation]")!.TextContent);
            Assert.Equal("1", row.QuerySelector("[data-testid=alert-value]")!.TextContent);
            Assert.EndsWith("ago", row.QuerySelector("[data-testid=alert-active-since]")!.TextContent.Trim());
            Assert.Empty(page.FindAll("[data-testid=alert-silenced]"));

            page.Find("[data-testid=silence-from-alert]").Click();
            dialogs.WaitForAssertion(() => Assert.Equal("1", dialogs.Find("[data-testid=silence-preview-count]").TextContent), Wait);
            dialogs.Find("#silence-comment").Input("planned maintenance");
            dialogs.Find("[data-testid=silence-submit]").Click();
            dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=silence-editor]")), Wait);

            var silence = Assert.Single(f.Get<TenantEngineRegistry>().Get("alerts-a").Alerting.Alertmanager.Silences.List());
            Assert.Equal(Email("alerts-a", TenantRole.Editor), silence.CreatedBy);
            Assert.Equal("planned maintenance", silence.Comment);
            Assert.Contains(silence.Matchers, m => m.Name == "alertname" && m.Value == "AlwaysFiring");
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=alert-silenced]")), Wait);
        }

        await using (var viewer = f.View(a[TenantRole.Viewer], Email("alerts-a", TenantRole.Viewer)))
        {
            var nav = viewer.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
            nav.NavigateTo("/alerts?groupBy=severity");
            var page = viewer.Render<Alerts>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=alert-row]")), Wait);
            Assert.Equal("severity=page", page.Find("[data-testid=alert-group-title]").TextContent);
            Assert.Single(page.FindAll("[data-testid=alert-silenced]"));
            Assert.Single(page.FindAll("[data-testid=read-only]"));
            Assert.Empty(page.FindAll("[data-testid=silence-from-alert]"));

            var toggle = page.Find("[data-testid=show-silenced]");
            (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input")!).Change(false);
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=alert-row]")), Wait);
            Assert.Single(page.FindAll("[data-testid=filter-empty]"));
        }

        await using (var other = f.View(b[TenantRole.Owner], Email("alerts-b", TenantRole.Owner)))
        {
            var page = other.Render<Alerts>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=empty-state]")), Wait);
            Assert.Empty(page.FindAll("[data-testid=alert-row]"));
            Assert.DoesNotContain("AlwaysFiring", page.Markup);
            Assert.Contains("alert: InstanceDown", page.Find("[data-testid=alert-rule-example]").TextContent);
        }
    }

    [Fact]
    public async Task RulesPageShowsGroupHealthAndValidatesEditsLive()
    {
        var a = await f.TenantAsync("rules-a", withRule: true);
        var b = await f.TenantAsync("rules-b", withRule: false);

        await using (var editor = f.View(a[TenantRole.Editor], Email("rules-a", TenantRole.Editor)))
        {
            var page = editor.Render<RulesPage>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rule-group]")), Wait);
            Assert.Equal("always", page.Find("[data-testid=rule-group-name]").TextContent);
            Assert.Contains("1s", page.Find("[data-testid=rule-group-interval]").TextContent);
            Assert.DoesNotContain("never", page.Find("[data-testid=rule-group-last-eval]").TextContent);
            Assert.Equal("ok", page.Find("[data-testid=rule-health]").TextContent);
            Assert.StartsWith("firing", page.Find("[data-testid=rule-state]").TextContent);
            Assert.Contains("AlwaysFiring", page.Find("[data-testid=rules-editor]").GetAttribute("value"));
            Assert.Single(page.FindAll("[data-testid=rules-running-revision]"));

            // A PromQL error in an expression is reported at its line:column in the file, and Apply is disabled.
            page.Find("[data-testid=rules-editor]").Input(AlertingAppFixture.RuleFile.Replace("vector(1) > 0", "vector(1) >"));
            page.WaitForAssertion(() => Assert.StartsWith("6:", page.Find("[data-testid=rules-error]").TextContent), Wait);
            Assert.True(page.Find("[data-testid=rules-apply]").HasAttribute("disabled"));

            // A valid change applies as a new revision and the group status follows.
            page.Find("[data-testid=rules-editor]").Input(AlertingAppFixture.RuleFile.Replace("name: always", "name: renamed"));
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rules-valid]")), Wait);
            page.Find("[data-testid=rules-apply]").Click();
            page.WaitForAssertion(() => Assert.Equal("renamed", page.Find("[data-testid=rule-group-name]").TextContent), Wait);
            Assert.Equal(2, page.FindAll("[data-testid=rules-revision]").Count);

            // Rolling back re-applies the first revision as a third one.
            page.Find("[data-testid=rules-rollback]").Click();
            page.WaitForAssertion(() => Assert.Equal("always", page.Find("[data-testid=rule-group-name]").TextContent), Wait);
            Assert.Equal(3, page.FindAll("[data-testid=rules-revision]").Count);
            Assert.Equal("always", Assert.Single(f.Get<TenantEngineRegistry>().Get("rules-a").Rules.Groups).Name);
        }

        await using (var viewer = f.View(a[TenantRole.Viewer], Email("rules-a", TenantRole.Viewer)))
        {
            var page = viewer.Render<RulesPage>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rule-group]")), Wait);
            Assert.Single(page.FindAll("[data-testid=read-only]"));
            Assert.True(page.Find("[data-testid=rules-editor]").HasAttribute("readonly"));
            Assert.Empty(page.FindAll("[data-testid=rules-apply]"));
            Assert.Empty(page.FindAll("[data-testid=add-rule-file]"));
            Assert.Empty(page.FindAll("[data-testid=rules-rollback]"));
        }

        await using (var other = f.View(b[TenantRole.Owner], Email("rules-b", TenantRole.Owner)))
        {
            var page = other.Render<RulesPage>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=rules-empty]")), Wait);
            Assert.Empty(page.FindAll("[data-testid=rule-group]"));
            Assert.DoesNotContain("AlwaysFiring", page.Markup);
            Assert.Empty(page.FindAll("[data-testid=rule-file]"));
            Assert.Empty(page.FindAll("[data-testid=rules-editor]"));
        }
    }

    [Fact]
    public async Task RulesPageShowsAFailingRulesHealthAndLastError()
    {
        const string broken = """
            groups:
              - name: broken
                rules:
                  - alert: Clash
                    expr: label_replace(vector(1), "a", "1", "", "") or label_replace(vector(1), "a", "2", "", "")
                    labels:
                      a: same
            """;
        var a = await f.TenantAsync("rules-err", withRule: true, ruleFile: broken);
        await using var viewer = f.View(a[TenantRole.Viewer], Email("rules-err", TenantRole.Viewer));
        var page = viewer.Render<RulesPage>();
        page.WaitForAssertion(() => Assert.Equal("err", page.Find("[data-testid=rule-health]").TextContent), Wait);
        Assert.Contains("same labelset", page.Find("[data-testid=rule-error]").TextContent);
    }

    [Fact]
    public async Task SilencesPageListsByStateAndEditorsExpire()
    {
        var a = await f.TenantAsync("silences-a", withRule: true);
        var b = await f.TenantAsync("silences-b", withRule: false);
        var am = f.Get<TenantEngineRegistry>().Get("silences-a").Alerting.Alertmanager;
        var now = DateTimeOffset.UtcNow;
        var active = am.Silences.Set(new Silence
        {
            Matchers = [Matcher.Equal("alertname", "AlwaysFiring")], StartsAt = now, EndsAt = now.AddHours(1), CreatedBy = "carol@example.com", Comment = "upgrade window",
        });
        am.Silences.Set(new Silence
        {
            Matchers = [Matcher.Equal("alertname", "Later")], StartsAt = now.AddHours(2), EndsAt = now.AddHours(3), CreatedBy = "dave@example.com", Comment = "tomorrow",
        });

        await using (var editor = f.View(a[TenantRole.Editor], Email("silences-a", TenantRole.Editor)))
        {
            var dialogs = editor.Render<MudDialogProvider>();
            var page = editor.Render<Silences>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=silence-row][data-state=active]")), Wait);
            var row = page.Find("[data-testid=silence-row][data-state=active]");
            Assert.Equal(active, row.GetAttribute("data-silence-id"));
            Assert.Equal("carol@example.com", row.QuerySelector("[data-testid=silence-creator]")!.TextContent);
            Assert.Equal("upgrade window", row.QuerySelector("[data-testid=silence-comment]")!.TextContent);
            Assert.Equal("alertname=\"AlwaysFiring\"", row.QuerySelector("[data-testid=silence-matcher-chip]")!.TextContent);
            Assert.Equal("1", row.QuerySelector("[data-testid=silence-muted]")!.TextContent);
            Assert.Single(page.FindAll("[data-testid=new-silence]"));

            // Editing only the comment keeps the silence (same id), as Alertmanager updates it in place.
            row.QuerySelector("[data-testid=silence-edit]")!.Click();
            dialogs.WaitForAssertion(() => Assert.Equal("upgrade window", dialogs.Find("#silence-comment").TextContent), Wait);
            dialogs.Find("#silence-comment").Input("upgrade window, extended");
            dialogs.Find("[data-testid=silence-submit]").Click();
            dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=silence-editor]")), Wait);
            Assert.Equal("upgrade window, extended", am.Silences.Get(active)!.Comment);
            Assert.Equal(2, am.Silences.List().Count);
            page.WaitForAssertion(() => Assert.Equal("upgrade window, extended",
                page.Find("[data-testid=silence-row][data-state=active] [data-testid=silence-comment]").TextContent), Wait);
            row = page.Find("[data-testid=silence-row][data-state=active]");

            row.QuerySelector("[data-testid=silence-expire]")!.Click();
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=silence-row][data-state=active]")), Wait);
            Assert.Equal(active, page.Find("[data-testid=silence-row][data-state=expired]").GetAttribute("data-silence-id"));
            Assert.Single(page.FindAll("[data-testid=silence-row][data-state=pending]"));
            Assert.Single(page.FindAll("[data-testid=silence-recreate]"));
            Assert.Equal(SilenceState.Expired, am.Silences.Get(active)!.StateAt(am.Now));
        }

        await using (var viewer = f.View(a[TenantRole.Viewer], Email("silences-a", TenantRole.Viewer)))
        {
            var page = viewer.Render<Silences>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=silence-row][data-state=pending]")), Wait);
            Assert.Equal("dave@example.com", page.Find("[data-testid=silence-row][data-state=pending] [data-testid=silence-creator]").TextContent);
            Assert.Single(page.FindAll("[data-testid=read-only]"));
            Assert.Empty(page.FindAll("[data-testid=new-silence]"));
            Assert.Empty(page.FindAll("[data-testid=silence-expire]"));
            Assert.Empty(page.FindAll("[data-testid=silence-edit]"));
            Assert.Empty(page.FindAll("[data-testid=silence-recreate]"));
        }

        await using (var other = f.View(b[TenantRole.Owner], Email("silences-b", TenantRole.Owner)))
        {
            var page = other.Render<Silences>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=empty-state]")), Wait);
            Assert.Empty(page.FindAll("[data-testid=silence-row]"));
            Assert.DoesNotContain("carol@example.com", page.Markup);
        }
    }
}
