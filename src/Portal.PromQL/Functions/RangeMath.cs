using System.Runtime.CompilerServices;
using Portal.Model;

namespace Portal.PromQL.Engine;

/// <summary>
/// The arithmetic of PromQL's range-vector functions over one window of float samples (time
/// ascending, staleness markers already removed). Every method is pure, thread-safe and
/// allocation-free; windows are borrowed spans the caller owns.
/// </summary>
public static class RangeMath
{
    /// <summary>Kahan-Babuška-Neumaier compensated addition: adds <paramref name="inc"/> to sum with compensation <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void KahanAdd(double inc, ref double sum, ref double c)
    {
        double t = sum + inc;
        if (double.IsInfinity(t)) c = 0;
        else if (Math.Abs(sum) >= Math.Abs(inc)) c += (sum - t) + inc;
        else c += (inc - t) + sum;
        sum = t;
    }

    /// <summary>
    /// rate/increase/delta with Prometheus's extrapolation to the window boundaries.
    /// <paramref name="rangeStart"/> and <paramref name="rangeEnd"/> are the window bounds in ms
    /// (the window is (rangeStart, rangeEnd]). Returns false when fewer than two samples.
    /// </summary>
    public static bool ExtrapolatedRate(ReadOnlySpan<Sample> s, long rangeStart, long rangeEnd, bool isCounter, bool isRate, out double result)
    {
        result = 0;
        if (s.Length < 2) return false;
        int last = s.Length - 1;
        long firstT = s[0].T, lastT = s[last].T;
        double r = s[last].V - s[0].V;
        if (isCounter)
        {
            double prev = s[0].V;
            for (int i = 1; i < s.Length; i++)
            {
                double cur = s[i].V;
                if (cur < prev) r += prev;
                prev = cur;
            }
        }
        double durationToStart = (firstT - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double avg = sampledInterval / last;
        double threshold = avg * 1.1;
        if (durationToStart >= threshold) durationToStart = avg / 2;
        if (isCounter)
        {
            double durationToZero = durationToStart;
            if (r > 0 && s[0].V >= 0) durationToZero = sampledInterval * (s[0].V / r);
            if (durationToZero < durationToStart) durationToStart = durationToZero;
        }
        if (durationToEnd >= threshold) durationToEnd = avg / 2;
        double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate) factor /= (rangeEnd - rangeStart) / 1000.0;
        result = r * factor;
        return true;
    }

    /// <summary>irate (<paramref name="isRate"/>) or idelta over the last two samples. False with fewer than two.</summary>
    public static bool InstantValue(ReadOnlySpan<Sample> s, bool isRate, out double result)
    {
        result = 0;
        if (s.Length < 2) return false;
        var last = s[^1];
        var prev = s[^2];
        double r;
        if (isRate && last.V < prev.V) r = last.V; // counter reset
        else r = last.V - prev.V;
        long dt = last.T - prev.T;
        if (dt == 0) return false;
        if (isRate) r /= dt / 1000.0;
        result = r;
        return true;
    }

    public static double Sum(ReadOnlySpan<Sample> s)
    {
        double sum = 0, c = 0;
        foreach (var p in s) KahanAdd(p.V, ref sum, ref c);
        return double.IsInfinity(sum) ? sum : sum + c;
    }

    /// <summary>avg_over_time: Kahan mean, switching to incremental mean on overflow, as Prometheus does.</summary>
    public static double Avg(ReadOnlySpan<Sample> s)
    {
        if (s.Length == 1) return s[0].V;
        double sum = s[0].V, c = 0, mean = 0, kahanC = 0;
        bool incremental = false;
        for (int i = 1; i < s.Length; i++)
        {
            double v = s[i].V;
            double count = i + 1;
            if (!incremental)
            {
                double newSum = sum, newC = c;
                KahanAdd(v, ref newSum, ref newC);
                if (!double.IsInfinity(newSum))
                {
                    sum = newSum;
                    c = newC;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                kahanC = c / (count - 1);
            }
            double q = (count - 1) / count;
            mean *= q;
            kahanC *= q;
            double inc = v / count;
            KahanAdd(inc, ref mean, ref kahanC);
        }
        if (incremental) return mean + kahanC;
        double n = s.Length;
        return sum / n + c / n;
    }

    public static double Min(ReadOnlySpan<Sample> s)
    {
        double m = s[0].V;
        foreach (var p in s)
            if (p.V < m || double.IsNaN(m)) m = p.V;
        return m;
    }

    public static double Max(ReadOnlySpan<Sample> s)
    {
        double m = s[0].V;
        foreach (var p in s)
            if (p.V > m || double.IsNaN(m)) m = p.V;
        return m;
    }

    /// <summary>Population variance (Welford with Kahan compensation, as Prometheus's stdvar_over_time).</summary>
    public static double Variance(ReadOnlySpan<Sample> s)
    {
        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var p in s)
        {
            count++;
            double delta = p.V - (mean + cMean);
            KahanAdd(delta / count, ref mean, ref cMean);
            KahanAdd(delta * (p.V - (mean + cMean)), ref aux, ref cAux);
        }
        return (aux + cAux) / count;
    }

