using System.Runtime.InteropServices;
using Portal.Model;
using Portal.PromQL;
using Portal.Web.Charts;
using Portal.Web.Components.Shared;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Charts;

/// <summary>The compact chart payload (one grid per chart, binary values) and the min/max reduction to a pixel width.</summary>
public sealed class ChartDataTests
{
    private static MatrixSeries Series(string name, params (long T, double V)[] points) =>
        new(Labels.FromStrings("__name__", name), points.Select(p => new Sample(p.T, p.V)).ToArray());

    private static double[] Doubles(byte[] bytes) => MemoryMarshal.Cast<byte, double>(bytes).ToArray();

    [Fact]
    public void ARangeResultSharesOneGridAndMissingStepsAreGaps()
    {
        // Steps at 0..5 s: a sample missing at 2 s and 3 s, a NaN value at 4 s, +Inf at 5 s.
        var a = Series("a", (0, 1), (1000, 2), (4000, double.NaN), (5000, double.PositiveInfinity));
        var b = Series("b", (2000, 7), (3000, 8));
        var chart = ChartData.FromMatrix([a, b], 0, 5000, 1000, ChartSeries.Palette);

        var grid = Assert.Single(chart.Grids);
        Assert.Equal(new TimeGrid(0, 1000, 6), grid);
        Assert.Equal(["a", "b"], chart.Lines.Select(l => l.Name));
        Assert.Equal([ChartSeries.Palette[0], ChartSeries.Palette[1]], chart.Lines.Select(l => l.Color));
        Assert.All(chart.Lines, l => Assert.Null(l.Times));
        Assert.Equal([1, 2, double.NaN, double.NaN, double.NaN, double.NaN], chart.Lines[0].Values);
        Assert.Equal([double.NaN, double.NaN, 7, 8, double.NaN, double.NaN], chart.Lines[1].Values);
    }

    [Fact]
    public void TheLineBreaksWhereWithGapsBreaksIt()
    {
        // WithGaps puts a null one step after the last sample before a gap; on the grid that step is NaN, so the
        // line breaks between the same two samples, and only there.
        var samples = new Sample[] { new(0, 1), new(1000, 2), new(4000, 3), new(5000, 4) };
        var (t, v) = ChartSeries.WithGaps(samples, 1000);
        var line = Assert.Single(ChartData.FromMatrix([new MatrixSeries(Labels.FromStrings("__name__", "x"), samples)], 0, 5000, 1000, ChartSeries.Palette).Lines);
        var grid = new TimeGrid(0, 1000, 6);
        var segmentsWithGaps = Segments(t, v.Select(x => x ?? double.NaN).ToArray());
        var segmentsOnGrid = Segments(Enumerable.Range(0, grid.Count).Select(grid.TimeAt).ToArray(), line.Values);
        Assert.Equal(segmentsWithGaps, segmentsOnGrid);
        Assert.Equal([(0L, 1000L), (4000L, 5000L)], segmentsOnGrid);
    }

    /// <summary>The segments a chart draws: pairs of consecutive points with values.</summary>
    private static List<(long, long)> Segments(long[] t, double[] v)
    {
        var list = new List<(long, long)>();
        for (int i = 1; i < t.Length; i++)
            if (!double.IsNaN(v[i - 1]) && !double.IsNaN(v[i])) list.Add((t[i - 1], t[i]));
        return list;
    }

    [Fact]
    public void APointOffTheGridKeepsItsOwnTimes()
    {
        var chart = ChartData.FromMatrix([Series("odd", (0, 1), (1500, 2))], 0, 3000, 1000, ChartSeries.Palette);
        var line = Assert.Single(chart.Lines);
        Assert.Equal([0L, 1000, 1500], line.Times!);
        Assert.Equal([1, double.NaN, 2], line.Values);
    }

