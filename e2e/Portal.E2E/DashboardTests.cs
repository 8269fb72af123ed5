using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Dashboards in a real browser: the seed's Grafana dashboard imported through the UI draws node_exporter data scraped
/// by the tenant; a dashboard of 10 panels × 50 series is timed.
/// </summary>
public sealed class DashboardTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    public const string NodeExporter = "/usr/bin/prometheus-node-exporter";

    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };

    /// <summary>The seed's Grafana dashboard, in the read-only ../shared beside the clone.</summary>
    public static string SeedDashboard => Path.GetFullPath(Path.Combine(RepoPaths.Root(), "..", "shared", "seed", "node-dashboard.json"));

    private static string Shot(string name) => Path.Combine(RepoPaths.Screenshots(), name);

    /// <summary>The number of series each time-series panel draws, in panel order.</summary>
    private static Task<int[]> SeriesCountsAsync(IPage page) =>
        page.EvaluateAsync<int[]>("() => Array.from(document.querySelectorAll('[data-testid=panel-canvas][data-kind=timeseries]')).map(e => +(e.dataset.series || 0))");

    private static async Task<int[]> WaitForSeriesAsync(IPage page, int panels, TimeSpan timeout, bool refresh)
    {
        var deadline = DateTime.UtcNow + timeout;
        int[] counts = [];
        while (DateTime.UtcNow < deadline)
        {
            counts = await SeriesCountsAsync(page);
            if (counts.Length == panels && counts.All(c => c > 0)) return counts;
            if (refresh) await page.GetByTestId("refresh").ClickAsync();
            await Task.Delay(1000);
        }
        return counts;
    }

    [NeedsSeedFact(NodeExporter, BrowserFixture.ChromiumPath)]
    public async Task TheSeedDashboardImportsAndDrawsNodeExporterData()
    {
        await using var portal = await PortalProcess.StartAsync("http", "--Limits:MinScrapeInterval=00:00:01");
        int nodePort = PushTools.FreePort();
        await using var node = new ExternalProcess(NodeExporter, $"--web.listen-address=127.0.0.1:{nodePort}",
            "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo");

        var page = await browser.SignUpAsync(portal.BaseUrl, "Node Team", "owner@node.example");
        await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/config");
        await page.GetByTestId("config-editor").FillAsync(
            $"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node_exporter\n    static_configs:\n      - targets: ['127.0.0.1:{nodePort}']\n");
        await Expect(page.GetByTestId("config-valid")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("apply").ClickAsync();
        await Expect(page.GetByTestId("running-revision")).ToBeVisibleAsync(Slow);

        await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/dashboards");
        await Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("import").ClickAsync();
        await page.Locator("#import-json").FillAsync(await File.ReadAllTextAsync(SeedDashboard));
        await page.GetByTestId("import-submit").ClickAsync();
        await Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Node Statistics", new() { Timeout = 30_000 });
        Assert.Contains("/d/KchAVsdmk/node-statistics", page.Url);
        await Expect(page.GetByTestId("panel-title")).ToHaveTextAsync(["Free Memory", "CPU Usage"], new() { Timeout = 30_000 });

        var counts = await WaitForSeriesAsync(page, 2, TimeSpan.FromSeconds(90), refresh: true);
        Assert.True(counts.Length == 2 && counts.All(c => c >= 1), $"both panels should draw node_exporter series; got [{string.Join(",", counts)}]\n{portal.Log}");
        await Expect(page.GetByTestId("legend-item").First).ToContainTextAsync("127.0.0.1", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-node-6h.png"), FullPage = true });

        await page.GetByTestId("time-picker").ClickAsync();
        await page.Locator("[data-testid=quick-range][data-from='now-5m']").ClickAsync();
        await Expect(page.GetByTestId("time-picker")).ToContainTextAsync("Last 5 minutes", new() { Timeout = 30_000 });
        Assert.Contains("from=now-5m", page.Url);
        counts = await WaitForSeriesAsync(page, 2, TimeSpan.FromSeconds(30), refresh: false);
        Assert.True(counts.All(c => c >= 1), $"both panels draw after the range change; got [{string.Join(",", counts)}]");
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-node-5m.png"), FullPage = true });

        // Dragging across a graph zooms the dashboard to that absolute range.
        var plot = (await page.Locator("[data-testid=panel-canvas][data-kind=timeseries]").Nth(1).BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.4f, plot.Y + plot.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + plot.Width * 0.8f, plot.Y + plot.Height / 2, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Expect(page.GetByTestId("time-picker")).Not.ToContainTextAsync("Last 5 minutes", new() { Timeout = 15_000 });
        Assert.DoesNotContain("from=now", page.Url);

        // An absolute range through the picker's text fields.
        await page.GetByTestId("time-picker").ClickAsync();
        var now = DateTime.UtcNow;
        await page.Locator("#time-from").FillAsync(now.AddMinutes(-3).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await page.Locator("#time-to").FillAsync(now.AddMinutes(1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await page.GetByTestId("time-apply").ClickAsync();
        await Expect(page.GetByTestId("time-picker")).ToContainTextAsync(" to ", new() { Timeout = 30_000 });
        counts = await WaitForSeriesAsync(page, 2, TimeSpan.FromSeconds(30), refresh: false);
        Assert.True(counts.All(c => c >= 1), $"both panels draw over an absolute range; got [{string.Join(",", counts)}]");
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-node-absolute.png"), FullPage = true });

        // Edit: resize the first panel by its corner (the second is pushed below), rename it in the panel editor, save.
        await page.GetByTestId("edit").ClickAsync();
        var first = page.Locator("[data-panel-id='4']");
        var handle = first.Locator("[data-resize-handle]");
        await Expect(handle).ToBeVisibleAsync(Slow);
        var box = (await handle.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 200, box.Y + 80, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await Expect(first).Not.ToHaveAttributeAsync("data-w", "12", new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-panel-id='2']")).Not.ToHaveAttributeAsync("data-y", "0", new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("unsaved")).ToBeVisibleAsync(Slow);

        await first.GetByTestId("panel-edit").ClickAsync();
        await Expect(page.GetByTestId("panel-editor")).ToBeVisibleAsync(Slow);
        await page.Locator("#panel-title").FillAsync("Free memory (GB)");
        await page.Locator("#legend-A").FillAsync("{{instance}}");
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-panel-editor.png") });
        await page.GetByTestId("panel-apply").ClickAsync();
        await Expect(first.GetByTestId("panel-title")).ToHaveTextAsync("Free memory (GB)", new() { Timeout = 15_000 });
        await Expect(first.GetByTestId("legend-item").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\s*127\\.0\\.0\\.1:\\d+\\s*$"), new() { Timeout = 30_000 });
        await page.GetByTestId("save").ClickAsync();
        await Expect(page.GetByTestId("unsaved")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-node-edited.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/d/KchAVsdmk");
        await Expect(page.Locator("[data-panel-id='4']").GetByTestId("panel-title")).ToHaveTextAsync("Free memory (GB)", new() { Timeout = 30_000 });

        // Another tenant's user finds nothing at the same address.
        var other = await browser.SignUpAsync(portal.BaseUrl, "Other Team", "owner@other.example");
        await BrowserFixture.GotoInteractiveAsync(other, portal.BaseUrl + "/d/KchAVsdmk");
        await Expect(other.GetByText("Dashboard not found")).ToBeVisibleAsync(Slow);
    }

    /// <summary>A Grafana dashboard of 10 time-series panels, each a query giving 50 series (synthesised in PromQL) at a 15s step.</summary>
    private static string BigDashboard()
    {
        var panels = new List<object>();
        for (int p = 0; p < 10; p++)
        {
            var terms = Enumerable.Range(0, 50).Select(i =>
                $"label_replace(sin(vector(time()/{300 + 7 * p}+{i}))*{i + 1}+{100 + i},\"s\",\"{i}\",\"\",\"\")");
            panels.Add(new
            {
                id = p + 1,
                type = "timeseries",
                title = $"Panel {p + 1}",
                gridPos = new { x = p % 2 * 12, y = p / 2 * 8, w = 12, h = 8 },
                interval = "15s",
                maxDataPoints = 240,
                fieldConfig = new { defaults = new { unit = "short" }, overrides = Array.Empty<object>() },
                options = new { legend = new { showLegend = false, displayMode = "hidden", placement = "bottom", calcs = Array.Empty<string>() } },
                targets = new[] { new { refId = "A", expr = string.Join(" or ", terms), legendFormat = "series {{s}}" } },
            });
        }
        return JsonSerializer.Serialize(new
        {
            title = "Ten by fifty",
            uid = "ten-by-fifty",
            schemaVersion = 39,
            time = new { from = "now-1h", to = "now" },
            panels,
        });
    }

    [NeedsProgramsFact(BrowserFixture.ChromiumPath)]
    public async Task TenPanelsOfFiftySeriesDraw()
    {
        await using var portal = await PortalProcess.StartAsync();
        var page = await browser.SignUpAsync(portal.BaseUrl, "Speed Team", "owner@speed.example");
        await BrowserFixture.GotoInteractiveAsync(page, portal.BaseUrl + "/dashboards");
        await page.GetByTestId("import").ClickAsync();
        await Expect(page.Locator("#import-json")).ToBeVisibleAsync(Slow);
        for (int attempt = 0; attempt < 5 && !(await page.Locator("#import-json").InputValueAsync()).Contains("Ten by fifty", StringComparison.Ordinal); attempt++)
        {
            // The upload control wires up once the dialog has rendered; upload again until the JSON shows.
            await page.Locator("[data-testid=import-file]").SetInputFilesAsync(new FilePayload
            {
                Name = "ten-by-fifty.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(BigDashboard()),
            });
            await Task.Delay(1000);
        }
        await Expect(page.Locator("#import-json")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("Ten by fifty"), new() { Timeout = 30_000 });
        await page.GetByTestId("import-submit").ClickAsync();
        await Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync("Ten by fifty", new() { Timeout = 30_000 });
        var counts = await WaitForSeriesAsync(page, 10, TimeSpan.FromSeconds(60), refresh: false);
        if (counts.Length != 10) await page.ScreenshotAsync(new() { Path = Shot("dashboard-ten-by-fifty-failed.png"), FullPage = true });
        Assert.Equal(Enumerable.Repeat(50, 10), counts);

        // Time a refresh: from the click to the last panel drawn, and from the first panel's data to the last panel drawn.
        var figures = new List<string>();
        for (int run = 0; run < 2; run++)
        {
            await page.EvaluateAsync("() => { window.portalDashboardStats = null; window.portalRefreshStart = performance.now(); }");
            await page.GetByTestId("refresh").ClickAsync();
            await page.WaitForFunctionAsync("() => window.portalDashboardStats && window.portalDashboardStats.draws >= 10", null, new() { Timeout = 30_000 });
            var stats = await page.EvaluateAsync<JsonElement>(
                "() => ({ total: window.portalDashboardStats.lastEnd - window.portalRefreshStart, drawing: window.portalDashboardStats.lastEnd - window.portalDashboardStats.firstStart, drawMs: window.portalDashboardStats.drawMs, series: window.portalDashboardStats.series, "
                + "ends: window.portalDashboardStats.ends.map(e => Math.round(e - window.portalRefreshStart)).join(' ') })");
            figures.Add(string.Create(CultureInfo.InvariantCulture,
                $"refresh {run + 1}: click→all drawn {stats.GetProperty("total").GetDouble():0} ms, first data→last drawn {stats.GetProperty("drawing").GetDouble():0} ms, chart setOption total {stats.GetProperty("drawMs").GetDouble():0} ms, {stats.GetProperty("series").GetInt32()} series; panels drawn at {stats.GetProperty("ends").GetString()} ms after the click; machine load {ChartLoadTests.LoadAverage()}"));
        }
        await File.WriteAllLinesAsync(Path.Combine(RepoPaths.Screenshots(), "..", "dashboard-speed.txt"), figures);
        await page.ScreenshotAsync(new() { Path = Shot("dashboard-ten-by-fifty.png"), FullPage = true });
        Console.WriteLine(string.Join("\n", figures));
    }
}

/// <summary>A fact that needs the seed's node-dashboard.json (../shared) and the given programs; skipped with the reason otherwise.</summary>
public sealed class NeedsSeedFactAttribute : FactAttribute
{
    public NeedsSeedFactAttribute(params string[] files)
    {
        if (!File.Exists(DashboardTests.SeedDashboard))
        {
            Skip = "needs ../shared/seed/node-dashboard.json, absent here";
            return;
        }
        foreach (var f in files)
            if (!File.Exists(f))
            {
                Skip = $"needs {f} (Debian package), absent here";
                return;
            }
    }
}
