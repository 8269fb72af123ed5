using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// A Grafana dashboard using a value mapping, a field override, a repeat panel and an annotation, imported through the
/// UI and drawn in a real browser.
/// </summary>
public sealed class DashboardFeaturesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };

    private static string Dashboard() => JsonSerializer.Serialize(new
    {
        title = "Features",
        uid = "features",
        schemaVersion = 39,
        time = new { from = "now-30m", to = "now" },
        annotations = new
        {
            list = new object[]
            {
                new { builtIn = 1, datasource = new { type = "grafana", uid = "-- Grafana --" }, enable = true, hide = true, name = "Annotations & Alerts" },
                new { name = "Every minute", expr = "vector(1)", step = "60s", enable = true, iconColor = "orange", titleFormat = "tick" },
            },
        },
        templating = new
        {
            list = new object[]
            {
                new { name = "dc", type = "custom", query = "east,west,north", multi = true, includeAll = false, current = new { text = new[] { "east", "west", "north" }, value = new[] { "east", "west", "north" } } },
            },
        },
        panels = new object[]
        {
            new
            {
                id = 1, type = "stat", title = "Health $dc", repeat = "dc", repeatDirection = "h", maxPerRow = 3,
                gridPos = new { x = 0, y = 0, w = 8, h = 4 },
                options = new { graphMode = "none", reduceOptions = new { calcs = new[] { "lastNotNull" } } },
                fieldConfig = new
                {
                    defaults = new { mappings = new object[] { new { type = "value", options = new Dictionary<string, object> { ["1"] = new { text = "UP", color = "green" } } } } },
                    overrides = Array.Empty<object>(),
                },
                targets = new[] { new { refId = "A", expr = "vector(1)" } },
            },
            new
            {
                id = 2, type = "timeseries", title = "Requests",
                gridPos = new { x = 0, y = 4, w = 24, h = 8 },
                fieldConfig = new
                {
                    defaults = new { unit = "short", mappings = new object[] { new { type = "range", options = new { from = 4.5, to = 5.5, result = new { text = "about five" } } } } },
                    overrides = new object[]
                    {
                        new
                        {
                            matcher = new { id = "byName", options = "raw" },
                            properties = new object[]
                            {
                                new { id = "displayName", value = "Renamed by override" },
                                new { id = "color", value = new { mode = "fixed", fixedColor = "#FF00FF" } },
                                new { id = "custom.axisPlacement", value = "right" },
                                new { id = "min", value = 0 },
                                new { id = "max", value = 10 },
                            },
                        },
                    },
                },
                options = new { legend = new { showLegend = true, displayMode = "list", placement = "bottom", calcs = Array.Empty<string>() } },
                targets = new[] { new { refId = "A", expr = "vector(3)", legendFormat = "raw" }, new { refId = "B", expr = "vector(5)", legendFormat = "other" } },
            },
        },
    });

    [NeedsProgramsFact(BrowserFixture.ChromiumPath)]
    public async Task MappingsOverridesRepeatsAndAnnotationsAreDrawn()
    {
        await using var portal = await PortalProcess.StartAsync();
        var page = await browser.SignUpAsync(portal.BaseUrl, "Features Team", "owner@features.example");

        await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/dashboards");
        await page.GetByTestId("import").ClickAsync();
        await page.Locator("#import-json").FillAsync(Dashboard());
        await page.GetByTestId("import-submit").ClickAsync();
        await Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Features", new() { Timeout = 30_000 });

        // One stat per value of $dc, titled with its value, showing the mapped text in the mapped colour.
        await Expect(page.GetByTestId("panel-title")).ToHaveTextAsync(["Health east", "Health west", "Health north", "Requests"], new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("stat-value")).ToHaveTextAsync(["UP", "UP", "UP"], new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("stat-value").First).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex("#73bf69"));
        var stats = page.Locator("[data-panel-type=stat]");
        var boxes = new List<LocatorBoundingBoxResult>();
        for (int i = 0; i < 3; i++) boxes.Add((await stats.Nth(i).BoundingBoxAsync())!);
        Assert.True(boxes[0].Y == boxes[1].Y && boxes[1].Y == boxes[2].Y && boxes[0].X < boxes[1].X && boxes[1].X < boxes[2].X, "the copies sit side by side");

        // The override renames and recolours the first series; the annotation is drawn on the time series.
        await Expect(page.GetByTestId("legend-item")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("Renamed by override"), new System.Text.RegularExpressions.Regex("other")], new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("legend-item").First.Locator(".portal-swatch")).ToHaveAttributeAsync("style", new System.Text.RegularExpressions.Regex("#FF00FF"));
        var canvas = page.Locator("[data-testid=panel-canvas][data-kind=timeseries]");
        await Expect(canvas).ToHaveAttributeAsync("data-series", "2", new() { Timeout = 30_000 });
        await Expect(canvas).Not.ToHaveAttributeAsync("data-annotations", "0", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=annotation-toggle][data-name='Every minute']")).ToBeVisibleAsync(Slow);

        // The tooltip names the series by its display name.
        var plot = (await canvas.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + plot.Width / 2, plot.Y + plot.Height / 2);
        await Expect(canvas).ToContainTextAsync("Renamed by override: 3", new() { Timeout = 15_000 });
        await Expect(canvas).ToContainTextAsync("other: about five", new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "dashboard-features.png"), FullPage = true });

        // Turning the annotation off removes its events.
        await page.Locator("[data-testid=annotation-toggle] input").First.ClickAsync(new() { Force = true });
        await Expect(canvas).ToHaveAttributeAsync("data-annotations", "0", new() { Timeout = 30_000 });
        await page.Locator("[data-testid=annotation-toggle] input").First.ClickAsync(new() { Force = true });
        await Expect(canvas).ToHaveAttributeAsync("data-annotations", "1", new() { Timeout = 30_000 });

        // Export gives back the JSON as imported: no repeat copies.
        await page.GetByTestId("export").ClickAsync();
        var exported = await page.Locator("#export-json").InputValueAsync();
        Assert.DoesNotContain("repeatPanelId", exported);
        Assert.Equal(2, JsonDocument.Parse(exported).RootElement.GetProperty("panels").GetArrayLength());
        await page.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();

        // The variables form in the settings: fewer values of $dc, fewer copies.
        await page.GetByTestId("edit").ClickAsync();
        await page.GetByTestId("settings").ClickAsync();
        await Expect(page.Locator("#var-name-0")).ToHaveValueAsync("dc", new() { Timeout = 15_000 });
        await page.Locator("#var-query-0").FillAsync("east,west");
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "dashboard-variable-form.png") });
        await page.GetByTestId("settings-apply").ClickAsync();
        await page.GetByTestId("save").ClickAsync();
        await Expect(page.GetByTestId("unsaved")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await page.GetByTestId("exit-edit").ClickAsync();
        await Expect(page.GetByTestId("panel-title")).ToHaveTextAsync(["Health east", "Health west", "Requests"], new() { Timeout = 30_000 });
    }
}