    [Fact]
    public void ThePayloadCarriesValuesAndTimesAsLittleEndianDoubles()
    {
        var chart = ChartData.FromMatrix([Series("a", (0, 1.5), (2000, -3)), Series("b", (1000, 1e300))], 0, 2000, 1000, ChartSeries.Palette);
        var reduced = new ChartData(chart.Grids, [chart.Lines[0], chart.Lines[1] with { Grid = -1, Values = [1e300], Times = [1000] }], downsampled: true);
        var p = reduced.ToPayload();

        Assert.True(BitConverter.IsLittleEndian, "the test reads the bytes back with the machine's order");
        Assert.Equal([new ChartPayloadGrid(0, 1000, 3)], p.Grids);
        Assert.Equal(new ChartPayloadLine("a", ChartSeries.Palette[0], 0, 0, 3, -1), p.Series[0]);
        Assert.Equal(new ChartPayloadLine("b", ChartSeries.Palette[1], -1, 3, 1, 0), p.Series[1]);
        Assert.Equal([1.5, double.NaN, -3, 1e300], Doubles(p.Values));
        Assert.Equal([1000.0], Doubles(p.Times!));
        Assert.True(p.Downsampled);
        Assert.Equal(4 * sizeof(double), p.Values.Length);
    }

    [Fact]
    public void DashboardSeriesOfOneQueryShareAGridAndAnInstantPointKeepsItsTime()
    {
        var points = new List<(string, string, long[], double?[], long)>
        {
            ("a", "#1", [60_000, 75_000, 90_000], [1, null, 3], 15_000),
            ("b", "#2", [90_000, 105_000], [5, 6], 15_000),
            ("now", "#3", [100_000], [9], 15_000),
            ("none", "#4", [], [], 15_000),
        };
        var chart = ChartData.FromPoints(points);
        var grid = Assert.Single(chart.Grids);
        Assert.Equal(new TimeGrid(60_000, 15_000, 4), grid);
        Assert.Equal([1, double.NaN, 3, double.NaN], chart.Lines[0].Values);
        Assert.Equal([double.NaN, double.NaN, 5, 6], chart.Lines[1].Values);
        Assert.Equal([100_000L], chart.Lines[2].Times!);
        Assert.Empty(chart.Lines[3].Values);
        Assert.Equal(["a", "b", "now", "none"], chart.Lines.Select(l => l.Name));
    }

    [Fact]
    public void PointsFarApartForTheirStepKeepTheirTimesInsteadOfAGridOfGaps()
    {
        var chart = ChartData.FromPoints([("a", "#1", [0, 86_400_000], [1, 2], 15_000)]);
        Assert.Empty(chart.Grids);
        var line = Assert.Single(chart.Lines);
        Assert.Equal([0L, 86_400_000], line.Times!);
        Assert.Equal([1.0, 2.0], line.Values);
    }

    [Fact]
    public void APanelPayloadIsTheBinaryChart()
    {
        var panel = PanelModel.Create("timeseries", 1, new GridPos(0, 0, 12, 8));
        var data = new PanelData([new PanelSeries("a", Labels.Empty, "A", [0, 1000], [1, 2], 1000)], null, 0, 1000, 1000, []);
        var payload = PanelPayloads.TimeSeries(panel, data, new HashSet<string>());
        var chart = Assert.IsType<ChartPayload>(payload.GetType().GetProperty("chart")!.GetValue(payload));
        Assert.Equal([1.0, 2.0], Doubles(chart.Values));
        Assert.Equal(PanelPayloads.Palette[0], Assert.Single(chart.Series).Color);
    }

    [Fact]
    public void NothingIsReducedAtTwoPointsPerPixelOrFewer()
    {
        var values = Enumerable.Range(0, 200).Select(i => (double)(i % 7)).ToArray();
        var chart = new ChartData([new TimeGrid(0, 1000, 200)], [new ChartLine("a", "#1", 0, values)]);
        Assert.Same(chart, chart.Downsample(100, 0, 199_000));
        Assert.False(chart.NeedsDownsampling(100));
        Assert.True(chart.NeedsDownsampling(99));
        Assert.Same(chart, chart.Downsample(0, 0, 199_000));
    }

