using System.Text.Json.Nodes;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Import, migration and export of Grafana dashboards.</summary>
public sealed class GrafanaModelTests
{
    public static TheoryData<string> Files => DashboardTestData.All();

    private static JsonObject Without(JsonObject o, params string[] keys)
    {
        var copy = (JsonObject)o.DeepClone();
        foreach (var k in keys) copy.Remove(k);
        return copy;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ImportThenExportGivesTheSameJsonBack(string file)
    {
        var original = GrafanaJson.ParseObject(DashboardTestData.Read(file));
        var imported = DashboardImport.Prepare(original.ToJsonString());
        var exported = GrafanaJson.ParseObject(DashboardImport.Export(imported));
        Assert.Null(exported["id"]);
        Assert.True(JsonNode.DeepEquals(Without(original, "id"), Without(exported, "id")), "export differs from the imported file");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void MigrationIsIdempotentAndSurvivesExportAndReimport(string file)
    {
        var migrated = DashboardMigrator.Migrate(DashboardImport.Prepare(DashboardTestData.Read(file)));
        Assert.Equal(DashboardMigrator.CurrentSchemaVersion, GrafanaJson.Num(migrated["schemaVersion"]));
        Assert.True(JsonNode.DeepEquals(migrated, DashboardMigrator.Migrate(migrated)), "migrating twice changes the model");

        var reimported = DashboardMigrator.Migrate(DashboardImport.Prepare(DashboardImport.Export(migrated)));
        Assert.True(JsonNode.DeepEquals(Without(migrated, "id"), Without(reimported, "id")), "export of the migrated model does not import to the same model");
        foreach (var p in DashboardMigrator.AllPanels(GrafanaJson.Arr(migrated, "panels")))
        {
            var panel = new PanelModel(p);
            Assert.Contains(panel.Type, PanelModel.Types.Append("row"));
            Assert.True(panel.Pos.W is >= 1 and <= 24);
        }
    }

    [Fact]
    public void GraphPanelsBecomeTimeSeriesWithUnitsAxesLegendAndThresholds()
    {
        var d = DashboardMigrator.Migrate(GrafanaJson.ParseObject(DashboardTestData.Read("rows-graph-v16.json")));
        var panels = GrafanaJson.Arr(d, "panels").OfType<JsonObject>().Select(p => new PanelModel(p)).ToList();
        var cpu = panels.Single(p => p.Title == "CPU");
        Assert.Equal("timeseries", cpu.Type);
        Assert.Equal("percentunit", cpu.Unit);
        Assert.Equal(0, cpu.Min);
        Assert.Equal(1, cpu.Max);
        Assert.Equal(1, cpu.Decimals);
        Assert.Equal("normal", cpu.StackMode);
        Assert.Equal(10, cpu.FillOpacity);
        Assert.Equal("right", cpu.LegendPlacement);
        Assert.Equal(["lastNotNull", "max"], cpu.LegendCalcs);
        Assert.Equal([new ThresholdStep(null, "green"), new ThresholdStep(0.7, "orange"), new ThresholdStep(0.9, "red")], cpu.Thresholds);
        Assert.Equal("line+area", cpu.ThresholdsStyle);
        Assert.Equal("{{mode}}", cpu.Targets[0].LegendFormat);
        Assert.Equal(new GridPos(0, 1, 12, 8), cpu.Pos);
        Assert.Null(cpu.Json["yaxes"]);
        Assert.Equal("$datasource", GrafanaJson.Str(cpu.Json["datasource"]));

        var mem = panels.Single(p => p.Title == "Memory available");
        Assert.Equal("bytes", mem.Unit);
        Assert.False(mem.ShowLegend);
        Assert.True(mem.SpanNulls);
        Assert.Equal("stepAfter", mem.LineInterpolation);
        Assert.Equal("1m", mem.Targets[0].MinStep);

        var details = panels.Single(p => p.IsRow && p.Title == "Details");
        Assert.True(details.Collapsed);
        var notes = new PanelModel((JsonObject)details.RowPanels[0]!);
        Assert.Equal("text", notes.Type);
        Assert.Equal("markdown", notes.TextMode);
        Assert.StartsWith("# Notes", notes.TextContent);
    }

    [Fact]
    public void LegacyRowsBecomeRowPanelsOnTheGrid()
    {
        var d = DashboardMigrator.Migrate(GrafanaJson.ParseObject(DashboardTestData.Read("legacy-rows-v14.json")));
        Assert.Null(d["rows"]);
        var panels = GrafanaJson.Arr(d, "panels").OfType<JsonObject>().Select(p => new PanelModel(p)).ToList();
        Assert.Equal(["Overview", "Load", "Up targets", "Disks"], panels.Select(p => p.Title));
        Assert.Equal(new GridPos(0, 0, 24, 1), panels[0].Pos);
        Assert.Equal(new GridPos(0, 1, 12, 7), panels[1].Pos);
        Assert.Equal(new GridPos(12, 1, 12, 7), panels[2].Pos);
        Assert.Equal(new GridPos(0, 8, 24, 1), panels[3].Pos);

        var load = panels[1];
        Assert.Equal("timeseries", load.Type);
        Assert.Equal("table", load.LegendDisplay);
        Assert.Equal(["mean", "lastNotNull"], load.LegendCalcs);
        Assert.Equal(20, load.FillOpacity);
        Assert.Equal(2, load.Targets[0].IntervalFactor);
        Assert.Equal("#FF0000", load.FixedColors["web-1:9100"]);

        var up = panels[2];
        Assert.Equal("stat", up.Type);
        Assert.Equal("none", up.Unit);
        Assert.Equal("lastNotNull", up.ReduceCalc);
        Assert.Equal("area", up.GraphMode);
        Assert.Equal([1.0, 2.0], up.Thresholds.Where(t => t.Value is not null).Select(t => t.Value!.Value));

        var disks = panels[3];
        Assert.True(disks.Collapsed);
        var io = new PanelModel((JsonObject)disks.RowPanels[0]!);
        Assert.Equal("bars", io.DrawStyle);
        Assert.Equal("Bps", io.Unit);
        Assert.Equal(new GridPos(0, 9, 24, 8), io.Pos);
    }

    [Fact]
    public void CurrentPanelsKeepFieldsThePortalDoesNotKnow()
    {
        var d = DashboardMigrator.Migrate(GrafanaJson.ParseObject(DashboardTestData.Read("full-v39.json")));
        Assert.Equal(3, (d["x-portal-unknown"]!["kept"] as JsonArray)!.Count);
        var latency = new PanelModel((JsonObject)GrafanaJson.Arr(d, "panels")[0]!);
        Assert.Equal("10.4.1", GrafanaJson.Str(latency.Json["pluginVersion"]));
        Assert.Equal("code", GrafanaJson.Str(latency.Targets[0].Json["editorMode"]));
        latency.Unit = "ms";
        latency.Title = "Latency (ms)";
        Assert.Equal("auto", GrafanaJson.Str(latency.Json["fieldConfig"]!["defaults"]!["custom"]!["axisPlacement"]));
        Assert.Equal("ms", GrafanaJson.Str(latency.Json["fieldConfig"]!["defaults"]!["unit"]));
        Assert.Equal("bars", latency.DrawStyle);
        Assert.Equal("normal", latency.StackMode);
        Assert.Equal("seconds", latency.AxisLabel);
    }

    [Fact]
    public void V27PanelTypesAndVariablesAreRead()
    {
        var d = DashboardMigrator.Migrate(GrafanaJson.ParseObject(DashboardTestData.Read("panels-v27.json")));
        var panels = GrafanaJson.Arr(d, "panels").OfType<JsonObject>().Select(p => new PanelModel(p)).ToList();
        Assert.Equal(["timeseries", "stat", "gauge", "bargauge", "table", "text"], panels.Select(p => p.Type));
        Assert.Equal("blue", panels[0].FixedColors["GET"]);
        Assert.Equal("table", panels[0].LegendDisplay);
        Assert.True(panels[4].Targets[0].Instant);
        Assert.Equal("mean", panels[2].ReduceCalc);
        Assert.Contains("On call", panels[5].TextContent);

        var vars = (d["templating"]!["list"] as JsonArray)!.OfType<JsonObject>().Select(v => new VariableModel(v)).ToList();
        Assert.Equal("label_values(up, job)", vars[0].Query);
        Assert.True(vars[0].Multi);
        Assert.Equal(".*", vars[0].CustomAllValue);
        Assert.Equal(["api"], vars[0].Current);
        Assert.Equal(["1m", "5m", "10m"], VariableModel.CustomValues(vars[1].Query));
        Assert.Equal(["prod", "stg", "dev"], VariableModel.CustomValues(vars[2].Query));
    }

    [SeedFact]
    public void SeedNodeDashboardImportsWithBothPanelsAsTimeSeries()
    {
        var text = File.ReadAllText(DashboardTestData.SeedDashboard);
        var imported = DashboardImport.Prepare(text);
        Assert.True(JsonNode.DeepEquals(Without(GrafanaJson.ParseObject(text), "id"), Without(GrafanaJson.ParseObject(DashboardImport.Export(imported)), "id")));

        var d = DashboardMigrator.Migrate(imported);
        var panels = GrafanaJson.Arr(d, "panels").OfType<JsonObject>().Select(p => new PanelModel(p)).ToList();
        Assert.Equal(["Free Memory", "CPU Usage"], panels.Select(p => p.Title));
        Assert.All(panels, p => Assert.Equal("timeseries", p.Type));
        Assert.Contains("node_memory_MemAvailable_bytes", panels[0].Targets[0].Expr);
        Assert.Equal("Mem / GB", panels[0].AxisLabel);
        Assert.Equal(0, panels[1].Min);
        Assert.Equal(100, panels[1].Max);
        Assert.Equal("CPU %", panels[1].AxisLabel);
        Assert.Equal(new GridPos(12, 0, 12, 9), panels[1].Pos);
        Assert.Equal("KchAVsdmk", GrafanaJson.Str(d["uid"]));
    }

    [Theory]
    [InlineData("", "the JSON is empty")]
    [InlineData("{\"title\": \"x\",", "not valid JSON at line 1")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"panels\": []}", "has no \"title\"")]
    [InlineData("{\"title\": \"t\", \"panels\": {}}", "\"panels\" must be an array")]
    [InlineData("{\"title\": \"t\", \"panels\": [1]}", "panels[0] must be an object")]
    [InlineData("{\"title\": \"t\", \"uid\": \"has space\"}", "may contain only letters")]
    public void BadImportsSayWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<DashboardImportException>(() => DashboardImport.Prepare(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ApiWrappedDashboardsImport()
    {
        var wrapped = "{\"dashboard\": {\"id\": 4, \"uid\": \"abc\", \"title\": \"Wrapped\", \"panels\": []}, \"meta\": {\"slug\": \"wrapped\"}}";
        var d = DashboardImport.Prepare(wrapped);
        Assert.Equal("Wrapped", GrafanaJson.Str(d["title"]));
        Assert.Null(d["id"]);
        Assert.Equal("abc", GrafanaJson.Str(d["uid"]));
    }
}