    public static int Changes(ReadOnlySpan<Sample> s)
    {
        int changes = 0;
        double prev = s[0].V;
        for (int i = 1; i < s.Length; i++)
        {
            double cur = s[i].V;
            if (cur != prev && !(double.IsNaN(cur) && double.IsNaN(prev))) changes++;
            prev = cur;
        }
        return changes;
    }

    public static int Resets(ReadOnlySpan<Sample> s)
    {
        int resets = 0;
        double prev = s[0].V;
        for (int i = 1; i < s.Length; i++)
        {
            double cur = s[i].V;
            if (cur < prev) resets++;
            prev = cur;
        }
        return resets;
    }

    /// <summary>Least-squares slope and intercept of value over time, times relative to <paramref name="interceptTime"/> in seconds.</summary>
    public static (double Slope, double Intercept) LinearRegression(ReadOnlySpan<Sample> s, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        double initY = s[0].V;
        bool constY = true;
        for (int i = 0; i < s.Length; i++)
        {
            var p = s[i];
            if (constY && i > 0 && p.V != initY) constY = false;
            n++;
            double x = (p.T - interceptTime) / 1000.0;
            KahanAdd(x, ref sumX, ref cX);
            KahanAdd(p.V, ref sumY, ref cY);
            KahanAdd(x * p.V, ref sumXY, ref cXY);
            KahanAdd(x * x, ref sumX2, ref cX2);
        }
        if (constY)
        {
            if (double.IsInfinity(initY)) return (double.NaN, double.NaN);
            return (0, initY);
        }
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        double covXY = sumXY - sumX * sumY / n;
        double varX = sumX2 - sumX * sumX / n;
        double slope = covXY / varX;
        double intercept = sumY / n - slope * sumX / n;
        return (slope, intercept);
    }

    /// <summary>double_exponential_smoothing (formerly holt_winters). False with fewer than two samples.</summary>
    public static bool DoubleExponentialSmoothing(ReadOnlySpan<Sample> s, double sf, double tf, out double result)
    {
        result = 0;
        if (s.Length < 2) return false;
        double s0 = 0, s1 = s[0].V, b = s[1].V - s[0].V;
        for (int i = 1; i < s.Length; i++)
        {
            double x = sf * s[i].V;
            b = i > 1 ? tf * (s1 - s0) + (1 - tf) * b : b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        result = s1;
        return true;
    }

    /// <summary>
    /// The φ-quantile of <paramref name="values"/> (sorted in place) with linear interpolation, as
    /// Prometheus's quantile: NaN for no values, ±Inf for φ outside [0, 1], NaN for NaN φ.
    /// </summary>
    public static double Quantile(double q, Span<double> values)
    {
        if (values.Length == 0 || double.IsNaN(q)) return double.NaN;
        if (q < 0) return double.NegativeInfinity;
        if (q > 1) return double.PositiveInfinity;
        values.Sort(CompareFloats);
        double n = values.Length;
        double rank = q * (n - 1);
        double lowerIndex = Math.Max(0, Math.Floor(rank));
        double upperIndex = Math.Min(n - 1, lowerIndex + 1);
        double weight = rank - Math.Floor(rank);
        return values[(int)lowerIndex] * (1 - weight) + values[(int)upperIndex] * weight;
    }

    /// <summary>Float order used by sort and quantile: NaN sorts first (as Go's sort.Float64s).</summary>
    public static int CompareFloats(double a, double b)
    {
        if (double.IsNaN(a)) return double.IsNaN(b) ? 0 : -1;
        if (double.IsNaN(b)) return 1;
        return a.CompareTo(b);
    }

    /// <summary>mad_over_time: median of absolute deviations from the median. <paramref name="scratch"/> holds at least s.Length values.</summary>
    public static double MedianAbsoluteDeviation(ReadOnlySpan<Sample> s, Span<double> scratch)
    {
        foreach (var p in s)
            if (double.IsNaN(p.V)) return double.NaN;
        var vals = scratch[..s.Length];
        for (int i = 0; i < s.Length; i++) vals[i] = s[i].V;
        double median = Quantile(0.5, vals);
        for (int i = 0; i < s.Length; i++) vals[i] = Math.Abs(s[i].V - median);
        return Quantile(0.5, vals);
    }
}
