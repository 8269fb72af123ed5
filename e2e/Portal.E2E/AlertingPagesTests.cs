using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>The alerting pages through a real browser: a rule that always fires, silencing it from its row, expiring the silence.</summary>
public sealed class AlertingPagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToContainTextOptions SlowText = new() { Timeout = 30_000 };
    private PortalProcess _portal = null!;

    private const string RuleFile = """
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
                  summary: "fires on every evaluation"
        """;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Shot(string name) => Path.Combine(RepoPaths.Screenshots(), name);

    [Fact]
    public async Task AnAlwaysFiringRuleIsSilencedFromItsRowAndTheSilenceExpired()
    {
        const string email = "owner@alerting.example";
        var page = await browser.SignUpAsync(_portal.BaseUrl, "Alerting Team", email);

        // Before any rule, the Alerts page explains how to add one.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/alerts");
        await Expect(page.GetByTestId("alert-rule-example")).ToContainTextAsync("alert: InstanceDown", SlowText);
        await page.ScreenshotAsync(new() { Path = Shot("alerts-empty.png"), FullPage = true });

        // The tenant gets its rule file through the Rules page's editor.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/rules");
        await Expect(page.GetByTestId("rules-empty")).ToBeVisibleAsync(Slow);
        await page.Locator("#new-rule-file").FillAsync("always.yml");
        await page.GetByTestId("add-rule-file").ClickAsync();
        var editor = page.GetByTestId("rules-editor");
        await editor.FillAsync(RuleFile.Replace("vector(1) > 0", "vector(1) >"));
        await Expect(page.GetByTestId("rules-error").First).ToContainTextAsync("6:", SlowText);
        await editor.FillAsync(RuleFile);
        await Expect(page.GetByTestId("rules-valid")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("rules-apply").ClickAsync();
        await Expect(page.GetByTestId("rules-running-revision")).ToBeVisibleAsync(Slow);
        await Expect(page.GetByTestId("rule-group-name")).ToHaveTextAsync("always", new() { Timeout = 30_000 });

        // The alert fires; silence it from its row.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/alerts");
        var row = page.Locator("[data-testid=alert-row][data-alertname=AlwaysFiring]");
        await Expect(row).ToBeVisibleAsync(Slow);
        await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("firing");
        await page.ScreenshotAsync(new() { Path = Shot("alerts.png"), FullPage = true });
        await row.GetByTestId("silence-from-alert").ClickAsync();
        await Expect(page.GetByTestId("silence-preview-count")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await page.Locator("#silence-comment").FillAsync("checking the silence journey");
        await page.ScreenshotAsync(new() { Path = Shot("silence-editor.png") });
        await page.GetByTestId("silence-submit").ClickAsync();
        await Expect(row.GetByTestId("alert-silenced")).ToBeVisibleAsync(Slow);
        await page.ScreenshotAsync(new() { Path = Shot("alerts-silenced.png"), FullPage = true });

        // The silence is listed as active with its author and comment; expire it.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/silences");
        var active = page.Locator("[data-testid=silence-row][data-state=active]");
        await Expect(active).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(active.GetByTestId("silence-creator")).ToHaveTextAsync(email);
        await Expect(active.GetByTestId("silence-comment")).ToHaveTextAsync("checking the silence journey");
        await Expect(active.GetByTestId("silence-muted")).ToHaveTextAsync("1");
        await page.ScreenshotAsync(new() { Path = Shot("silences.png"), FullPage = true });
        await active.GetByTestId("silence-expire").ClickAsync();
        await Expect(page.Locator("[data-testid=silence-row][data-state=active]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=silence-row][data-state=expired]")).ToHaveCountAsync(1);

        // Rule groups with their health, and the editor.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/rules");
        await Expect(page.GetByTestId("rule-health")).ToHaveTextAsync("ok", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Shot("rules.png"), FullPage = true });

        // Once expired, the alert is no longer marked silenced.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/alerts");
        await Expect(row).ToBeVisibleAsync(Slow);
        await Expect(row.GetByTestId("alert-silenced")).ToHaveCountAsync(0);
    }
}
