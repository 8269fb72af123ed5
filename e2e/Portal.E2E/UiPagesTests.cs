using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>The tenant pages through a real browser: Explore's graph, configuration validation, role gating and tenant isolation.</summary>
public sealed class UiPagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Shot(string name) => Path.Combine(RepoPaths.Screenshots(), name);

    [Fact]
    public async Task ExploreDrawsAGraphAndMarksParseErrors()
    {
        var page = await browser.SignUpAsync(_portal.BaseUrl, "Graph Team", "owner@graph.example");
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/explore?q=" + Uri.EscapeDataString("vector(1)") + "&tab=graph&range=1h");
        await Expect(page.Locator("[data-testid=chart] canvas").First).ToBeVisibleAsync(Slow);
        await Expect(page.GetByTestId("legend-item").First).ToContainTextAsync("{}", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Shot("explore-graph.png"), FullPage = true });

        await page.Locator("#promql-input").FillAsync("sum(rate(x[5m])");
        await Expect(page.GetByTestId("promql-error").First).ToContainTextAsync("1:", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("promql-marker").First).ToContainTextAsync("^");
        await page.ScreenshotAsync(new() { Path = Shot("explore-parse-error.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/explore?q=" + Uri.EscapeDataString("time()") + "&tab=table");
        await Expect(page.GetByTestId("scalar-result")).ToContainTextAsync("scalar:", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Shot("explore-table.png"), FullPage = true });
    }

    [Fact]
    public async Task ABadConfigShowsLineAndColumnAndTheRunningRevisionStays()
    {
        var page = await browser.SignUpAsync(_portal.BaseUrl, "Config Team", "owner@config.example");
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/config");
        var editor = page.GetByTestId("config-editor");
        await editor.FillAsync("global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['localhost:9090']\n");
        await Expect(page.GetByTestId("config-valid")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("apply").ClickAsync();
        await Expect(page.GetByTestId("running-revision")).ToBeVisibleAsync(Slow);
        var running = await page.GetByTestId("history").Locator("tr", new() { Has = page.GetByTestId("running-revision") }).Locator("td").First.InnerTextAsync();

        await editor.FillAsync("global:\n  scrape_interval: soon\nscrape_configs: []\n");
        var error = page.GetByTestId("config-error").First;
        await Expect(error).ToContainTextAsync("2:", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("apply")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("diff")).ToContainTextAsync("- ");
        await error.ClickAsync();
        await page.ScreenshotAsync(new() { Path = Shot("config-error.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/config");
        var after = await page.GetByTestId("history").Locator("tr", new() { Has = page.GetByTestId("running-revision") }).Locator("td").First.InnerTextAsync();
        Assert.Equal(running, after);
        await Expect(editor).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("scrape_interval: 30s"));
    }

    [Fact]
    public async Task TenantsAreIsolatedAndViewersCannotEdit()
    {
        var viewer = await browser.SignUpAsync(_portal.BaseUrl, "Blue Team", "someone@blue.example");
        var owner = await browser.SignUpAsync(_portal.BaseUrl, "Red Team", "owner@red.example");

        // The owner of Red creates a token and a configuration.
        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/account");
        await owner.GetByTestId("new-token").ClickAsync();
        await owner.Locator("#token-name").FillAsync("red-remote-write");
        await owner.GetByTestId("token-create").ClickAsync();
        await Expect(owner.GetByTestId("token-secret")).ToContainTextAsync("pt_", new() { Timeout = 30_000 });
        await owner.ScreenshotAsync(new() { Path = Shot("account-token-created.png") });
        await owner.GetByTestId("token-done").ClickAsync();
        await Expect(owner.GetByTestId("token-row")).ToContainTextAsync("red-remote-write", new() { Timeout = 30_000 });

        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/config");
        await owner.GetByTestId("config-editor").FillAsync("global:\n  scrape_interval: 45s\n");
        await Expect(owner.GetByTestId("config-valid")).ToBeVisibleAsync(Slow);
        await owner.GetByTestId("apply").ClickAsync();
        await Expect(owner.GetByTestId("running-revision")).ToBeVisibleAsync(Slow);

        // Blue never sees Red's tokens or configuration.
        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/account");
        await Expect(viewer.GetByTestId("empty-state")).ToBeVisibleAsync(Slow);
        Assert.DoesNotContain("red-remote-write", await viewer.ContentAsync());
        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/config");
        await Expect(viewer.GetByTestId("config-empty")).ToBeVisibleAsync(Slow);
        Assert.DoesNotContain("45s", await viewer.GetByTestId("config-editor").InputValueAsync());

        // Red invites Blue's owner as a viewer; in Red, that user can read but not edit.
        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/account");
        await owner.Locator("#invite-email").FillAsync("someone@blue.example");
        await owner.GetByTestId("invite").ClickAsync();
        await Expect(owner.GetByTestId("member-row").Filter(new() { HasText = "someone@blue.example" })).ToBeVisibleAsync(Slow);
        await owner.ScreenshotAsync(new() { Path = Shot("account-members.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/config");
        await viewer.GetByTestId("tenant-switcher").ClickAsync();
        await viewer.GetByText("Red Team (Viewer)").ClickAsync();
        await Expect(viewer.GetByTestId("read-only")).ToBeVisibleAsync(Slow);
        await Expect(viewer.GetByTestId("config-editor")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("45s"));
        await Expect(viewer.GetByTestId("config-editor")).Not.ToBeEditableAsync();
        await Expect(viewer.GetByTestId("apply")).ToHaveCountAsync(0);
        await viewer.ScreenshotAsync(new() { Path = Shot("config-viewer.png"), FullPage = true });
        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/account");
        await Expect(viewer.GetByTestId("tokens-read-only")).ToBeVisibleAsync(Slow);
        await Expect(viewer.GetByTestId("new-token")).ToHaveCountAsync(0);
        await Expect(viewer.GetByTestId("revoke")).ToHaveCountAsync(0);

        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/usage");
        await Expect(viewer.GetByTestId("active-series")).ToBeVisibleAsync(Slow);
        await viewer.ScreenshotAsync(new() { Path = Shot("usage.png"), FullPage = true });
        await BrowserFixture.GotoInteractiveAsync(viewer, _portal.BaseUrl + "/connect");
        await Expect(viewer.GetByTestId("snippet-remote-write")).ToContainTextAsync("username: red-team", new() { Timeout = 30_000 });
        await viewer.ScreenshotAsync(new() { Path = Shot("connect.png"), FullPage = true });
    }

    [Fact]
    public async Task TenantPagesNeedSignIn()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_portal.BaseUrl + "/explore");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/sign-in"), new() { Timeout = 30_000 });
    }
}
