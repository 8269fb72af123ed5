using Bunit;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The panel editor's repeat options write Grafana's repeat fields.</summary>
public sealed class RepeatEditorTests : MudComponentTest
{
    [Fact]
    public void RepeatVariableAndMaxPerRowAreWrittenAndClearedTogether()
    {
        var panel = PanelModel.Create("stat", 3, new GridPos(0, 0, 6, 4));
        var cut = Ctx.Render<PanelEditor>(p => p.Add(c => c.Panel, panel));
        Assert.Empty(cut.FindAll("#panel-maxperrow"));

        cut.Find("#panel-repeat").Input("$instance");
        cut.Find("#panel-maxperrow").Input("3");
        Assert.Equal("instance", GrafanaJson.Str(panel.Json["repeat"]));
        Assert.Equal(3, GrafanaJson.Num(panel.Json["maxPerRow"]));
        Assert.Equal("h", panel.RepeatDirection);

        cut.Find("#panel-repeat").Input("");
        Assert.Null(panel.Json["repeat"]);
        Assert.Null(panel.Json["maxPerRow"]);
    }
}
