using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Portal.PromQL;

namespace Portal.Web.Charts;

/// <summary>The times <c>StartMs + i × StepMs</c> for <c>i</c> in [0, <see cref="Count"/>): the step grid of a range query's points.</summary>
public readonly record struct TimeGrid(long StartMs, long StepMs, int Count)
{
    /// <summary>The time of point <paramref name="i"/>.</summary>
    public long TimeAt(int i) => StartMs + i * StepMs;

    /// <summary>The grid of a range query over [start, end] with <paramref name="stepMs"/> (points at start, start + step, … ≤ end).</summary>
    public static TimeGrid Of(long startMs, long endMs, long stepMs)
    {
        if (stepMs <= 0) throw new ArgumentOutOfRangeException(nameof(stepMs), stepMs, "the step must be positive");
        if (endMs < startMs) throw new ArgumentOutOfRangeException(nameof(endMs), endMs, "the end must not be before the start");
        long count = (endMs - startMs) / stepMs + 1;
        if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(stepMs), stepMs, "too many points for one chart");
        return new TimeGrid(startMs, stepMs, (int)count);
    }

    /// <summary>The index of <paramref name="t"/> on the grid, or -1 when it is not one of its times.</summary>
    public int IndexOf(long t)
    {
        long d = t - StartMs;
        if (d < 0 || d % StepMs != 0) return -1;
        long i = d / StepMs;
        return i < Count ? (int)i : -1;
    }
}

/// <summary>
/// One line of a chart. Without <see cref="Times"/> its values lie on grid <see cref="Grid"/> of the chart (value i at
/// the grid's time i, as many values as the grid has times); with <see cref="Times"/> value i is at Times[i] (ascending).
/// NaN is a gap: the line breaks there. A line whose values were reduced by <see cref="ChartData.Downsample"/> carries times.
/// </summary>
public sealed record ChartLine(string Name, string Color, int Grid, double[] Values, long[]? Times = null);

/// <summary>
/// What a time-series chart draws: lines whose points mostly share step grids, so the browser gets one grid
/// (start, step, count) per chart instead of a time per point, and values as a binary array of doubles.
/// Immutable once built.
/// </summary>
public sealed class ChartData
{
    /// <summary>A line is reduced to its pixel buckets only when it has more points than this many per pixel.</summary>
    public const int DownsampleAbovePointsPerPixel = 2;

    public ChartData(IReadOnlyList<TimeGrid> grids, IReadOnlyList<ChartLine> lines, bool downsampled = false)
    {
        foreach (var line in lines)
        {
            if (line.Times is not null)
            {
                if (line.Times.Length != line.Values.Length)
                    throw new ArgumentException($"line \"{line.Name}\" has {line.Times.Length} times for {line.Values.Length} values", nameof(lines));
            }
            else if (line.Grid < 0 || line.Grid >= grids.Count || grids[line.Grid].Count != line.Values.Length)
                throw new ArgumentException($"line \"{line.Name}\" does not match grid {line.Grid}", nameof(lines));
        }
        Grids = grids;
        Lines = lines;
        Downsampled = downsampled;
    }

    public static ChartData Empty { get; } = new([], []);

    public IReadOnlyList<TimeGrid> Grids { get; }
    public IReadOnlyList<ChartLine> Lines { get; }

    /// <summary>Whether some line was reduced to fit a pixel width (drawing it wider needs the full data again).</summary>
    public bool Downsampled { get; }

    /// <summary>Points over all lines, gaps included.</summary>
    public int PointCount => Lines.Sum(l => l.Values.Length);

