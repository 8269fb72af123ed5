using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>Sign up, sign out and sign in through the browser against a real portal process.</summary>
public sealed class AccountTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task SignUpCreatesATenantThenSignOutAndSignInWork()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_portal.BaseUrl + "/account/sign-up");
        await page.Locator("#team").FillAsync("Blue Team");
        await page.Locator("#email").FillAsync("owner@blue.example");
        await page.Locator("#password").FillAsync("correct-horse-1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "sign-up.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();

        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("owner@blue.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GotoAsync(_portal.BaseUrl + "/account/sign-in");
        await page.Locator("#email").FillAsync("owner@blue.example");
        await page.Locator("#password").FillAsync("wrong-password-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("email or password is wrong");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "sign-in-error.png") });

        await page.Locator("#password").FillAsync("correct-horse-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("owner@blue.example");
    }

    [Fact]
    public async Task AWeakPasswordIsRefusedWithWhatToChange()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_portal.BaseUrl + "/account/sign-up");
        await page.Locator("#team").FillAsync("Red Team");
        await page.Locator("#email").FillAsync("owner@red.example");
        await page.Locator("#password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.GetByTestId("sign-up-error").First).ToContainTextAsync("at least 10 characters");
    }
}
