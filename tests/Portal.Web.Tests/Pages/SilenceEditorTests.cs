using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Alerting;
using Portal.Model;
using Portal.Web.Components.Shared;
using MatchType = Portal.Model.MatchType;

namespace Portal.Web.Tests.Pages;

/// <summary>The silence editor: matchers pre-filled from an alert, validation with where and why, and the preview of muted alerts.</summary>
public sealed class SilenceEditorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly PageTestContext _t = new();

    public Task InitializeAsync() => _t.InitializeAsync();

    public Task DisposeAsync() => _t.DisposeAsync();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly Labels RuleAlert = Labels.FromStrings("alertname", "HighLatency", "instance", "a:1", "severity", "page");

    /// <summary>What the tenant's Alertmanager holds: the rule alert (with an external label), a sibling on another instance, another alert.</summary>
    private static readonly IReadOnlyList<Labels> AmAlerts =
    [
        Labels.FromStrings("alertname", "HighLatency", "cluster", "eu", "instance", "a:1", "severity", "page"),
        Labels.FromStrings("alertname", "HighLatency", "instance", "b:1", "severity", "page"),
        Labels.FromStrings("alertname", "DiskFull", "instance", "a:1", "severity", "page"),
    ];

    private async Task<(IRenderedComponent<MudDialogProvider> Provider, List<Silence> Saved, IDialogReference Dialog)> OpenAsync(Labels? from)
    {
        _t.Ctx.Render<MudPopoverProvider>();
        var provider = _t.Ctx.Render<MudDialogProvider>();
        var dialogs = _t.Services.GetRequiredService<IDialogService>();
        var saved = new List<Silence>();
        var parameters = new DialogParameters<SilenceEditor>
        {
            { d => d.FromLabels, from },
            { d => d.Creator, "alice@example.com" },
            { d => d.ActiveAlerts, () => AmAlerts },
            { d => d.Save, s => { saved.Add(s); return Task.FromResult("silence-1"); } },
            { d => d.Clock, new FixedClock(Now) },
        };
        IDialogReference dialog = null!;
        await provider.InvokeAsync(async () => dialog = await dialogs.ShowAsync<SilenceEditor>("New silence", parameters));
        return (provider, saved, dialog);
    }

    private static string InputValue(IRenderedComponent<MudDialogProvider> p, string id) => p.Find("#" + id).GetAttribute("value") ?? "";

    [Fact]
    public async Task MatchersArePrefilledFromTheAlertAndThePreviewFollowsEdits()
    {
        var (p, _, _) = await OpenAsync(RuleAlert);
        Assert.Equal(3, p.FindAll("[data-testid=silence-matcher]").Count);
        Assert.Equal("alertname", InputValue(p, "matcher-name-0"));
        Assert.Equal("HighLatency", InputValue(p, "matcher-value-0"));
        Assert.Equal("instance", InputValue(p, "matcher-name-1"));
        Assert.Equal("a:1", InputValue(p, "matcher-value-1"));
        Assert.Equal("2026-03-01 12:00:00", InputValue(p, "silence-starts"));
        Assert.Equal("2026-03-01 14:00:00", InputValue(p, "silence-ends"));
        Assert.Equal("alice@example.com", InputValue(p, "silence-creator"));

        // Only the alert itself: its external label is not among the matchers, so it still matches.
        Assert.Equal("1", p.Find("[data-testid=silence-preview-count]").TextContent);
        Assert.Contains("cluster=\"eu\"", p.Find("[data-testid=silence-preview-alert]").TextContent);

        // Dropping the instance matcher widens the silence to both HighLatency alerts.
        p.FindAll("[data-testid=matcher-remove]")[1].Click();
        p.WaitForAssertion(() => Assert.Equal("2", p.Find("[data-testid=silence-preview-count]").TextContent));

        // A value no alert has: nothing would be muted.
        p.Find("#matcher-value-0").Input("Nothing");
        p.WaitForAssertion(() => Assert.Equal("0", p.Find("[data-testid=silence-preview-count]").TextContent));

        // A regex over alert names: all three.
        await p.InvokeAsync(() => p.FindComponents<MudSelect<string>>()[0].Instance.ValueChanged.InvokeAsync("=~"));
        p.Find("#matcher-value-0").Input("HighLatency|DiskFull");
        p.WaitForAssertion(() => Assert.Equal("3", p.Find("[data-testid=silence-preview-count]").TextContent));
    }

    [Fact]
    public async Task ABadRegexIsRefusedWithTheMatcherNamed()
    {
        var (p, saved, _) = await OpenAsync(RuleAlert);
        await p.InvokeAsync(() => p.FindComponents<MudSelect<string>>()[2].Instance.ValueChanged.InvokeAsync("=~"));
        p.Find("#matcher-value-2").Input("(page");
        p.Find("#silence-comment").Input("maintenance");
        p.Find("[data-testid=silence-submit]").Click();
        p.WaitForAssertion(() => Assert.Contains("Matcher 3 (severity=~\"(page\"): the regular expression does not compile",
            p.Find("[data-testid=silence-errors]").TextContent));
        Assert.Empty(saved);
        // The preview ignores the matcher that does not parse rather than failing.
        Assert.Equal("1", p.Find("[data-testid=silence-preview-count]").TextContent);
    }

    [Fact]
    public async Task AnEndBeforeTheStartAndAMissingCommentAreRefused()
    {
        var (p, saved, _) = await OpenAsync(RuleAlert);
        p.Find("#silence-ends").Change("2026-03-01 11:00:00");
        p.Find("[data-testid=silence-submit]").Click();
        p.WaitForAssertion(() =>
        {
            var errors = p.FindAll("[data-testid=silence-error]").Select(e => e.TextContent).ToList();
            Assert.Contains(errors, e => e.Contains("Ends (2026-03-01 11:00:00) is not after starts (2026-03-01 12:00:00)"));
            Assert.Contains(errors, e => e.StartsWith("Comment:"));
        });
        Assert.Empty(saved);

        p.Find("#silence-duration").Change("90m");
        p.WaitForAssertion(() => Assert.Equal("2026-03-01 13:30:00", InputValue(p, "silence-ends")));
        p.Find("#silence-comment").Input("deploying the new version");
        p.Find("[data-testid=silence-submit]").Click();
        p.WaitForAssertion(() => Assert.Single(saved));
        var s = saved[0];
        Assert.Equal("alice@example.com", s.CreatedBy);
        Assert.Equal("deploying the new version", s.Comment);
        Assert.Equal(Now, s.StartsAt);
        Assert.Equal(Now.AddMinutes(90), s.EndsAt);
        Assert.Equal(["alertname", "instance", "severity"], s.Matchers.Select(m => m.Name));
        Assert.All(s.Matchers, m => Assert.Equal(MatchType.Equal, m.Type));
        p.WaitForAssertion(() => Assert.Empty(p.FindAll("[data-testid=silence-editor]")));
    }

    [Fact]
    public void AnEditedSilenceKeepsItsIdAndExactStartAndARecreatedOneStartsNow()
    {
        var started = Now.AddMinutes(-30).AddMilliseconds(123);
        var existing = new Silence
        {
            Id = "s-1", Matchers = [new Matcher(MatchType.Regex, "job", "api|web"), Matcher.Equal("env", "prod")],
            StartsAt = started, EndsAt = started.AddHours(1), CreatedBy = "carol", Comment = "upgrade",
        };
        var edit = SilenceDraft.From(existing, Now, keepId: true);
        Assert.Equal(["job=~\"api|web\"", "env=\"prod\""], edit.Matchers.Select(m => m.ToString()));
        Assert.Equal("1h", edit.DurationText);
        Assert.Empty(edit.Validate(Now, "dave", out var edited));
        Assert.Equal("s-1", edited!.Id);
        Assert.Equal(started, edited.StartsAt);
        Assert.Equal("upgrade", edited.Comment);

        var again = SilenceDraft.From(existing with { EndsAt = Now.AddMinutes(-1) }, Now, keepId: false);
        Assert.Empty(again.Validate(Now, "dave", out var recreated));
        Assert.Equal("", recreated!.Id);
        Assert.Equal(Now, recreated.StartsAt);
        Assert.Equal("dave", recreated.CreatedBy);
    }

    [Fact]
    public void MatchersThatAllMatchTheEmptyStringAreRefused()
    {
        var d = SilenceDraft.Create(Now, TimeSpan.FromHours(1));
        d.Matchers[0].Name = "team";
        d.Matchers[0].Op = "=~";
        d.Matchers[0].Value = ".*";
        d.Comment = "x";
        var errors = d.Validate(Now, "bob", out var s);
        Assert.Null(s);
        Assert.Contains(errors, e => e.Contains("would mute every alert"));
    }
}
