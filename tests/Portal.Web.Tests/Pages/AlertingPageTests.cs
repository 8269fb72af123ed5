using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Alerting;
using Portal.Web.Components.Alerting;
using Portal.Web.Components.Pages;

namespace Portal.Web.Tests.Pages;

/// <summary>The team and receiver editors and the Teams and Alert history pages, rendered with bunit.</summary>
public sealed class AlertingPageTests : IAsyncLifetime
{
    private readonly PageTestContext _t = new(alerting: true);

    public Task InitializeAsync() => _t.InitializeAsync();

    public Task DisposeAsync() => _t.DisposeAsync();

    [Fact]
    public void ReceiverEditorChecksFieldsBeforeSavingAndSavesAlertmanagerSettings()
    {
        ReceiverForm? saved = null;
        var form = new ReceiverForm();
        var cut = _t.Ctx.Render<ReceiverEditor>(p => p
            .Add(c => c.Form, form)
            .Add(c => c.Save, f => { saved = f; return Task.FromResult<IReadOnlyList<string>>([]); }));

        cut.Find("[data-testid=receiver-save]").Click();
        var errors = cut.Find("[data-testid=receiver-errors]").TextContent;
        Assert.Contains("Name:", errors);
        Assert.Contains("URL: give an http:// or https:// URL", errors);
        Assert.Null(saved);

        cut.Find("#receiver-name").Input("oncall-hook");
        cut.Find("#receiver-url").Input("https://hooks.example.com/am");
        cut.Find("[data-testid=receiver-save]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(saved));
        Assert.Empty(cut.FindAll("[data-testid=receiver-errors]"));
        Assert.Equal("oncall-hook", saved!.Name);
        Assert.Equal("""{"send_resolved":true,"url":"https://hooks.example.com/am"}""", saved.ToJson());
        Assert.Empty(cut.FindAll("[data-testid=receiver-test]"));
    }

    [Fact]
    public void ReceiverEditorShowsWhyTheServerRefusedAndTheTestResult()
    {
        var form = ReceiverForm.Of(new TeamReceiver { Id = 7, TenantId = "t", Name = "mail", Kind = ReceiverKind.Email,
            SettingsJson = """{"to":"a@example.com","smarthost":"127.0.0.1:25","require_tls":false,"headers":{"subject":"{{ .Status }}"},"html":"<b>x</b>"}""" });
        Assert.Equal("{{ .Status }}", form.Title);
        Assert.False(form.RequireTls);
        var cut = _t.Ctx.Render<ReceiverEditor>(p => p
            .Add(c => c.Form, form)
            .Add(c => c.IdPrefix, "r7")
            .Add(c => c.Save, _ => Task.FromResult<IReadOnlyList<string>>(["alertmanager.yml (generated):1:1: bad smarthost"]))
            .Add(c => c.Test, _ => Task.FromResult<IReadOnlyList<TestNotificationResult>>([new("email", false, "dial tcp 127.0.0.1:25: connection refused")])));

        cut.Find("#r7-title").Input("[{{ .Status }}] pay");
        cut.Find("[data-testid=receiver-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("bad smarthost", cut.Find("[data-testid=receiver-errors]").TextContent));
        var json = form.ToJson();
        Assert.Contains("\"Subject\":\"[{{ .Status }}] pay\"", json);
        Assert.DoesNotContain("\"subject\"", json);
        Assert.Contains("\"html\":\"\\u003Cb\\u003Ex\\u003C/b\\u003E\"", json);

        cut.Find("[data-testid=receiver-test]").Click();
        cut.WaitForAssertion(() => Assert.Contains("connection refused", cut.Find("[data-testid=test-result]").TextContent));
        Assert.Contains("try again", cut.Find("[data-testid=test-result]").TextContent);
    }

    [Fact]
    public void ReadOnlyEditorsOfferNoChanges()
    {
        var form = ReceiverForm.Of(new TeamReceiver { Id = 3, TenantId = "t", Name = "hook", Kind = ReceiverKind.Webhook, SettingsJson = """{"url":"http://x.example/"}""" });
        var receiver = _t.Ctx.Render<ReceiverEditor>(p => p.Add(c => c.Form, form).Add(c => c.ReadOnly, true)
            .Add(c => c.Save, _ => Task.FromResult<IReadOnlyList<string>>([]))
            .Add(c => c.Test, _ => Task.FromResult<IReadOnlyList<TestNotificationResult>>([])));
        Assert.Empty(receiver.FindAll("[data-testid=receiver-save]"));
        Assert.Empty(receiver.FindAll("[data-testid=receiver-test]"));
        Assert.Empty(receiver.FindAll("[data-testid=receiver-delete]"));
        Assert.True(receiver.Find("#receiver-url").HasAttribute("readonly"));
        Assert.Equal("http://x.example", receiver.Find("#receiver-url").GetAttribute("value"));

        var route = _t.Ctx.Render<TeamRouteEditor>(p => p.Add(c => c.TeamName, "payments").Add(c => c.ReadOnly, true)
            .Add(c => c.Route, new TeamRoute { TenantId = "t", GroupWait = "10s" }));
        Assert.Empty(route.FindAll("[data-testid=route-save]"));
        Assert.Equal("10s", route.Find("#route-group-wait").GetAttribute("value"));
    }

    [Fact]
    public void RouteEditorDefaultsToTheTeamLabelAndShowsRefusals()
    {
        TeamRoute? saved = null;
        var cut = _t.Ctx.Render<TeamRouteEditor>(p => p
            .Add(c => c.TeamName, "payments")
            .Add(c => c.Save, r =>
            {
                saved = r;
                return Task.FromResult<IReadOnlyList<string>>(r.GroupWait == "soon" ? ["group_wait: \"soon\" is not a duration"] : []);
            }));
        Assert.Equal("team=\"payments\"", cut.Find("#route-matchers").GetAttribute("placeholder"));
        cut.Find("#route-group-wait").Input("soon");
        cut.Find("[data-testid=route-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("not a duration", cut.Find("[data-testid=route-errors]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=route-saved]"));

        cut.Find("#route-group-wait").Input("30s");
        cut.Find("#route-matchers").Input("severity=\"page\"");
        cut.Find("#route-group-by").Input("alertname, instance");
        cut.Find("[data-testid=route-save]").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=route-saved]")));
        Assert.Equal("severity=\"page\"", saved!.Matchers);
        Assert.Equal("alertname, instance", saved.GroupBy);
        Assert.Equal("30s", saved.GroupWait);
    }

    [Theory]
    [InlineData(TenantRole.Viewer, false)]
    [InlineData(TenantRole.Editor, true)]
    public async Task TeamsPageLetsEditorsChangeAndViewersRead(TenantRole role, bool canEdit)
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var owner = await _t.AddUserAsync("owner@teams.example");
        await tenants.CreateAsync("teams-a", "Teams A", owner);
        var me = await _t.AddUserAsync("me@teams.example");
        await tenants.SetMemberAsync("teams-a", me, role, "test");
        var svc = _t.Services.GetRequiredService<TeamAlertingService>();
        var team = await svc.CreateTeamAsync("teams-a", "payments", owner);
        var r = await svc.SaveReceiverAsync("teams-a", team.Id, 0, "hook", ReceiverKind.Webhook, """{"url":"http://127.0.0.1:9/"}""", owner);
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        // Another tenant's team must not show up.
        await tenants.CreateAsync("teams-b", "Teams B", owner);
        await svc.CreateTeamAsync("teams-b", "secret-team", owner);
        _t.SignIn(me, "me@teams.example");

        var cut = _t.Ctx.Render<Teams>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=team]")));
        Assert.Equal("payments", cut.Find("[data-testid=team-name]").TextContent);
        Assert.DoesNotContain("secret-team", cut.Markup);
        Assert.Contains("payments/hook", cut.Find("[data-testid=generated-yaml]").TextContent);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=team-create]").Count == 1);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=receiver-save]").Count > 0);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=receiver-test]").Count == 1);
        Assert.Equal(canEdit, cut.FindAll("[data-testid=route-save]").Count == 1);
        Assert.Equal(!canEdit, cut.FindAll("[data-testid=read-only]").Count == 1);
    }

    [Fact]
    public async Task TeamsPageCreatesATeamAndExplainsTheEmptyState()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var me = await _t.AddUserAsync("ed@teams.example");
        await tenants.CreateAsync("teams-c", "Teams C", me);
        _t.SignIn(me, "ed@teams.example");

        var cut = _t.Ctx.Render<Teams>();
        cut.WaitForAssertion(() => Assert.Contains("No teams yet", cut.Find("[data-testid=empty-state]").TextContent));
        cut.Find("#new-team").Input("search");
        cut.Find("[data-testid=team-create]").Click();
        cut.WaitForAssertion(() => Assert.Equal("search", cut.Find("[data-testid=team-name]").TextContent));
        Assert.Contains("no receivers yet", cut.Find("[data-testid=team-no-receivers]").TextContent);

        var dialogs = _t.Ctx.Render<MudBlazor.MudDialogProvider>();
        cut.Find("[data-testid=team-delete]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete team?", dialogs.Markup));
        dialogs.FindAll("button").First(b => b.TextContent.Trim() == "Delete").Click();
        cut.WaitForAssertion(() => Assert.Contains("No teams yet", cut.Find("[data-testid=empty-state]").TextContent));
    }

    [Fact]
    public async Task AlertHistoryPageShowsOnlyTheTenantsHistoryToAViewer()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var owner = await _t.AddUserAsync("owner@hist.example");
        await tenants.CreateAsync("hist-a", "Hist A", owner);
        await tenants.CreateAsync("hist-b", "Hist B", owner);
        var me = await _t.AddUserAsync("viewer@hist.example");
        await tenants.SetMemberAsync("hist-a", me, TenantRole.Viewer, "test");
        var now = DateTimeOffset.UtcNow;
        AlertStateChange Row(string tenant, string name, string state) => new()
        {
            TenantId = tenant, Fingerprint = tenant == "hist-a" ? "00000000000000aa" : "00000000000000bb", AlertName = name, State = state,
            LabelsJson = $$"""{"alertname":"{{name}}"}""", AnnotationsJson = """{"summary":"it broke"}""", Value = 1, At = now,
        };
        await _t.Services.GetRequiredService<AlertHistoryStore>().AddAsync([Row("hist-a", "Mine", "firing"), Row("hist-b", "Theirs", "firing")], []);
        _t.SignIn(me, "viewer@hist.example");

        var cut = _t.Ctx.Render<AlertHistory>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=history-change]")));
        Assert.Contains("Mine", cut.Find("[data-testid=history-change]").TextContent);
        Assert.DoesNotContain("Theirs", cut.Markup);
        cut.Find("[data-testid=history-change]").Click();
        cut.WaitForAssertion(() => Assert.Contains("firing", cut.Find("[data-testid=timeline-item]").TextContent));

        cut.Find("#history-matcher").Input("{alertname=");
        cut.Find("[data-testid=history-search]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Not a valid matcher", cut.Markup));
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T0/B0/XyZ", "https://hooks.slack.com/<secret>")]
    [InlineData("http://127.0.0.1:9093/hook?token=abc", "http://127.0.0.1:9093/<secret>")]
    [InlineData("not a url", "<secret>")]
    [InlineData("", "")]
    public void ViewersSeeReceiverUrlsWithoutTheirSecretPart(string url, string shown) =>
        Assert.Equal(shown, ReceiverEditor.MaskUrl(url));

    [Fact]
    public async Task TeamMembersComeFromTheTenantAndOnlyEditorsChangeThem()
    {
        var tenants = _t.Services.GetRequiredService<TenantService>();
        var owner = await _t.AddUserAsync("owner@members.example");
        await tenants.CreateAsync("members-a", "Members A", owner);
        var bob = await _t.AddUserAsync("bob@members.example");
        await tenants.SetMemberAsync("members-a", bob, TenantRole.Viewer, "test");
        var outsider = await _t.AddUserAsync("outsider@members.example");
        await tenants.CreateAsync("members-b", "Members B", outsider);
        var team = await _t.Services.GetRequiredService<TeamService>().CreateAsync("members-a", "sre", owner);
        _t.SignIn(owner, "owner@members.example");

        var cut = _t.Ctx.Render<Portal.Web.Components.Shared.TeamMembersEditor>(p => p.Add(c => c.Team, team));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=team-no-members]")));
        var select = cut.FindComponent<MudBlazor.MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(bob));
        cut.Find("[data-testid=team-member-add]").Click();
        cut.WaitForAssertion(() => Assert.Equal("bob@members.example", cut.Find("[data-testid=team-member]").TextContent.Trim()));
        Assert.DoesNotContain("outsider@members.example", cut.Markup);
        var stored = Assert.Single(await _t.Services.GetRequiredService<TeamService>().ListAsync("members-a"));
        Assert.Equal(bob, Assert.Single(stored.Members).UserId);

        _t.SignIn(bob, "bob@members.example");
        var viewer = _t.Ctx.Render<Portal.Web.Components.Shared.TeamMembersEditor>(p => p.Add(c => c.Team, team).Add(c => c.ReadOnly, true));
        viewer.WaitForAssertion(() => Assert.Single(viewer.FindAll("[data-testid=team-member]")));
        Assert.Empty(viewer.FindAll("[data-testid=team-member-add]"));
        Assert.Empty(viewer.FindAll(".mud-chip-close-button"));
    }
}
