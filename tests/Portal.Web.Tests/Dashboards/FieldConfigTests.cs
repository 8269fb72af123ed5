using System.Text.Json.Nodes;
using Portal.Model;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Value mappings, field overrides and the migration of the graph and singlestat panels' equivalents.</summary>
public sealed class FieldConfigTests
{
    private static JsonArray Mappings() => (JsonArray)JsonNode.Parse("""
        [
          { "type": "value", "options": { "1": { "text": "UP", "color": "green", "index": 0 }, "0": { "text": "DOWN", "color": "red", "index": 1 } } },
          { "type": "range", "options": { "from": 10, "to": 20, "result": { "text": "ten to twenty", "color": "orange", "index": 2 } } },
          { "type": "range", "options": { "from": 100, "to": null, "result": { "color": "purple", "index": 3 } } },
          { "type": "regex", "options": { "pattern": "/^4(\\d)$/", "result": { "text": "forty-$1", "index": 4 } } },
          { "type": "special", "options": { "match": "null", "result": { "text": "absent", "color": "blue", "index": 5 } } },
          { "type": "special", "options": { "match": "true", "result": { "text": "yes", "index": 6 } } }
        ]
        """)!;

    [Theory]
    [InlineData(1.0, "UP", "green")]
    [InlineData(0.0, "DOWN", "red")]
    [InlineData(10.0, "ten to twenty", "orange")]
    [InlineData(15.5, "ten to twenty", "orange")]
    [InlineData(20.0, "ten to twenty", "orange")]
    [InlineData(250.0, null, "purple")]
    [InlineData(42.0, "forty-2", null)]
    [InlineData(null, "absent", "blue")]
    public void MappingsMatchInOrderAsGrafanaDoes(double? value, string? text, string? color)
    {
        var m = ValueMappings.Parse(Mappings()).Match(value);
        Assert.NotNull(m);
        Assert.Equal(text, m.Text);
        Assert.Equal(color, m.Color);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(20.5)]
    [InlineData(5.0)]
    [InlineData(99.5)]
    public void ValuesNoMappingMatchesKeepTheirText(double value) => Assert.Null(ValueMappings.Parse(Mappings()).Match(value));

    [Fact]
    public void TrueAndFalseMatchNoNumberAndRegexWithoutSlashesMatchesWholeText()
    {
        var mappings = ValueMappings.Parse(JsonNode.Parse("""
            [ { "type": "special", "options": { "match": "true", "result": { "text": "yes" } } },
              { "type": "regex", "options": { "pattern": "1.5", "result": { "text": "one and a half" } } } ]
            """));
        Assert.Null(mappings.Match(1));
        Assert.Equal("one and a half", mappings.Match(1.5)!.Text);
        Assert.Null(mappings.Match(11.5));
        Assert.Equal("yes", mappings.MatchText("true")!.Text);
    }

