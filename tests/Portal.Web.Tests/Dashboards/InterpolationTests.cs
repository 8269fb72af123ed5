using System.Text.Json.Nodes;
using Portal.Model;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>Template variables, built-ins, legend format, steps and time ranges, as Grafana computes them.</summary>
public sealed class InterpolationTests
{
    private static Interpolator With(params (string Name, VariableValue Value)[] vars) =>
        new(vars.ToDictionary(v => v.Name, v => v.Value), Interpolator.Builtins(0, 3_600_000, 15_000, 15_000));

    [Theory]
    [InlineData("up{job=\"$job\"}", "up{job=\"api\"}")]
    [InlineData("up{job=\"${job}\"}", "up{job=\"api\"}")]
    [InlineData("up{job=\"[[job]]\"}", "up{job=\"api\"}")]
    [InlineData("up{job=\"${job:raw}\"}", "up{job=\"api\"}")]
    [InlineData("up{job=\"$unknown\"}", "up{job=\"$unknown\"}")]
    [InlineData("$jobs", "$jobs")]
    public void SingleValuesReplaceEveryVariableSyntax(string expr, string expected) =>
        Assert.Equal(expected, With(("job", new VariableValue(["api"], false))).Interpolate(expr));

    [Fact]
    public void MultiValuesBecomeARegexAlternationWithMetacharactersEscapedForPromQL()
    {
        var i = With(("instance", new VariableValue(["web-1:9100", "10.0.0.1:9100"], true)));
        Assert.Equal("up{instance=~\"(web-1:9100|10\\\\.0\\\\.0\\\\.1:9100)\"}", i.Interpolate("up{instance=~\"$instance\"}"));
        Assert.Equal("{web-1:9100,10.0.0.1:9100}", i.Interpolate("${instance:glob}"));
        Assert.Equal("web-1:9100,10.0.0.1:9100", i.Interpolate("${instance:csv}"));
        Assert.Equal("web-1:9100|10.0.0.1:9100", i.Interpolate("${instance:pipe}"));
        Assert.Equal("(web-1:9100|10\\.0\\.0\\.1:9100)", i.Interpolate("${instance:regex}"));
        Assert.Equal("[\"web-1:9100\",\"10.0.0.1:9100\"]", i.Interpolate("${instance:json}"));
        Assert.Equal("\"web-1:9100\",\"10.0.0.1:9100\"", i.Interpolate("${instance:doublequote}"));
    }

    [Fact]
    public void OneValueOfAMultiVariableIsEscapedButNotParenthesised() =>
        Assert.Equal("a\\\\.b", With(("v", new VariableValue(["a.b"], true))).Interpolate("$v"));

    [Fact]
    public void AllUsesTheCustomAllValueVerbatimElseEveryOption()
    {
        Assert.Equal("up{job=~\".*\"}", With(("job", new VariableValue(["a", "b"], true, IsAll: true, CustomAll: ".*"))).Interpolate("up{job=~\"$job\"}"));
        Assert.Equal("up{job=~\"(a|b)\"}", With(("job", new VariableValue(["a", "b"], true, IsAll: true))).Interpolate("up{job=~\"$job\"}"));
    }

    [Fact]
    public void SingleValuesEscapeBackslashesAndQuotes() =>
        Assert.Equal("a\\\\b\\\\'c", With(("v", new VariableValue(["a\\b'c"], false))).Interpolate("$v"));

    [Fact]
    public void BuiltinsFollowGrafana()
    {
        var b = Interpolator.Builtins(1_000_000, 1_000_000 + 3_600_000, 30_000, 15_000);
        Assert.Equal("30s", b["__interval"]);
        Assert.Equal("30000", b["__interval_ms"]);
        Assert.Equal("1m", b["__rate_interval"]);
        Assert.Equal("3600s", b["__range"]);
        Assert.Equal("3600", b["__range_s"]);
        Assert.Equal("1000000", b["__from"]);
        var i = new Interpolator(new Dictionary<string, VariableValue>(), b);
        Assert.Equal("rate(x[1m]) / rate(x[30s]) offset 3600s", i.Interpolate("rate(x[$__rate_interval]) / rate(x[$__interval]) offset $__range"));
        Assert.Equal("1m15s", Interpolator.Builtins(0, 1, 60_000, 15_000)["__rate_interval"]);
    }

    [Theory]
    [InlineData("{{instance}}", "web-1:9100")]
    [InlineData("{{ instance }} / {{job}}", "web-1:9100 / node")]
    [InlineData("{{missing}}x", "x")]
    [InlineData("fixed", "fixed")]
    [InlineData("", "up{instance=\"web-1:9100\", job=\"node\"}")]
    [InlineData("__auto", "up{instance=\"web-1:9100\", job=\"node\"}")]
    public void LegendFormatExpandsLabels(string format, string expected) =>
        Assert.Equal(expected, LegendFormat.Name(format, Labels.FromStrings("__name__", "up", "instance", "web-1:9100", "job", "node"), "up"));

    [Fact]
    public void ASeriesWithoutLabelsIsNamedByItsExpression() =>
        Assert.Equal("sum(up)", LegendFormat.Name("", Labels.Empty, "sum(up)"));

    [Fact]
    public void StepsFollowGrafanasAdjustInterval()
    {
        Assert.Equal(15_000, Intervals.Calculate(3_600_000, 720, 15_000));
        Assert.Equal(60_000, Intervals.Calculate(24 * 3_600_000, 1440, 15_000));
        Assert.Equal(60_000, Intervals.Step(15_000, 2, 60_000, 3_600_000));
        Assert.Equal(30_000, Intervals.Step(15_000, 2, 0, 3_600_000));
        Assert.Equal(79_000, Intervals.Step(15_000, 1, 0, 10L * 24 * 3_600_000));
        Assert.Equal(30_000, Intervals.ParseMinStep(">30s"));
        Assert.Equal(0, Intervals.ParseMinStep("soon"));
    }