    /// <summary>
    /// A range query's series over [start, end] at <paramref name="stepMs"/>, named as Prometheus's UI names them and
    /// coloured from <paramref name="palette"/> in order. Every point lies on the query's grid; a step without a sample,
    /// and a value JSON cannot carry (NaN, ±Inf), is a gap — the same breaks <see cref="Components.Shared.ChartSeries.WithGaps"/> makes.
    /// A series with a point off the grid (not a range result) keeps its own times.
    /// </summary>
    public static ChartData FromMatrix(IReadOnlyList<MatrixSeries> series, long startMs, long endMs, long stepMs, IReadOnlyList<string> palette)
    {
        var grid = TimeGrid.Of(startMs, endMs, stepMs);
        var lines = new List<ChartLine>(series.Count);
        for (int s = 0; s < series.Count; s++)
        {
            var name = Components.Shared.ChartSeries.SeriesName(series[s].Metric);
            var color = palette[s % palette.Count];
            var samples = series[s].Floats;
            var values = OnGrid(grid, samples.Select(p => p.T), samples.Select(p => (double?)p.V));
            if (values is not null) lines.Add(new ChartLine(name, color, 0, values));
            else
            {
                var (t, v) = Components.Shared.ChartSeries.WithGaps(samples, stepMs);
                lines.Add(new ChartLine(name, color, -1, v.Select(x => x ?? double.NaN).ToArray(), t));
            }
        }
        return new ChartData([grid], lines);
    }

    /// <summary>
    /// Lines from points with their own times (null or non-finite values are gaps), each with the step it was queried at.
    /// Lines with the same step share a grid from the earliest to the latest of their times when all their points fall
    /// on it; a line with a point off that grid, and lines whose grid would be mostly gaps, keep their own times.
    /// </summary>
    public static ChartData FromPoints(IReadOnlyList<(string Name, string Color, long[] T, double?[] V, long StepMs)> points)
    {
        var grids = new List<TimeGrid>();
        var lines = new ChartLine[points.Count];
        foreach (var group in Enumerable.Range(0, points.Count).Where(i => points[i].T.Length > 0).GroupBy(i => Math.Max(1, points[i].StepMs)))
        {
            long step = group.Key;
            long first = group.Min(i => points[i].T[0]), last = group.Max(i => points[i].T[^1]);
            // A grid mostly of gaps (points far apart for their step) would cost more than the times it saves.
            long cells = (last - first) / step + 1, given = group.Sum(i => (long)points[i].T.Length);
            TimeGrid? grid = cells <= Math.Max(1024, 4 * given) ? TimeGrid.Of(first, last, step) : null;
            int gridIndex = -1;
            foreach (var i in group)
            {
                var p = points[i];
                var values = grid is { } g ? OnGrid(g, p.T, p.V) : null;
                if (values is not null)
                {
                    if (gridIndex < 0) { gridIndex = grids.Count; grids.Add(grid!.Value); }
                    lines[i] = new ChartLine(p.Name, p.Color, gridIndex, values);
                }
                else lines[i] = new ChartLine(p.Name, p.Color, -1, p.V.Select(Finite).ToArray(), p.T);
            }
        }
        for (int i = 0; i < points.Count; i++)
            lines[i] ??= new ChartLine(points[i].Name, points[i].Color, -1, [], []);
        return new ChartData(grids, lines);
    }

    private static double Finite(double? v) => v is { } f && double.IsFinite(f) ? f : double.NaN;

    /// <summary>Values placed on <paramref name="grid"/> (NaN where absent or not finite), or null when a time is off the grid.</summary>
    private static double[]? OnGrid(TimeGrid grid, IEnumerable<long> times, IEnumerable<double?> values)
    {
        var result = new double[grid.Count];
        Array.Fill(result, double.NaN);
        using var v = values.GetEnumerator();
        foreach (var t in times)
        {
            v.MoveNext();
            int i = grid.IndexOf(t);
            if (i < 0) return null;
            result[i] = Finite(v.Current);
        }
        return result;
    }

