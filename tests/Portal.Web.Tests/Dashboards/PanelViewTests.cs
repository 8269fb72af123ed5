using System.Text.Json.Nodes;
using Bunit;
using Portal.Model;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>What panels draw with value mappings and field overrides.</summary>
public sealed class PanelViewTests : MudComponentTest
{
    private static PanelSeries Series(string name, string refId, params double?[] values) =>
        new(name, Labels.FromStrings("__name__", "up", "instance", name), refId, values.Select((_, i) => i * 15_000L).ToArray(), values, 15_000);

    private static PanelData Data(params PanelSeries[] series) => new(series, null, 0, 60_000, 15_000, []);

    private static JsonArray UpDownMappings() => (JsonArray)JsonNode.Parse("""
        [ { "type": "value", "options": { "1": { "text": "UP", "color": "green" }, "0": { "text": "DOWN", "color": "dark-red" } } } ]
        """)!;

    [Fact]
    public void StatShowsTheMappedTextInTheMappedColour()
    {
        var panel = PanelModel.Create("stat", 1, new GridPos(0, 0, 6, 4));
        panel.Json["fieldConfig"]!["defaults"]!["mappings"] = UpDownMappings();
        panel.Json["options"]!["graphMode"] = "none";
        var cut = Ctx.Render<PanelView>(p => p.Add(c => c.Panel, panel).Add(c => c.Data, Data(Series("web-1", "A", 0, 1), Series("web-2", "A", 1, 0), Series("web-3", "A", 7))));
        var values = cut.FindAll("[data-testid=stat-value]");
        Assert.Equal(["UP", "DOWN", "7"], values.Select(v => v.TextContent.Trim()));
        Assert.Contains("color:#73bf69", values[0].GetAttribute("style"));
        Assert.Contains("color:#c4162a", values[1].GetAttribute("style"));
    }

    [Fact]
    public void BarGaugeAndTableShowMappedValues()
    {
        var bar = PanelModel.Create("bargauge", 1, new GridPos(0, 0, 6, 4));
        bar.Json["fieldConfig"]!["defaults"]!["mappings"] = UpDownMappings();
        var cut = Ctx.Render<PanelView>(p => p.Add(c => c.Panel, bar).Add(c => c.Data, Data(Series("web-1", "A", 1), Series("web-2", "A", 0))));
        Assert.Equal(["UP", "DOWN"], cut.FindAll("[data-testid=bargauge-value]").Select(v => v.TextContent.Trim()));

        var table = PanelModel.Create("table", 2, new GridPos(0, 0, 6, 4));
        table.Json["fieldConfig"]!["defaults"]!["mappings"] = JsonNode.Parse("""
            [ { "type": "value", "options": { "0": { "text": "DOWN", "color": "red" } } }, { "type": "regex", "options": { "pattern": "web-(\\d)", "result": { "text": "Web server $1" } } } ]
            """);
        table.Json["fieldConfig"]!["defaults"]!["custom"] = new JsonObject { ["cellOptions"] = new JsonObject { ["type"] = "color-background" } };
        var t = Ctx.Render<PanelView>(p => p.Add(c => c.Panel, table).Add(c => c.Data, Data(Series("web-1", "A", 0))));
        var cell = t.Find("[data-testid=table-value]");
        Assert.Equal("DOWN", cell.TextContent.Trim());
        Assert.Contains("background:#f2495c", cell.GetAttribute("style"));
        Assert.Contains("Web server 1", t.Find("[data-testid=panel-table]").TextContent);
    }

    [Fact]
    public void TheLegendUsesDisplayNameOverridesColoursAndHidesWhatOverridesHide()
    {
        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        panel.LegendCalcs = ["lastNotNull"];
        panel.Json["fieldConfig"]!["defaults"]!["mappings"] = UpDownMappings();
        panel.Json["fieldConfig"]!["overrides"] = JsonNode.Parse("""
            [ { "matcher": { "id": "byName", "options": "web-1" }, "properties": [ { "id": "displayName", "value": "Front end" }, { "id": "color", "value": { "mode": "fixed", "fixedColor": "#123456" } } ] },
              { "matcher": { "id": "byFrameRefID", "options": "B" }, "properties": [ { "id": "custom.hideFrom", "value": { "legend": true, "tooltip": false, "viz": false } } ] },
              { "matcher": { "id": "byRegexp", "options": "/db/" }, "properties": [ { "id": "custom.hideFrom", "value": { "legend": false, "tooltip": false, "viz": true } } ] } ]
            """);
        var cut = Ctx.Render<PanelView>(p => p.Add(c => c.Panel, panel)
            .Add(c => c.Data, Data(Series("web-1", "A", 1, 1), Series("web-2", "B", 1, 0), Series("db-1", "A", 0, 5))));

        var items = cut.FindAll("[data-testid=legend-item]");
        Assert.Equal(2, items.Count);
        Assert.Contains("Front end", items[0].TextContent);
        Assert.Contains("background:#123456", items[0].InnerHtml);
        Assert.Equal("UP", items[0].QuerySelector("[data-testid=legend-value]")!.TextContent.Trim());
        Assert.Contains("db-1", items[1].TextContent);
        Assert.Contains("off", items[1].ClassList);
        Assert.Equal("5", items[1].QuerySelector("[data-testid=legend-value]")!.TextContent.Trim());
    }

    [Fact]
    public void RepeatCopiesShowTheirTitleAndNoEditingControls()
    {
        var panel = PanelModel.Create("stat", 9, new GridPos(0, 0, 6, 4));
        panel.Title = "Load $instance";
        var cut = Ctx.Render<PanelView>(p => p.Add(c => c.Panel, panel).Add(c => c.Editing, true).Add(c => c.IsCopy, true).Add(c => c.DisplayTitle, "Load web-2"));
        Assert.Equal("Load web-2", cut.Find("[data-testid=panel-title]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=panel-edit]"));
        Assert.Empty(cut.FindAll("[data-resize-handle]"));
    }
}
