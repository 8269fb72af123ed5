using System.Globalization;

namespace Portal.PromQL.Engine;

/// <summary>A classic histogram bucket: upper bound (le) and cumulative count.</summary>
internal struct Bucket(double upperBound, double count)
{
    public double UpperBound = upperBound;
    public double Count = count;
}

/// <summary>Quantiles and fractions over classic (le-labelled) histogram buckets, as Prometheus computes them. Thread-safe; sorts the caller's span in place.</summary>
internal static class BucketMath
{
    private const double SmallDeltaTolerance = 1e-12;
    private static readonly double MinNormal = BitConverter.UInt64BitsToDouble(0x0010000000000000UL);

    /// <summary>Parses an le value as Go's strconv.ParseFloat would.</summary>
    public static bool TryParseLe(string s, out double v)
    {
        switch (s.ToLowerInvariant())
        {
            case "+inf": case "inf": case "+infinity": case "infinity": v = double.PositiveInfinity; return true;
            case "-inf": case "-infinity": v = double.NegativeInfinity; return true;
            case "nan": v = double.NaN; return true;
        }
        if (s.Length == 0 || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])) { v = 0; return false; }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    private static bool AlmostEqual(double a, double b, double epsilon)
    {
        if (a == b) return true;
        double absSum = Math.Abs(a) + Math.Abs(b);
        double diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < MinNormal) return diff < epsilon * MinNormal;
        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }

    /// <summary>Sorts by upper bound and merges buckets with equal bounds; returns the new length.</summary>
    private static int SortAndCoalesce(Span<Bucket> b)
    {
        b.Sort(static (x, y) => x.UpperBound.CompareTo(y.UpperBound));
        int n = 0;
        for (int i = 0; i < b.Length; i++)
        {
            if (n > 0 && b[n - 1].UpperBound == b[i].UpperBound) b[n - 1].Count += b[i].Count;
            else b[n++] = b[i];
        }
        return n;
    }

    private static bool EnsureMonotonic(Span<Bucket> b)
    {
        bool forced = false;
        double prev = b[0].Count;
        for (int i = 1; i < b.Length; i++)
        {
            double cur = b[i].Count;
            if (cur == prev) continue;
            if (AlmostEqual(prev, cur, SmallDeltaTolerance))
            {
                b[i].Count = prev;
                continue;
            }
            if (cur < prev)
            {
                b[i].Count = prev;
                forced = true;
                continue;
            }
            prev = cur;
        }
        return forced;
    }

    /// <summary>The φ-quantile; <paramref name="forcedMonotonic"/> tells whether decreasing counts had to be fixed.</summary>
    public static double Quantile(double q, Span<Bucket> buckets, out bool forcedMonotonic)
    {
        forcedMonotonic = false;
        if (double.IsNaN(q)) return double.NaN;
        if (q < 0) return double.NegativeInfinity;
        if (q > 1) return double.PositiveInfinity;
        int n = SortAndCoalesce(buckets);
        var b = buckets[..n];
        if (!double.IsPositiveInfinity(b[^1].UpperBound)) return double.NaN;
        forcedMonotonic = EnsureMonotonic(b);
        if (b.Length < 2) return double.NaN;
        double observations = b[^1].Count;
        if (observations == 0) return double.NaN;
        double rank = q * observations;
        int idx = 0;
        int limit = b.Length - 1;
        while (idx < limit && !(b[idx].Count >= rank)) idx++;
        if (idx == b.Length - 1) return b[^2].UpperBound;
        if (idx == 0 && b[0].UpperBound <= 0) return b[0].UpperBound;
        double bucketStart = 0, bucketEnd = b[idx].UpperBound, count = b[idx].Count;
        if (idx > 0)
        {
            bucketStart = b[idx - 1].UpperBound;
            count -= b[idx - 1].Count;
            rank -= b[idx - 1].Count;
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /// <summary>The estimated fraction of observations between <paramref name="lower"/> and <paramref name="upper"/>.</summary>
    public static double Fraction(double lower, double upper, Span<Bucket> buckets)
    {
        int n = SortAndCoalesce(buckets);
        var b = buckets[..n];
        if (!double.IsPositiveInfinity(b[^1].UpperBound)) return double.NaN;
        EnsureMonotonic(b);
        double count = b[^1].Count;
        if (count == 0 || double.IsNaN(lower) || double.IsNaN(upper)) return double.NaN;
        if (lower >= upper) return 0;
        double frac = 0, prevCount = 0;
        for (int i = 0; i < b.Length; i++)
        {
            double lo = i == 0 ? (b[0].UpperBound > 0 ? 0 : double.NegativeInfinity) : b[i - 1].UpperBound;
            double hi = b[i].UpperBound;
            double inBucket = b[i].Count - prevCount;
            prevCount = b[i].Count;
            if (inBucket == 0) continue;
            if (lower <= lo && hi <= upper)
            {
                frac += inBucket;
                continue;
            }
            double overlap = Math.Min(hi, upper) - Math.Max(lo, lower);
            if (!(overlap > 0)) continue;
            // A bucket of infinite width cannot be interpolated: it counts fully when the range reaches its
            // infinite end, and not at all otherwise.
            if (double.IsInfinity(lo) || double.IsInfinity(hi))
            {
                if ((double.IsNegativeInfinity(lo) && double.IsNegativeInfinity(lower)) || (double.IsPositiveInfinity(hi) && double.IsPositiveInfinity(upper)))
                    frac += inBucket;
                continue;
            }
            frac += inBucket * overlap / (hi - lo);
        }
        return frac / count;
    }
}
