using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Playwright;
using Portal.Ingest.Protos.Prom;
using Portal.Ingest.RemoteWrite;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// Explore's graph with 100 series × 1,001 points: it draws every series, and hovering stays smooth. The draw
/// time and frame timings are measured and written to artifacts/chart-load.txt (a figure, not a pass/fail bound).
/// </summary>
public sealed class ChartLoadTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const int Series = 100, Points = 1001;
    private const long StepMs = 15_000;
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>Writes the test series through remote write 1.0 with the tenant's basic-auth credential.</summary>
    private async Task WriteSeriesAsync(string tenant, string token, long endMs)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_portal.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        // In time order, all series at once: like any sender, since the head refuses samples older than an hour before its newest.
        const int pointsPerRequest = 50;
        for (int from = 0; from < Points; from += pointsPerRequest)
        {
            var req = new WriteRequest();
            for (int s = 0; s < Series; s++)
            {
                var ts = new TimeSeries();
                ts.Labels.Add(new Label { Name = "__name__", Value = "chart_load" });
                ts.Labels.Add(new Label { Name = "series", Value = s.ToString("000", CultureInfo.InvariantCulture) });
                for (int i = from; i < Math.Min(Points, from + pointsPerRequest); i++)
                {
                    long t = endMs - (Points - 1 - i) * StepMs;
                    ts.Samples.Add(new Sample { Timestamp = t, Value = s + 10 * Math.Sin(i / 40.0 + s) });
                }
                req.Timeseries.Add(ts);
            }
            using var body = new ByteArrayContent(SnappyBlock.Encode(req.ToByteArray()));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            body.Headers.ContentEncoding.Add("snappy");
            using var r = await http.PostAsync("/api/v1/write", body);
            Assert.True(r.IsSuccessStatusCode, $"remote write answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Records in <c>window.__marks</c> when the circuit went live and when the server's legend arrived, in ms since navigation.</summary>
    private const string MarksScript = """
        window.__marks = {};
        new MutationObserver(() => {
            const m = window.__marks;
            if (m.interactive === undefined && document.querySelector('[data-interactive=true]')) m.interactive = performance.now();
            if (m.legend === undefined && document.querySelector('[data-testid=legend-item]')) m.legend = performance.now();
        }).observe(document, { subtree: true, childList: true, attributes: true });
        """;

    /// <summary>The machine's load averages (/proc/loadavg), since the figures depend on them.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    [Fact]
    public async Task AHundredSeriesOfAThousandPointsDrawAndHoverSmoothly()
    {
        var page = await browser.SignUpAsync(_portal.BaseUrl, "Chart Team", "owner@chart.example");

        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/account");
        await page.GetByTestId("new-token").ClickAsync();
        await page.Locator("#token-name").FillAsync("chart-writer");
        var write = page.GetByTestId("scope-write");
        await (await write.Locator("input").CountAsync() > 0 ? write.Locator("input") : write).CheckAsync();
        await page.GetByTestId("token-create").ClickAsync();
        await Expect(page.GetByTestId("token-secret")).ToContainTextAsync("pt_", new() { Timeout = 30_000 });
        var token = (await page.GetByTestId("token-secret").InnerTextAsync()).Trim();
        await page.GetByTestId("token-done").ClickAsync();

        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / StepMs * StepMs;
        await WriteSeriesAsync("chart-team", token, end);

        long start = end - (Points - 1) * StepMs;
        var url = $"{_portal.BaseUrl}/explore?q=chart_load&tab=graph&range={start / 1000}~{end / 1000}&step=15s";
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/explore");
        // Marks in the page's own clock (ms since navigation): circuit live, legend rendered by the server.
        await page.AddInitScriptAsync(MarksScript);
        var began = DateTime.UtcNow;
        await page.GotoAsync(url);
        var chart = page.GetByTestId("chart");
        try
        {
            await Expect(chart).ToHaveAttributeAsync("data-series", Series.ToString(CultureInfo.InvariantCulture), new() { Timeout = 60_000 });
        }
        catch (PlaywrightException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "explore-100-series-failed.png"), FullPage = true });
            output.WriteLine(_portal.Log);
            throw;
        }
        var drawn = DateTime.UtcNow - began;
        await Expect(page.GetByTestId("legend-item")).ToHaveCountAsync(Series);
        await page.WaitForFunctionAsync("() => window.portalChartStats && window.portalChartStats.painted !== null");
        var marks = await page.EvaluateAsync<JsonElement>(
            "() => ({ interactive: window.__marks.interactive ?? -1, legend: window.__marks.legend ?? -1, entered: window.portalChartStats.entered, convert: window.portalChartStats.convertMs, "
            + "setOption: window.portalChartStats.setOptionMs, drawn: window.portalChartStats.drawn, painted: window.portalChartStats.painted })");
        var stats = (await page.GetByTestId("query-stats").InnerTextAsync()).Trim();

        // Hover across the plot while counting animation frames in the page.
        var box = (await chart.BoundingBoxAsync())!;
        await page.EvaluateAsync("() => { window.__frames = []; const tick = t => { window.__frames.push(t); if (window.__frames.length < 100000 && !window.__stop) requestAnimationFrame(tick); }; window.__stop = false; requestAnimationFrame(tick); }");
        await page.Mouse.MoveAsync(box.X + 70, box.Y + box.Height / 2);
        var moving = System.Diagnostics.Stopwatch.StartNew();
        await page.Mouse.MoveAsync(box.X + box.Width - 30, box.Y + box.Height / 2, new() { Steps = 120 });
        moving.Stop();
        var frames = await page.EvaluateAsync<double[]>("() => { window.__stop = true; return window.__frames; }");
        var gaps = frames.Zip(frames.Skip(1), (a, b) => b - a).OrderBy(g => g).ToArray();
        Assert.True(gaps.Length > 10, "the page painted frames while the mouse moved");
        double median = gaps[gaps.Length / 2], p95 = gaps[(int)(gaps.Length * 0.95)], worst = gaps[^1];
        await Expect(page.Locator("[data-testid=chart] div").Filter(new() { HasText = "chart_load" }).First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await chart.ScrollIntoViewIfNeededAsync();
        var view = (await chart.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(view.X + view.Width / 2, view.Y + view.Height / 3);
        await Expect(page.GetByTestId("chart-tooltip")).ToContainTextAsync("chart_load{series=", new() { Timeout = 10_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "explore-100-series-hover.png"), Clip = new() { X = view.X, Y = view.Y, Width = view.Width, Height = view.Height } });
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots(), "explore-100-series.png"), FullPage = true });

        double Mark(string name) => marks.GetProperty(name).GetDouble();
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"Explore graph, {Series} series x {Points} points: drawn {drawn.TotalMilliseconds:0} ms after navigation (query, render, ECharts); "
            + $"hover: {gaps.Length} frames, median {median:0.0} ms, p95 {p95:0.0} ms, worst {worst:0.0} ms between frames; 120 mouse moves handled in {moving.Elapsed.TotalMilliseconds:0} ms\n"
            + $"  page clock (ms since navigation): circuit live {Mark("interactive"):0}, legend rendered {Mark("legend"):0}, chart data in the browser {Mark("entered"):0}, "
            + $"drawn {Mark("drawn"):0}, painted {Mark("painted"):0}; converting data {Mark("convert"):0} ms, ECharts setOption {Mark("setOption"):0} ms; server: {stats}\n"
            + $"  machine load (1/5/15 min): {LoadAverage()}\n");
        output.WriteLine(figures);
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Screenshots(), "..", "chart-load.txt"), figures);
    }
}