    /// <summary>
    /// The chart for a plot <paramref name="pixelWidth"/> pixels wide over [fromMs, toMs]: each line with more than
    /// <see cref="DownsampleAbovePointsPerPixel"/> points per pixel is reduced with <see cref="MinMaxDownsampler"/> to at
    /// most a few points per pixel (keeping every spike); other lines, and everything when nothing needs reducing, stay as
    /// they are (this same instance is returned then).
    /// </summary>
    public ChartData Downsample(int pixelWidth, long fromMs, long toMs)
    {
        if (!NeedsDownsampling(pixelWidth) || toMs <= fromMs) return this;
        int limit = DownsampleAbovePointsPerPixel * pixelWidth;
        var lines = new List<ChartLine>(Lines.Count);
        foreach (var line in Lines)
        {
            if (line.Values.Length <= limit)
            {
                lines.Add(line);
                continue;
            }
            var times = line.Times ?? TimesOf(Grids[line.Grid]);
            var (t, v) = MinMaxDownsampler.Reduce(times, line.Values, fromMs, toMs, pixelWidth);
            lines.Add(line with { Grid = -1, Values = v, Times = t });
        }
        return new ChartData(Grids, lines, downsampled: true);
    }

    /// <summary>Whether some line has more than <see cref="DownsampleAbovePointsPerPixel"/> points per pixel of <paramref name="pixelWidth"/>.</summary>
    public bool NeedsDownsampling(int pixelWidth) =>
        pixelWidth > 0 && Lines.Any(l => l.Values.Length > DownsampleAbovePointsPerPixel * pixelWidth);

    private static long[] TimesOf(TimeGrid grid)
    {
        var t = new long[grid.Count];
        for (int i = 0; i < t.Length; i++) t[i] = grid.TimeAt(i);
        return t;
    }

    /// <summary>What the browser's chart module decodes (see <see cref="ChartPayload"/>).</summary>
    public ChartPayload ToPayload()
    {
        int valueCount = PointCount, timeCount = Lines.Where(l => l.Times is not null).Sum(l => l.Times!.Length);
        var values = new double[valueCount];
        var times = timeCount > 0 ? new double[timeCount] : null;
        var series = new List<ChartPayloadLine>(Lines.Count);
        int vo = 0, to = 0;
        foreach (var line in Lines)
        {
            line.Values.CopyTo(values, vo);
            int timeOffset = -1;
            if (line.Times is not null)
            {
                timeOffset = to;
                for (int i = 0; i < line.Times.Length; i++) times![to + i] = line.Times[i];
                to += line.Times.Length;
            }
            series.Add(new ChartPayloadLine(line.Name, line.Color, line.Times is null ? line.Grid : -1, vo, line.Values.Length, timeOffset));
            vo += line.Values.Length;
        }
        return new ChartPayload(
            Grids.Select(g => new ChartPayloadGrid(g.StartMs, g.StepMs, g.Count)).ToList(),
            series, LittleEndian(values), times is null ? null : LittleEndian(times), Downsampled);
    }

    /// <summary>IEEE 754 doubles as little-endian bytes (what a JavaScript Float64Array reads on every platform browsers run on).</summary>
    public static byte[] LittleEndian(ReadOnlySpan<double> values)
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values).ToArray();
        var bytes = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), values[i]);
        return bytes;
    }
}

/// <summary>
/// A chart as sent to <c>wwwroot/js/portal-charts.js</c> (<c>decodeChart</c>). <see cref="Values"/> holds every line's
/// values back to back as little-endian doubles (NaN for gaps); <see cref="Times"/> the times (ms, as doubles) of the
/// lines that carry their own. Blazor sends byte arrays to the browser as binary, not as JSON numbers.
/// </summary>
public sealed record ChartPayload(IReadOnlyList<ChartPayloadGrid> Grids, IReadOnlyList<ChartPayloadLine> Series, byte[] Values, byte[]? Times, bool Downsampled);

/// <summary>A grid: times <c>Start + i × Step</c>, i &lt; Count.</summary>
public sealed record ChartPayloadGrid(long Start, long Step, int Count);

/// <summary>
/// A line: <see cref="Length"/> values from double index <see cref="Offset"/> of the values; at the times of grid
/// <see cref="Grid"/>, or (Grid -1) at the times from double index <see cref="TimeOffset"/> of the times.
/// </summary>
public sealed record ChartPayloadLine(string Name, string Color, int Grid, int Offset, int Length, int TimeOffset);
