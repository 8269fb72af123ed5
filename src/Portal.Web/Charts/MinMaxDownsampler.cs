namespace Portal.Web.Charts;

/// <summary>
/// Reduces a line to what a plot of a given pixel width can show, keeping real points only: per pixel bucket the
/// first, the minimum, the maximum and the last point, plus every point next to a gap.
/// </summary>
/// <remarks>
/// Min/max rather than LTTB: a monitoring graph is read for its spikes and dips, and a pixel column drawn from its
/// minimum and maximum covers exactly the rows the full data would, so no spike or dip is ever lost. LTTB keeps one
/// point per bucket by triangle area, which can drop a dip next to a spike and depends on the neighbouring buckets.
/// Keeping each bucket's first and last point makes the segments between columns the real ones, and keeping the
/// points on both sides of a gap keeps every break where it was: a segment joins two kept points only when the
/// original line joined them, and a NaN marker (at the time of the gap's first missing point) separates them otherwise.
/// </remarks>
public static class MinMaxDownsampler
{
    /// <summary>
    /// The kept points of a line with ascending <paramref name="times"/> and <paramref name="values"/> (NaN is a gap)
    /// over [fromMs, toMs] split into <paramref name="buckets"/> equal time buckets; points outside the range count
    /// to the nearest bucket. The result is in time order, at most four points per bucket plus two per gap, plus one
    /// NaN per gap between kept points.
    /// </summary>
    public static (long[] Times, double[] Values) Reduce(ReadOnlySpan<long> times, ReadOnlySpan<double> values, long fromMs, long toMs, int buckets)
    {
        if (times.Length != values.Length) throw new ArgumentException("times and values differ in length");
        if (buckets <= 0) throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "at least one bucket");
        if (toMs <= fromMs) throw new ArgumentOutOfRangeException(nameof(toMs), toMs, "the range must not be empty");
        int n = values.Length;
        var keep = new bool[n];
        double span = (double)(toMs - fromMs) + 1;
        int i = 0;
        while (i < n)
        {
            int bucket = BucketOf(times[i], fromMs, span, buckets);
            int first = -1, last = -1, min = -1, max = -1;
            int j = i;
            for (; j < n && BucketOf(times[j], fromMs, span, buckets) == bucket; j++)
            {
                double v = values[j];
                if (double.IsNaN(v)) continue;
                if (first < 0) first = j;
                last = j;
                if (min < 0 || v < values[min]) min = j;
                if (max < 0 || v > values[max]) max = j;
                if ((j > 0 && double.IsNaN(values[j - 1])) || (j + 1 < n && double.IsNaN(values[j + 1]))) keep[j] = true;
            }
            if (first >= 0) keep[first] = keep[last] = keep[min] = keep[max] = true;
            i = j;
        }

        var outTimes = new List<long>();
        var outValues = new List<double>();
        int previous = -1;
        for (int k = 0; k < n; k++)
        {
            if (!keep[k]) continue;
            if (previous >= 0)
                for (int g = previous + 1; g < k; g++)
                    if (double.IsNaN(values[g]))
                    {
                        outTimes.Add(times[g]);
                        outValues.Add(double.NaN);
                        break;
                    }
            outTimes.Add(times[k]);
            outValues.Add(values[k]);
            previous = k;
        }
        return (outTimes.ToArray(), outValues.ToArray());
    }

    private static int BucketOf(long t, long fromMs, double span, int buckets)
    {
        double b = Math.Floor((t - fromMs) / span * buckets);
        return b < 0 ? 0 : b >= buckets ? buckets - 1 : (int)b;
    }
}