    [Fact]
    public void TimeRangesParseRelativeAndAbsolute()
    {
        var now = new DateTimeOffset(2024, 3, 6, 15, 30, 0, TimeSpan.Zero);
        Assert.True(new DashboardTime("now-6h", "now").TryResolve(now, out var s, out var e, out _));
        Assert.Equal(now.AddHours(-6).ToUnixTimeMilliseconds(), s);
        Assert.Equal(now.ToUnixTimeMilliseconds(), e);
        Assert.True(new DashboardTime("now-1d/d", "now-1d/d").TryResolve(now, out s, out e, out _));
        Assert.Equal(new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), s);
        Assert.Equal(new DateTimeOffset(2024, 3, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - 1, e);
        Assert.True(new DashboardTime("2024-03-01T10:00:00.000Z", "2024-03-01 12:00:00").TryResolve(now, out s, out e, out _));
        Assert.Equal(7_200_000, e - s);
        Assert.True(new DashboardTime("1709287200000", "now").TryResolve(now, out s, out _, out _));
        Assert.Equal(1709287200000, s);
        Assert.False(new DashboardTime("yesterday", "now").TryResolve(now, out _, out _, out var error));
        Assert.StartsWith("from: \"yesterday\" is neither relative", error);
        Assert.False(new DashboardTime("now", "now-1h").TryResolve(now, out _, out _, out error));
        Assert.Contains("must be after", error);
        Assert.Equal("Last 6 hours", new DashboardTime("now-6h", "now").Display(now));
        Assert.Equal("2024-03-01 10:00:00 to 2024-03-01 12:00:00", DashboardTime.Absolute(1709287200000, 1709294400000).Display(now));
    }

    [Fact]
    public void VariablesResolveTheirSelectionAgainstTheOptions()
    {
        var v = new VariableModel(new JsonObject { ["name"] = "job", ["type"] = "query", ["multi"] = true, ["includeAll"] = true });
        v.Current = ["b", "gone"];
        var r = DashboardRunner.Resolve(v, ["a", "b", "c"]);
        Assert.Equal(["b"], r.Values);
        Assert.True(r.MultiOrAll);
        v.Current = [VariableModel.AllValue];
        r = DashboardRunner.Resolve(v, ["a", "b"]);
        Assert.True(r.IsAll);
        Assert.Equal(["a", "b"], r.Values);
        var single = new VariableModel(new JsonObject { ["name"] = "env", ["type"] = "custom" });
        Assert.Equal(["prod"], DashboardRunner.Resolve(single, ["prod", "dev"]).Values);
        var filtered = new VariableModel(new JsonObject { ["name"] = "i", ["regex"] = "/([^:]+):9100/" });
        Assert.Equal(["web-1", "web-2"], filtered.FilterByRegex(["web-1:9100", "web-2:9100", "db:5432"]));
    }

    [Fact]
    public void CompactionFloatsPanelsUpAndAMovedPanelPushesOthersDown()
    {
        PanelModel P(int id, int x, int y, int w, int h) { var p = PanelModel.Create("timeseries", id, new GridPos(x, y, w, h)); return p; }
        var a = P(1, 0, 5, 12, 4);
        var b = P(2, 12, 9, 12, 4);
        var list = new List<PanelModel> { a, b };
        GridLayout.Compact(list);
        Assert.Equal(new GridPos(0, 0, 12, 4), a.Pos);
        Assert.Equal(new GridPos(12, 0, 12, 4), b.Pos);

        b.Pos = new GridPos(0, 0, 12, 4);
        GridLayout.Compact(list, b);
        Assert.Equal(new GridPos(0, 0, 12, 4), b.Pos);
        Assert.Equal(new GridPos(0, 4, 12, 4), a.Pos);
    }

    [Fact]
    public void CollapsingARowMovesItsPanelsInsideAndExpandingPutsThemBack()
    {
        var d = DashboardMigrator.Migrate(GrafanaJson.ParseObject(DashboardTestData.Read("rows-graph-v16.json")));
        var panels = GrafanaJson.Arr(d, "panels");
        var row = GridLayout.Visible(panels).First(p => p.IsRow);
        GridLayout.Collapse(panels, row);
        Assert.Equal(2, row.RowPanels.Count);
        Assert.Equal(2, GridLayout.Visible(panels).Count);
        GridLayout.Expand(panels, row);
        var visible = GridLayout.Visible(panels);
        Assert.Equal(["CPU and memory of $instance", "CPU", "Memory available", "Details"], visible.Select(p => p.Title));
        Assert.Equal(1, visible[1].Pos.Y);
        Assert.True(visible[3].Pos.Y >= 9);
    }

    [Theory]
    [InlineData(1536.0, "bytes", "1.5 KiB")]
    [InlineData(0.256, "percentunit", "25.6%")]
    [InlineData(1500.0, "ms", "1.5 s")]
    [InlineData(12345.0, "short", "12.3 K")]
    [InlineData(42.0, "reqps", "42 req/s")]
    [InlineData(7.0, "widgets", "7 widgets")]
    [InlineData(null, "short", "No data")]
    public void UnitsFormatAsGrafanaShowsThem(double? value, string unit, string expected) =>
        Assert.Equal(expected, UnitFormat.Format(value, unit));
}
