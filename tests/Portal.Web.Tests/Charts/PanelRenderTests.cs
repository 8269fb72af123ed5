using Bunit;
using Portal.Model;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Charts;

/// <summary>A dashboard re-renders per panel that gets data; the panels whose own inputs did not change stay as drawn.</summary>
public sealed class PanelRenderTests : MudComponentTest
{
    private static PanelData Data(double v) =>
        new([new PanelSeries("a", Labels.Empty, "A", [0, 1000], [1, v], 1000)], null, 0, 1000, 1000, []);

    [Fact]
    public void APanelRendersAgainOnlyWhenItsOwnInputsChange()
    {
        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        var data = Data(2);
        var cut = Ctx.Render<PanelView>(ps => ps.Add(c => c.Panel, panel).Add(c => c.Data, data).Add(c => c.Loading, true));
        int renders = cut.RenderCount;

        cut.Render(ps => ps.Add(c => c.Panel, panel).Add(c => c.Data, data).Add(c => c.Loading, true).Add(c => c.OnEdit, () => { }));
        Assert.Equal(renders, cut.RenderCount);

        cut.Render(ps => ps.Add(c => c.Loading, false));
        Assert.Equal(renders + 1, cut.RenderCount);
        Assert.Empty(cut.FindAll("[data-testid=panel-loading]"));

        cut.Render(ps => ps.Add(c => c.Data, Data(3)));
        Assert.Equal(renders + 2, cut.RenderCount);

        cut.Render(ps => ps.Add(c => c.Revision, 1L));
        Assert.Equal(renders + 3, cut.RenderCount);

        // Its own events still render it: a legend click greys the entry out.
        cut.Render(ps => ps.Add(c => c.OnEdit, () => { }));
        Assert.Equal(renders + 3, cut.RenderCount);
        cut.Find("[data-testid=legend-item]").Click();
        Assert.Contains("off", cut.Find("[data-testid=legend-item]").ClassName);
    }
}