    [Fact]
    public void EachBucketKeepsExactlyItsFirstLastMinimumAndMaximum()
    {
        // 10 buckets of 100 points: a slow wave with one spike up and one dip down per bucket at varying places.
        const int n = 1000, buckets = 10;
        var rng = new Random(7);
        var times = Enumerable.Range(0, n).Select(i => 1_000_000L + i * 1000L).ToArray();
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = Math.Sin(i / 50.0) + rng.NextDouble() * 0.01;
        for (int b = 0; b < buckets; b++)
        {
            values[b * 100 + rng.Next(1, 99)] = 50 + b;
            values[b * 100 + rng.Next(1, 99)] = -50 - b;
        }
        var (t, v) = MinMaxDownsampler.Reduce(times, values, times[0], times[^1], buckets);

        for (int b = 0; b < buckets; b++)
        {
            var bucket = Enumerable.Range(b * 100, 100).ToArray();
            int min = bucket.MinBy(i => values[i]), max = bucket.MaxBy(i => values[i]);
            var expected = new[] { bucket[0], min, max, bucket[^1] }.Distinct().Order().ToArray();
            var kept = Enumerable.Range(0, t.Length).Where(k => t[k] >= times[bucket[0]] && t[k] <= times[bucket[^1]]).ToArray();
            Assert.Equal(expected.Select(i => times[i]), kept.Select(k => t[k]));
            Assert.Equal(expected.Select(i => values[i]), kept.Select(k => v[k]));
        }
        Assert.True(t.Zip(t.Skip(1)).All(p => p.First < p.Second), "kept points stay in time order");
        Assert.Equal(v.Max(), values.Max());
        Assert.Equal(v.Min(), values.Min());
    }

    [Fact]
    public void GapsStayGapsAndTheLineBreaksAtTheSameSamples()
    {
        // 600 points in 5 buckets; missing: 100..149 (inside a bucket), 240..359 (a whole bucket and more), the last 10.
        const int n = 600;
        var times = Enumerable.Range(0, n).Select(i => i * 15_000L).ToArray();
        var values = Enumerable.Range(0, n).Select(i => (double)(i % 13)).ToArray();
        foreach (var i in Enumerable.Range(100, 50).Concat(Enumerable.Range(240, 120)).Concat(Enumerable.Range(590, 10))) values[i] = double.NaN;
        var (t, v) = MinMaxDownsampler.Reduce(times, values, times[0], times[^1], 5);

        // Every NaN in the result is one step after a kept sample, exactly where WithGaps would put its null.
        var gaps = Enumerable.Range(0, v.Length).Where(k => double.IsNaN(v[k])).Select(k => t[k]).ToArray();
        Assert.Equal([times[100], times[240]], gaps);
        Assert.Contains(times[99], t);
        Assert.Contains(times[150], t);
        Assert.Contains(times[239], t);
        Assert.Contains(times[360], t);
        Assert.Equal(times[589], t[^1]);
        Assert.Equal(times[0], t[0]);

        // Between consecutive kept samples the original has a gap exactly when the result has one.
        int[] keptIndex = t.Select(x => Array.IndexOf(times, x)).ToArray();
        for (int k = 1; k < t.Length; k++)
        {
            if (double.IsNaN(v[k]) || double.IsNaN(v[k - 1])) continue;
            bool originalGap = Enumerable.Range(keptIndex[k - 1], keptIndex[k] - keptIndex[k - 1]).Any(i => double.IsNaN(values[i]));
            Assert.False(originalGap, $"a segment joins {t[k - 1]} and {t[k]} across a gap");
        }
    }

    [Fact]
    public void ALineWithoutValuesReducesToNothing()
    {
        var times = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
        var (t, v) = MinMaxDownsampler.Reduce(times, Enumerable.Repeat(double.NaN, 100).ToArray(), 0, 99, 10);
        Assert.Empty(t);
        Assert.Empty(v);
    }

    [Fact]
    public void DownsamplingReducesOnlyTheLongLinesAndKeepsTheirSpikes()
    {
        const int n = 11_000;
        var values = Enumerable.Range(0, n).Select(i => i == 5_432 ? 1e6 : Math.Sin(i / 100.0)).ToArray();
        var chart = new ChartData([new TimeGrid(0, 1000, n), new TimeGrid(0, 100_000, 110)],
            [new ChartLine("long", "#1", 0, values), new ChartLine("short", "#2", 1, new double[110])]);
        var reduced = chart.Downsample(500, 0, (n - 1) * 1000L);

        Assert.True(reduced.Downsampled);
        var line = reduced.Lines[0];
        Assert.Equal(-1, line.Grid);
        Assert.NotNull(line.Times);
        Assert.InRange(line.Values.Length, 1000, 4 * 500);
        Assert.Contains(1e6, line.Values);
        Assert.Contains(5_432_000L, line.Times!);
        Assert.Same(chart.Lines[1], reduced.Lines[1]);
        var payload = reduced.ToPayload();
        Assert.Equal(line.Values.Length, Doubles(payload.Times!).Length);
    }
}
