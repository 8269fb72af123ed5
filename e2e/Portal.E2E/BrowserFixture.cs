using Microsoft.Playwright;

namespace Portal.E2E;

/// <summary>
/// One headless Chromium for a test class: the machine's own (Debian package <c>chromium</c>),
/// since Playwright's browser download is not used. Flags keep it off the network.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("PORTAL_E2E_CHROMIUM") ?? ChromiumPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Chromium not found at {path}: install Debian's chromium package (the test command does) or set PORTAL_E2E_CHROMIUM.", path);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args =
            [
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    /// <summary>A fresh page in its own context; waits for the Blazor circuit after each navigation via <see cref="GotoInteractiveAsync"/>.</summary>
    public async Task<IPage> NewPageAsync(bool ignoreHttpsErrors = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = ignoreHttpsErrors,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Signs up on <paramref name="baseUrl"/> in a fresh page (a new tenant named <paramref name="team"/>, owned by
    /// <paramref name="email"/>, password <c>correct-horse-1</c>) and returns the page once it shows the user signed in.
    /// </summary>
    public async Task<IPage> SignUpAsync(string baseUrl, string team, string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(baseUrl + "/account/sign-up");
        await page.Locator("#team").FillAsync(team);
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync("correct-horse-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(email, new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>Navigates and waits until the page's Blazor circuit is connected, so clicks are not lost.</summary>
    public static async Task GotoInteractiveAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = 15_000 });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
