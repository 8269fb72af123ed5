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

    [Fact]
    public async Task APasswordChangeNeedsTheCurrentOneAndThenTheNewOneSignsIn()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_portal.BaseUrl + "/account/sign-up");
        await page.Locator("#team").FillAsync("Green Team");
        await page.Locator("#email").FillAsync("owner@green.example");
        await page.Locator("#password").FillAsync("correct-horse-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("owner@green.example");

        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/account");
        await page.GetByTestId("change-password").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/password"));
        // The URL changes before the page's content has arrived: fill the form only once it has settled, and check the
        // values held before submitting (a field filled while the page was still being replaced comes back empty).
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.Locator("#current-password").FillAsync("not-my-password-1");
        await page.Locator("#new-password").FillAsync("battery-staple-2");
        await page.Locator("#confirm-password").FillAsync("battery-staple-2");
        await Expect(page.Locator("#current-password")).ToHaveValueAsync("not-my-password-1");
        await Expect(page.Locator("#confirm-password")).ToHaveValueAsync("battery-staple-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByTestId("password-error")).ToContainTextAsync("current password is wrong");

        await page.Locator("#current-password").FillAsync("correct-horse-1");
        await page.Locator("#new-password").FillAsync("battery-staple-2");
        await page.Locator("#confirm-password").FillAsync("battery-staple-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByTestId("password-changed")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "account-password-changed.png") });
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("owner@green.example");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync(_portal.BaseUrl + "/account/sign-in");
        await page.Locator("#email").FillAsync("owner@green.example");
        await page.Locator("#password").FillAsync("correct-horse-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("sign-in-error")).ToBeVisibleAsync();
        await page.Locator("#password").FillAsync("battery-staple-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("owner@green.example");
    }
}
