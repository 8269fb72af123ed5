using System.Text.Json.Nodes;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Repeat panels and rows, annotation events, and <c>$__rate_interval</c> from the tenant's scrape interval.</summary>
public sealed class RepeatAndAnnotationTests : IDisposable
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "portal-dash-repeat-" + Guid.NewGuid().ToString("N"));
    private readonly TenantEngineRegistry _engines;

    public RepeatAndAnnotationTests() => _engines = new TenantEngineRegistry(_storage, _ => new TenantLimits());

    public void Dispose()
    {
        _engines.Dispose();
        if (Directory.Exists(_storage)) Directory.Delete(_storage, recursive: true);
    }

    private static Dictionary<string, VariableValue> Values(params string[] instances) =>
        new(StringComparer.Ordinal) { ["instance"] = new VariableValue(instances, true) };

    private static (JsonObject Dashboard, List<PanelModel> Visible) Dashboard(string panels)
    {
        var d = DashboardMigrator.Migrate((JsonObject)JsonNode.Parse($$"""{ "title": "r", "panels": {{panels}} }""")!);
        return (d, GridLayout.Visible((JsonArray)d["panels"]!));
    }

    [Fact]
    public void PanelsRepeatHorizontallyOnePerValueAndCopiesStayOutOfTheJson()
    {
        var (d, visible) = Dashboard("""
            [ { "id": 1, "type": "stat", "title": "Load $instance", "repeat": "instance", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 } },
              { "id": 2, "type": "stat", "title": "Below", "gridPos": { "x": 0, "y": 8, "w": 24, "h": 4 } } ]
            """);
        var before = d.DeepClone();
        var layout = PanelRepeats.Expand(visible, Values("a", "b", "c"));

        Assert.Equal(4, layout.Count);
        Assert.Equal([new GridPos(0, 0, 8, 8), new GridPos(8, 0, 8, 8), new GridPos(16, 0, 8, 8), new GridPos(0, 8, 24, 4)], layout.Select(x => x.Pos));
        Assert.Equal(["a", "b", "c"], layout.Take(3).Select(x => x.Scope!["instance"].Values.Single()));
        Assert.Same(visible[0].Json, layout[0].Panel.Json);
        Assert.False(layout[0].IsCopy);
        Assert.True(layout[1].IsCopy && layout[2].IsCopy);
        Assert.All(layout.Skip(1).Take(2), x => Assert.Equal(1, (int)x.Panel.Json["repeatPanelId"]!));
        Assert.Equal(3, layout.Take(3).Select(x => x.Panel.Id).Distinct().Count());
        Assert.Equal(layout.Select(x => x.Panel.Id), PanelRepeats.Expand(visible, Values("a", "b", "c")).Select(x => x.Panel.Id));
        Assert.True(JsonNode.DeepEquals(before, d), "repeating must not change the dashboard's JSON");
        var variables = layout[1].Variables(Values("a", "b", "c"));
        Assert.Equal("Load b", new Interpolator(variables, new Dictionary<string, string>()).Interpolate(layout[1].Panel.Title));
        Assert.Equal("\\\\.", new Interpolator(new Dictionary<string, VariableValue> { ["x"] = PanelRepeats.ValuesOf("x", new Dictionary<string, VariableValue> { ["x"] = new(["."], true) })[0] }, new Dictionary<string, string>()).Interpolate("$x"));
    }

    [Fact]
    public void MaxPerRowWrapsAndPushesThePanelsBelowDown()
    {
        var (_, visible) = Dashboard("""
            [ { "id": 1, "type": "gauge", "repeat": "instance", "repeatDirection": "h", "maxPerRow": 4, "gridPos": { "x": 0, "y": 0, "w": 6, "h": 5 } },
              { "id": 2, "type": "stat", "gridPos": { "x": 0, "y": 5, "w": 24, "h": 4 } } ]
            """);
        var layout = PanelRepeats.Expand(visible, Values("a", "b", "c", "d", "e", "f"));
        Assert.Equal([new GridPos(0, 0, 6, 5), new GridPos(6, 0, 6, 5), new GridPos(12, 0, 6, 5), new GridPos(18, 0, 6, 5), new GridPos(0, 5, 6, 5), new GridPos(6, 5, 6, 5), new GridPos(0, 10, 24, 4)],
            layout.Select(x => x.Pos));
    }

    [Fact]
    public void VerticalRepeatsStackAtThePanelsWidth()
    {
        var (_, visible) = Dashboard("""
            [ { "id": 1, "type": "timeseries", "repeat": "instance", "repeatDirection": "v", "gridPos": { "x": 4, "y": 0, "w": 10, "h": 5 } },
              { "id": 2, "type": "stat", "gridPos": { "x": 0, "y": 5, "w": 24, "h": 4 } } ]
            """);
        var layout = PanelRepeats.Expand(visible, Values("a", "b", "c"));
        Assert.Equal([new GridPos(4, 0, 10, 5), new GridPos(4, 5, 10, 5), new GridPos(4, 10, 10, 5), new GridPos(0, 15, 24, 4)], layout.Select(x => x.Pos));
        Assert.Single(PanelRepeats.Expand(visible, Values()), x => x.Panel.Id == 1);
    }

    [Fact]
    public void RowsRepeatWithTheirPanels()
    {
        var (_, visible) = Dashboard("""
            [ { "id": 1, "type": "row", "title": "Host $instance", "repeat": "instance", "collapsed": false, "panels": [], "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 } },
              { "id": 2, "type": "stat", "title": "CPU", "gridPos": { "x": 0, "y": 1, "w": 12, "h": 4 } },
              { "id": 3, "type": "stat", "title": "Memory", "gridPos": { "x": 12, "y": 1, "w": 12, "h": 4 } },
              { "id": 4, "type": "row", "title": "Other", "collapsed": false, "panels": [], "gridPos": { "x": 0, "y": 5, "w": 24, "h": 1 } },
              { "id": 5, "type": "stat", "title": "Total", "gridPos": { "x": 0, "y": 6, "w": 24, "h": 3 } } ]
            """);
        var layout = PanelRepeats.Expand(visible, Values("a", "b"));
        Assert.Equal(["Host $instance:0:a", "CPU:1:a", "Memory:1:a", "Host $instance:5:b", "CPU:6:b", "Memory:6:b", "Other:10:", "Total:11:"],
            layout.Select(x => $"{x.Panel.Title}:{x.Pos.Y}:{x.Scope?.GetValueOrDefault("instance")?.Values[0]}"));
        Assert.Equal([false, false, false, true, true, true, false, false], layout.Select(x => x.IsCopy));
        Assert.Equal(1, (int)layout[3].Panel.Json["repeatedRowId"]!);
        Assert.Equal(2, (int)layout[4].Panel.Json["repeatPanelId"]!);
    }

    private static AnnotationModel Annotation(string json) => new((JsonObject)JsonNode.Parse(json)!);

    [Fact]
    public void ActiveSamplesAStepApartJoinIntoRegions()
    {
        var a = Annotation("""{ "name": "Deploys", "expr": "deploy", "titleFormat": "{{job}} deployed", "textFormat": "version {{version}}", "tagKeys": "job, version, missing", "iconColor": "blue" }""");
        var labels = Labels.FromStrings("job", "api", "version", "1.2");
        var samples = new List<(long, double)> { (0, 1), (60_000, 1), (120_000, 2), (180_000, 0), (300_000, 1), (420_000, 0.5) };
        var events = AnnotationRunner.Events(a, [(labels, samples)], 60_000);
        Assert.Equal(2, events.Count);
        Assert.Equal((0L, 120_000L, true), (events[0].Time, events[0].TimeEnd, events[0].IsRegion));
        Assert.Equal((300_000L, 300_000L, false), (events[1].Time, events[1].TimeEnd, events[1].IsRegion));
        Assert.Equal("api deployed", events[0].Title);
        Assert.Equal("version 1.2", events[0].Text);
        Assert.Equal(["api", "1.2"], events[0].Tags);
        Assert.Equal("blue", events[0].Color);

        var byValue = Annotation("""{ "name": "Restarts", "expr": "x", "useValueForTime": true }""");
        var times = AnnotationRunner.Events(byValue, [(Labels.Empty, new List<(long, double)> { (0, 1_700_000_000_000), (60_000, 1_700_000_000_000) })], 60_000);
        Assert.Equal((1_700_000_000_000L, 1_700_000_000_000L), (times.Single().Time, times.Single().TimeEnd));
    }

    [Fact]
    public void BuiltInAnnotationsAreLeftOutAndFiltersPickPanels()
    {
        var d = (JsonObject)JsonNode.Parse("""
            { "annotations": { "list": [
              { "builtIn": 1, "datasource": { "type": "grafana", "uid": "-- Grafana --" }, "enable": true, "name": "Annotations & Alerts" },
              { "name": "Deploys", "datasource": { "type": "prometheus", "uid": "p" }, "expr": "changes(build_info[5m]) > 0", "enable": false, "step": "30s" },
              { "name": "Only 7", "expr": "up == 0", "filter": { "ids": [7], "exclude": false } },
              { "name": "No query", "expr": "" } ] } }
            """)!;
        var list = AnnotationModel.List(d);
        Assert.Equal(["Deploys", "Only 7"], list.Select(a => a.Name));
        Assert.False(list[0].Enable);
        Assert.Equal("30s", list[0].Step);
        Assert.True(list[0].ShowsOn(3));
        Assert.True(list[1].ShowsOn(7));
        Assert.False(list[1].ShowsOn(3));
    }

    [Fact]
    public async Task AnnotationQueriesRunOnTheTenantsEngine()
    {
        var engine = _engines.Get("team-a");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var app = engine.Appendable.Appender();
        for (int i = 0; i <= 60; i++)
            app.Append(SeriesRef.None, Labels.FromStrings("__name__", "maintenance", "team", "db"), now - 3_600_000 + i * 60_000L, i is >= 10 and <= 15 ? 1 : 0);
        app.Commit();

        var a = Annotation("""{ "name": "Maintenance", "expr": "maintenance{team=\"$team\"}", "step": "1m", "titleFormat": "{{team}} maintenance" }""");
        var values = new Dictionary<string, VariableValue> { ["team"] = new(["db"], false) };
        var runner = new AnnotationRunner(engine);
        var events = await runner.RunAsync(a, now - 3_600_000, now, new Interpolator(values, new Dictionary<string, string>()), default);
        var e = Assert.Single(events);
        Assert.Equal((now - 3_000_000, now - 2_700_000), (e.Time, e.TimeEnd));
        Assert.Equal("db maintenance", e.Title);

        var bad = Annotation("""{ "name": "Broken", "expr": "sum(" }""");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(bad, now - 3_600_000, now, new Interpolator(values, new Dictionary<string, string>()), default));
        Assert.StartsWith("annotation \"Broken\":", error.Message);
    }

    [Fact]
    public async Task RateIntervalFollowsTheTenantsGlobalScrapeInterval()
    {
        var engine = _engines.Get("team-r");
        var runner = new DashboardRunner(engine);
        Assert.Equal(DashboardRunner.DefaultScrapeIntervalMs, runner.ScrapeIntervalMs);

        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        panel.Targets[0].Expr = "vector($__rate_interval_ms)";
        panel.Targets[0].Instant = true;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var none = new Dictionary<string, VariableValue>();
        var data = await runner.RunPanelAsync(panel, now - 3_600_000, now, none, 720, default);
        Assert.Equal(60_000.0, data.Series.Single().Last!.Value); // max(15s + 15s, 4 × 15s)

        engine.Scrape.ApplyConfig("global:\n  scrape_interval: 30s\n");
        Assert.Equal(30_000, runner.ScrapeIntervalMs);
        data = await runner.RunPanelAsync(panel, now - 3_600_000, now, none, 720, default);
        Assert.Equal(120_000.0, data.Series.Single().Last!.Value); // max(30s + 30s, 4 × 30s): the interval is at least the scrape interval
        data = await runner.RunPanelAsync(panel, now - 86_400_000, now, none, 720, default);
        Assert.Equal(150_000.0, data.Series.Single().Last!.Value); // 1 day / 720 points = 2m interval, + 30s
    }
}
