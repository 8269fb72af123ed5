using System.Text.Json.Nodes;
using Bunit;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The panel editor changes the panel's Grafana JSON in place and keeps what it does not edit.</summary>
public sealed class PanelEditorTests : MudComponentTest
{
    private static PanelModel Panel()
    {
        var p = PanelModel.Create("timeseries", 7, new GridPos(0, 0, 12, 8));
        p.Json["pluginVersion"] = "10.4.1";
        p.Targets[0].Expr = "up";
        return p;
    }

    [Fact]
    public void EditingQueriesWritesExprLegendFormatAndMinStep()
    {
        var panel = Panel();
        int changes = 0;
        var cut = Ctx.Render<PanelEditor>(ps => ps.Add(c => c.Panel, panel).Add(c => c.OnChange, () => changes++));

        cut.Find("#panel-title").Input("Load per instance");
        cut.Find("#expr-A").Input("node_load1{job=\"node\"}");
        cut.Find("#legend-A").Input("{{instance}}");
        cut.Find("#minstep-A").Input("30s");
        cut.Find("[data-testid=add-query]").Click();
        cut.Find("#expr-B").Input("sum(node_load1)");

        Assert.Equal("Load per instance", panel.Title);
        Assert.Equal(2, panel.Targets.Count);
        Assert.Equal("node_load1{job=\"node\"}", panel.Targets[0].Expr);
        Assert.Equal("{{instance}}", GrafanaJson.Str(panel.Targets[0].Json["legendFormat"]));
        Assert.Equal("30s", GrafanaJson.Str(panel.Targets[0].Json["interval"]));
        Assert.Equal("B", panel.Targets[1].RefId);
        Assert.Equal("sum(node_load1)", panel.Targets[1].Expr);
        Assert.Equal("10.4.1", GrafanaJson.Str(panel.Json["pluginVersion"]));
        Assert.True(changes >= 6);
    }

    [Fact]
    public void MinMaxAndThresholdsGoToTheFieldConfig()
    {
        var panel = Panel();
        var cut = Ctx.Render<PanelEditor>(ps => ps.Add(c => c.Panel, panel));

        cut.Find("#panel-min").Input("0");
        cut.Find("#panel-max").Input("100");
        Assert.Equal(2, cut.FindAll("[data-testid=threshold]").Count);
        cut.Find("[data-testid=add-threshold]").Click();
        Assert.Equal(3, cut.FindAll("[data-testid=threshold]").Count);
        cut.Find("#threshold-1").Change("70");

        var defaults = panel.Json["fieldConfig"]!["defaults"]!;
        Assert.Equal(0, GrafanaJson.Num(defaults["min"]));
        Assert.Equal(100, GrafanaJson.Num(defaults["max"]));
        Assert.Equal([null, 70.0, 90.0], panel.Thresholds.Select(t => t.Value));
        Assert.Equal("absolute", GrafanaJson.Str(defaults["thresholds"]!["mode"]));

        cut.Find("#panel-max").Input("");
        Assert.Null(defaults["max"]);
    }

    [Fact]
    public void AnInvalidQueryOrStepIsMarkedWhereItIs()
    {
        var panel = Panel();
        var cut = Ctx.Render<PanelEditor>(ps => ps.Add(c => c.Panel, panel));
        cut.Find("#expr-A").Input("sum(rate(x[5m])");
        cut.Find("#minstep-A").Input("soon");
        var text = cut.Markup;
        Assert.Contains("1:", text);
        Assert.Contains("a duration such as 15s or 1m", text);
    }

    [Fact]
    public void ATextPanelEditsItsMarkdown()
    {
        var panel = PanelModel.Create("text", 3, new GridPos(0, 0, 24, 4));
        var cut = Ctx.Render<PanelEditor>(ps => ps.Add(c => c.Panel, panel));
        Assert.Empty(cut.FindAll("[data-testid=query]"));
        cut.Find("#panel-content").Input("## Runbook\n\nCall **ops**.");
        Assert.Equal("## Runbook\n\nCall **ops**.", GrafanaJson.Str(panel.Json["options"]!["content"]));
        Assert.Equal("markdown", panel.TextMode);
    }

    [Fact]
    public void ThePanelViewRendersMarkdownWithoutRawHtml()
    {
        var panel = PanelModel.Create("text", 3, new GridPos(0, 0, 24, 4));
        panel.TextContent = "# Title\n\n<script>alert(1)</script> **bold**";
        var cut = Ctx.Render<PanelView>(ps => ps.Add(c => c.Panel, panel));
        var html = cut.Find("[data-testid=panel-text]").InnerHtml;
        Assert.Contains("<h1", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Fact]
    public void StatAndBarGaugePanelsShowReducedValuesWithUnitsAndThresholdColours()
    {
        var stat = PanelModel.Create("stat", 1, new GridPos(0, 0, 6, 4));
        stat.Unit = "percent";
        stat.Thresholds = [new ThresholdStep(null, "green"), new ThresholdStep(80, "red")];
        var labels = Portal.Model.Labels.FromStrings("instance", "a");
        var data = new PanelData([new PanelSeries("a", labels, "A", [1000, 2000], [50, 91], 1000)], null, 0, 2000, 1000, []);
        var cut = Ctx.Render<PanelView>(ps => ps.Add(c => c.Panel, stat).Add(c => c.Data, data));
        var value = cut.Find("[data-testid=stat-value]");
        Assert.Equal("91%", value.TextContent);
        Assert.Contains("#f2495c", value.GetAttribute("style"));

        var bars = PanelModel.Create("bargauge", 2, new GridPos(0, 0, 6, 4));
        bars.Max = 200;
        cut = Ctx.Render<PanelView>(ps => ps.Add(c => c.Panel, bars).Add(c => c.Data, data));
        Assert.Contains("width:45.5%", cut.Find(".portal-bargauge-fill").GetAttribute("style"));
    }
}
