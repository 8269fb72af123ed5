using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

public sealed class HomePageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task HomePageRendersWithNavigationAndSignIn()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/");

        await Expect(page).ToHaveTitleAsync("Portal");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portal", Exact = true, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Home" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "home.png"), FullPage = true });
    }

    [Fact]
    public async Task ThemeToggleSwitchesToDarkModeOverTheCircuit()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/");

        var toggle = page.GetByTestId("theme-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to dark mode");
        var lightBackground = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");

        await toggle.ClickAsync();

        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to light mode");
        await page.WaitForFunctionAsync("bg => getComputedStyle(document.body).backgroundColor !== bg", lightBackground);
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "home-dark.png"), FullPage = true });
    }

    [Fact]
    public async Task OwnMetricsAreReachableFromTheNavigation()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/");

        await page.GetByRole(AriaRole.Link, new() { Name = "Own metrics" }).First.ClickAsync();

        await Expect(page).ToHaveURLAsync(_portal.BaseUrl + "/metrics");
        await Expect(page.Locator("body")).ToContainTextAsync("process_cpu_seconds_total");
    }
}