    [Fact]
    public void Grafana7MappingsAreReadToo()
    {
        var mappings = ValueMappings.Parse(JsonNode.Parse("""
            [ { "id": 0, "type": 1, "value": "1", "text": "ON" }, { "id": 1, "type": 2, "from": "2", "to": "5", "text": "SOME" }, { "id": 2, "type": 1, "value": "null", "text": "N/A" } ]
            """));
        Assert.Equal("ON", mappings.Match(1)!.Text);
        Assert.Equal("SOME", mappings.Match(3)!.Text);
        Assert.Equal("N/A", mappings.Match(null)!.Text);
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(-3.25, "-3.25")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    public void NumbersAreKeyedAsJavaScriptWritesThem(double v, string expected) => Assert.Equal(expected, ValueMappings.NumberText(v));

    [Fact]
    public void DisplayUsesTheMappingsTextAndColourOverUnitAndThresholds()
    {
        var panel = PanelModel.Create("stat", 1, new GridPos(0, 0, 6, 4));
        panel.Unit = "percent";
        panel.Thresholds = [new(null, "green"), new(80, "red")];
        panel.Json["fieldConfig"]!["defaults"]!["mappings"] = Mappings();
        var field = FieldOverrides.Defaults(panel);
        Assert.Equal(new DisplayValue("UP", "#73bf69"), FieldDisplay.Display(1, field));
        Assert.Equal(new DisplayValue("250%", "#b877d9"), FieldDisplay.Display(250, field));
        Assert.Equal(new DisplayValue("90%", "#f2495c"), FieldDisplay.Display(90, field));
    }

    private static PanelSeries Series(string name, string refId = "A", params string[] labels) =>
        new(name, Labels.FromStrings(labels), refId, [0, 15_000], [1, 2], 15_000);

    private static PanelModel PanelWithOverrides(string overrides, string? defaultsJson = null)
    {
        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        panel.Json["fieldConfig"]!["overrides"] = JsonNode.Parse(overrides);
        if (defaultsJson is not null) panel.Json["fieldConfig"]!["defaults"] = JsonNode.Parse(defaultsJson);
        return panel;
    }

    [Fact]
    public void OverridesMatchByNameRegexAndQueryAndApplyTheirProperties()
    {
        var panel = PanelWithOverrides("""
            [
              { "matcher": { "id": "byName", "options": "errors" }, "properties": [
                  { "id": "color", "value": { "mode": "fixed", "fixedColor": "red" } },
                  { "id": "custom.axisPlacement", "value": "right" }, { "id": "unit", "value": "reqps" },
                  { "id": "displayName", "value": "Errors per second" } ] },
              { "matcher": { "id": "byRegexp", "options": "/^web-.*/" }, "properties": [
                  { "id": "custom.drawStyle", "value": "bars" }, { "id": "custom.fillOpacity", "value": 80 }, { "id": "custom.lineWidth", "value": 3 },
                  { "id": "custom.stacking", "value": { "mode": "normal", "group": "web" } } ] },
              { "matcher": { "id": "byFrameRefID", "options": "B" }, "properties": [
                  { "id": "custom.hideFrom", "value": { "viz": true, "legend": false, "tooltip": true } } ] },
              { "matcher": { "id": "byRegexp", "options": "web-2" }, "properties": [ { "id": "custom.lineWidth", "value": 5 } ] }
            ]
            """);
        var series = new[] { Series("errors"), Series("web-1"), Series("web-2"), Series("db", "B"), Series("xweb-2") };
        var fields = FieldOverrides.Resolve(panel, series);

        Assert.Equal("Errors per second", fields[0].DisplayName);
        Assert.Equal("#f2495c", fields[0].Color);
        Assert.Equal("right", fields[0].AxisPlacement);
        Assert.Equal("reqps", fields[0].Unit);
        Assert.Equal(("bars", 80.0, 3.0, "normal", "web"), (fields[1].DrawStyle, fields[1].FillOpacity, fields[1].LineWidth, fields[1].StackMode, fields[1].StackGroup));
        Assert.Equal(5, fields[2].LineWidth); // the later override wins
        Assert.True(fields[3].HideFromViz && fields[3].HideFromTooltip && !fields[3].HideFromLegend);
        Assert.Equal("db", fields[3].DisplayName);
        Assert.Equal(1, fields[4].LineWidth); // a pattern without slashes must match the whole name
        Assert.Null(fields[4].Color);
    }

    [Fact]
    public void ByNamesExcludeHidesEveryOtherSeriesAsGrafanasLegendIsolationWritesIt()
    {
        var panel = PanelWithOverrides("""
            [ { "__systemRef": "hideSeriesFrom", "matcher": { "id": "byNames", "options": { "mode": "exclude", "names": ["web-1"], "prefix": "All except:", "readOnly": true } },
                "properties": [ { "id": "custom.hideFrom", "value": { "viz": true, "legend": false, "tooltip": false } } ] } ]
            """);
        var fields = FieldOverrides.Resolve(panel, [Series("web-1"), Series("web-2"), Series("db")]);
        Assert.Equal([false, true, true], fields.Select(f => f.HideFromViz));
    }

    [Fact]
    public void GaugesCarryTheMappedTextAndColour()
    {
        var panel = PanelModel.Create("gauge", 1, new GridPos(0, 0, 6, 6));
        panel.Json["fieldConfig"]!["defaults"]!["mappings"] = Mappings();
        var data = new PanelData([Series("up"), new PanelSeries("down", Labels.Empty, "A", [0], [0], 15_000)], null, 0, 15_000, 15_000, []);
        var payload = System.Text.Json.JsonSerializer.Serialize(PanelPayloads.Gauge(panel, data, FieldOverrides.Resolve(panel, data.Series)));
        Assert.Contains("""{"name":"up","value":2,"text":null,"color":null}""", payload);
        Assert.Contains("""{"name":"down","value":0,"text":"DOWN","color":"#f2495c"}""", payload);
    }

    [Fact]
    public void DisplayNameTemplatesAndDefaultsRenameSeriesBeforeMatchers()
    {
        var panel = PanelWithOverrides("""
            [ { "matcher": { "id": "byName", "options": "host web-1" }, "properties": [ { "id": "displayName", "value": "${__field.labels.job} on ${__field.labels.instance}" } ] } ]
            """, """{ "displayName": "host ${__field.labels.instance}", "custom": {} }""");
        var s = Series("up{instance=\"web-1\"}", "A", "__name__", "up", "instance", "web-1", "job", "node");
        var (data, fields) = FieldOverrides.Apply(panel, new PanelData([s], null, 0, 15_000, 15_000, []));
        Assert.Equal("node on web-1", fields[0].DisplayName);
        Assert.Equal("node on web-1", data.Series[0].Name);
        Assert.Same(s.T, data.Series[0].T);
    }

    [Fact]
    public void GraphSeriesOverridesMigrateAsGrafanasTimeSeriesMigrationWritesThem()
    {
        var dashboard = (JsonObject)JsonNode.Parse("""
            { "title": "g", "schemaVersion": 16, "panels": [ { "id": 1, "type": "graph", "title": "Traffic",
              "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
              "yaxes": [ { "format": "bytes", "show": true }, { "format": "percent", "show": true, "min": 0, "max": 100, "label": "ratio" } ],
              "seriesOverrides": [
                { "alias": "errors", "yaxis": 2, "color": "#FF0000", "linewidth": 3 },
                { "alias": "/web-\\d/", "bars": true, "stack": "B" },
                { "alias": "idle", "lines": false, "fill": 4, "stack": true },
                { "$$hashKey": "object:1", "fill": 2 }
              ],
              "hiddenSeries": { "noise": true },
              "targets": [ { "refId": "A", "expr": "up" } ] } ] }
            """)!;
        var panel = new PanelModel((JsonObject)DashboardMigrator.Migrate(dashboard)["panels"]![0]!);
        Assert.Equal("timeseries", panel.Type);
        Assert.Null(panel.Json["seriesOverrides"]);
        var overrides = (JsonArray)panel.Json["fieldConfig"]!["overrides"]!;
        Assert.Equal(4, overrides.Count);

        Assert.Equal("""{"id":"byName","options":"errors"}""", overrides[0]!["matcher"]!.ToJsonString());
        var errorProps = ((JsonArray)overrides[0]!["properties"]!).Select(p => (string)p!["id"]!).ToList();
        Assert.Equal(["unit", "min", "max", "custom.axisPlacement", "custom.axisLabel", "color", "custom.lineWidth"], errorProps);
        Assert.Equal("byRegexp", (string)overrides[1]!["matcher"]!["id"]!);
        Assert.Equal("""[{"id":"custom.drawStyle","value":"bars"},{"id":"custom.fillOpacity","value":100},{"id":"custom.stacking","value":{"mode":"normal","group":"B"}}]""",
            overrides[1]!["properties"]!.ToJsonString());
        Assert.Equal("""[{"id":"custom.lineWidth","value":0},{"id":"custom.fillOpacity","value":40},{"id":"custom.stacking","value":{"mode":"normal","group":"A"}}]""",
            overrides[2]!["properties"]!.ToJsonString());
        Assert.Equal("""{"legend":false,"tooltip":false,"viz":true}""", overrides[3]!["properties"]![0]!["value"]!.ToJsonString());

        var fields = FieldOverrides.Resolve(panel, [Series("errors"), Series("web-1"), Series("noise")]);
        Assert.Equal(("right", "percent", "#FF0000", 3.0), (fields[0].AxisPlacement, fields[0].Unit, fields[0].Color, fields[0].LineWidth));
        Assert.Equal("bars", fields[1].DrawStyle);
        Assert.True(fields[2].HideFromViz);
    }

    [Fact]
    public void SinglestatValueAndRangeMapsBecomeMappingsColouredByThresholds()
    {
        var dashboard = (JsonObject)JsonNode.Parse("""
            { "title": "s", "panels": [
              { "id": 1, "type": "singlestat", "thresholds": "1,2", "colors": ["red", "orange", "green"], "mappingType": 1,
                "valueMaps": [ { "op": "=", "value": "1", "text": "1" }, { "op": "=", "value": "0", "text": "DOWN" }, { "op": "=", "value": "null", "text": "N/A" } ],
                "rangeMaps": [ { "from": "5", "to": "9", "text": "ignored: mappingType is 1" } ] },
              { "id": 2, "type": "singlestat", "rangeMaps": [ { "from": "0", "to": "10", "text": "low" } ] },
              { "id": 3, "type": "stat", "fieldConfig": { "defaults": { "mappings": [ { "id": 0, "type": 1, "value": "3", "text": "three" } ] }, "overrides": [] } }
            ] }
            """)!;
        var panels = (JsonArray)DashboardMigrator.Migrate(dashboard)["panels"]!;
        var first = panels[0]!["fieldConfig"]!["defaults"]!["mappings"]!;
        Assert.Equal("value", (string)first[0]!["type"]!);
        Assert.Equal("orange", (string)first[0]!["options"]!["1"]!["color"]!); // the text "1" lies in the threshold step from 1
        Assert.Equal("DOWN", (string)first[0]!["options"]!["0"]!["text"]!);
        Assert.Equal("special", (string)first[1]!["type"]!);
        Assert.Equal(2, ((JsonArray)first).Count);
        Assert.Null(panels[0]!["valueMaps"]);

        var second = ValueMappings.Parse(panels[1]!["fieldConfig"]!["defaults"]!["mappings"]);
        Assert.Equal("low", second.Match(7)!.Text);
        Assert.Null(second.Match(11));
        var third = panels[2]!["fieldConfig"]!["defaults"]!["mappings"]!;
        Assert.Equal("""[{"type":"value","options":{"3":{"text":"three","index":0}}}]""", third.ToJsonString());
    }
}
