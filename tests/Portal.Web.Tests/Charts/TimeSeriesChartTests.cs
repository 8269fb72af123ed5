using System.Runtime.InteropServices;
using Bunit;
using Portal.Web.Charts;
using Portal.Web.Components.Shared;

namespace Portal.Web.Tests.Charts;

/// <summary>Explore's chart component: it reduces lines to the plot width the browser reports and sends binary values.</summary>
public sealed class TimeSeriesChartTests : MudComponentTest
{
    private BunitJSModuleInterop _module = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _module = Ctx.JSInterop.SetupModule("./js/portal-charts.js");
        _module.Setup<int>("plotWidth", _ => true).SetResult(100);
    }

    private static ChartData Chart(int points)
    {
        var spike = Enumerable.Range(0, points).Select(i => i == points / 3 ? 1e9 : i % 10).Select(x => (double)x).ToArray();
        var flat = Enumerable.Repeat(1.0, points).ToArray();
        return new ChartData([new TimeGrid(0, 1000, points)], [new ChartLine("a", "#111", 0, spike), new ChartLine("b", "#222", 0, flat)]);
    }

    private static ChartPayload SentChart(JSRuntimeInvocation render)
    {
        var payload = render.Arguments[1]!;
        return Assert.IsType<ChartPayload>(payload.GetType().GetProperty("chart")!.GetValue(payload));
    }

    [Fact]
    public void LinesLongerThanTwiceThePlotWidthAreReducedKeepingTheirSpikes()
    {
        var data = Chart(1000);
        var cut = Ctx.Render<TimeSeriesChart>(ps => ps.Add(c => c.Data, data).Add(c => c.StartMs, 0).Add(c => c.EndMs, 999_000));

        Assert.Equal(2, cut.FindAll("[data-testid=legend-item]").Count);
        var chart = SentChart(_module.VerifyInvoke("render"));
        Assert.True(chart.Downsampled);
        Assert.All(chart.Series, s => Assert.Equal(-1, s.Grid));
        Assert.All(chart.Series, s => Assert.InRange(s.Length, 2, 4 * 100));
        var values = MemoryMarshal.Cast<byte, double>(chart.Values).ToArray();
        Assert.Contains(1e9, values);
        Assert.Equal(values.Length, MemoryMarshal.Cast<byte, double>(chart.Times!).Length);
    }

    [Fact]
    public void StackedLinesAndShortLinesKeepTheSharedGrid()
    {
        var cut = Ctx.Render<TimeSeriesChart>(ps => ps.Add(c => c.Data, Chart(1000)).Add(c => c.Stacked, true).Add(c => c.StartMs, 0).Add(c => c.EndMs, 999_000));
        var stacked = SentChart(_module.VerifyInvoke("render"));
        Assert.False(stacked.Downsampled);
        Assert.Null(stacked.Times);
        Assert.Equal([new ChartPayloadGrid(0, 1000, 1000)], stacked.Grids);
        Assert.Equal(2 * 1000 * sizeof(double), stacked.Values.Length);

        cut.Render(ps => ps.Add(c => c.Data, Chart(200)).Add(c => c.Stacked, false));
        var shortLines = SentChart(_module.VerifyInvoke("render", 2)[1]);
        Assert.False(shortLines.Downsampled);
        Assert.All(shortLines.Series, s => Assert.Equal((0, 200), (s.Grid, s.Length)));
    }

    [Fact]
    public void ThePageReRenderingDoesNotRedrawOrReRenderTheLegend()
    {
        var data = Chart(10);
        var cut = Ctx.Render<TimeSeriesChart>(ps => ps.Add(c => c.Data, data).Add(c => c.StartMs, 0).Add(c => c.EndMs, 9_000));
        _module.VerifyInvoke("render");
        int renders = cut.RenderCount;

        cut.Render(ps => ps.Add(c => c.Data, data));
        Assert.Equal(renders, cut.RenderCount);
        _module.VerifyInvoke("render", 1);

        cut.FindAll("[data-testid=legend-item]")[0].Click();
        Assert.Contains("off", cut.FindAll("[data-testid=legend-item]")[0].ClassName);
        _module.VerifyInvoke("toggle", 1);
    }
}
