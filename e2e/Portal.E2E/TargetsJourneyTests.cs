using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The first-day journey in a browser: sign up, add a real node_exporter as a target with the form, see it up,
/// query it in Explore and see the graph draw; another tenant never sees it; a viewer cannot change it.
/// </summary>
public sealed class TargetsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string NodeExporter = "/usr/bin/prometheus-node-exporter";
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Shot(string name) => Path.Combine(RepoPaths.Screenshots(), name);

    [Fact]
    public async Task SignUpAddANodeExporterSeeItUpAndGraphIt()
    {
        Assert.True(File.Exists(NodeExporter), $"{NodeExporter} is missing: install Debian's prometheus-node-exporter (tests/run.sh does)");
        int port = PushTools.FreePort();
        await using var exporter = new ExternalProcess(NodeExporter, $"--web.listen-address=127.0.0.1:{port}",
            "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg");

        var owner = await browser.SignUpAsync(_portal.BaseUrl, "Node Team", "owner@node.example");
        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/targets");
        await Expect(owner.GetByTestId("empty-state")).ToBeVisibleAsync(Slow);
        await owner.ScreenshotAsync(new() { Path = Shot("targets-empty.png"), FullPage = true });

        // A bad target is refused at the field, and nothing is recorded.
        await owner.GetByTestId("add-target").ClickAsync();
        await owner.Locator("#job-name").FillAsync("node");
        await owner.Locator("#job-targets").FillAsync("not a target");
        await owner.GetByTestId("job-save").ClickAsync();
        await Expect(owner.GetByText("is not host:port")).ToBeVisibleAsync(Slow);

        await owner.Locator("#job-targets").FillAsync($"http://127.0.0.1:{port}/metrics");
        await owner.Locator("#job-interval").FillAsync("5s");
        await owner.ScreenshotAsync(new() { Path = Shot("targets-add.png") });
        await owner.GetByTestId("job-save").ClickAsync();

        var target = owner.GetByTestId("target");
        await Expect(target).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(target.GetByTestId("target-health")).ToHaveTextAsync("UP", new() { Timeout = 40_000 });
        await Expect(owner.GetByTestId("job")).ToContainTextAsync("1/1 up");
        await owner.ScreenshotAsync(new() { Path = Shot("targets-up.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/explore?q=" + Uri.EscapeDataString("node_load1") + "&tab=graph&range=5m");
        await Expect(owner.Locator("[data-testid=chart] canvas").First).ToBeVisibleAsync(Slow);
        await Expect(owner.GetByTestId("legend-item").First).ToContainTextAsync("job=\"node\"", new() { Timeout = 30_000 });
        await owner.ScreenshotAsync(new() { Path = Shot("targets-explore.png"), FullPage = true });

        // Another tenant sees none of it.
        var other = await browser.SignUpAsync(_portal.BaseUrl, "Other Team", "owner@other.example");
        await BrowserFixture.GotoInteractiveAsync(other, _portal.BaseUrl + "/targets");
        await Expect(other.GetByTestId("empty-state")).ToBeVisibleAsync(Slow);
        Assert.DoesNotContain($"127.0.0.1:{port}", await other.ContentAsync());

        // Invited as a viewer, that user reads the targets but cannot change them.
        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/account");
        await owner.Locator("#invite-email").FillAsync("owner@other.example");
        await owner.GetByTestId("invite").ClickAsync();
        await Expect(owner.GetByTestId("member-row").Filter(new() { HasText = "owner@other.example" })).ToBeVisibleAsync(Slow);
        await BrowserFixture.GotoInteractiveAsync(other, _portal.BaseUrl + "/targets");
        await other.GetByTestId("tenant-switcher").ClickAsync();
        // The switch is saved and then the page reloads itself; wait for that reload rather than navigating over it.
        await other.GetByText("Node Team (Viewer)").ClickAsync();
        await Expect(other.GetByTestId("read-only")).ToBeVisibleAsync(Slow);
        await BrowserFixture.GotoInteractiveAsync(other, _portal.BaseUrl + "/targets");
        await Expect(other.GetByTestId("target")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(other.GetByTestId("add-target")).ToHaveCountAsync(0);
        await Expect(other.GetByTestId("edit-job")).ToHaveCountAsync(0);
        await Expect(other.GetByTestId("remove-job")).ToHaveCountAsync(0);

        // The owner removes the job again through the page.
        await BrowserFixture.GotoInteractiveAsync(owner, _portal.BaseUrl + "/targets");
        await owner.GetByTestId("remove-job").ClickAsync();
        await owner.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(owner.GetByTestId("empty-state")).ToBeVisibleAsync(Slow);
    }
}
