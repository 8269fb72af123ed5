using System.Numerics;
using Portal.Model;
using Portal.Tsdb.Chunks;

namespace Portal.Tsdb.Tests;

public class XorWindowPlannerTests
{
    /// <summary>Value sequences shaped like a scrape's series: counters, gauges, jumps, markers, constants.</summary>
    public static TheoryData<string> Shapes => new() { "counter", "float-counter", "random-gauge", "stale-marker", "constant", "alternating", "specials" };

    private static List<Sample> Make(string shape, int count, int seed)
    {
        var rnd = new Random(seed);
        var samples = new List<Sample>(count);
        double v = 1000;
        double[] specials = [double.NaN, SampleValue.StaleNaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, double.MaxValue, 1e-300];
        for (int i = 0; i < count; i++)
        {
            switch (shape)
            {
                case "counter": v += rnd.Next(0, 3) * 4096; break;
                case "float-counter": v = Math.Round(v + rnd.NextDouble() * 0.05, 2); break;
                case "random-gauge": v = rnd.NextDouble() * 0.01; break;
                case "stale-marker": v = i % 40 == 39 ? SampleValue.StaleNaN : 5000 + i * 0.25; break;
                case "constant": v = 42; break;
                case "alternating": v = i % 2 == 0 ? 1 : 1e6 + rnd.Next(0, 4); break;
                default: v = specials[rnd.Next(specials.Length)]; break;
            }
            samples.Add(new Sample(1_700_000_000_000 + i * 15_000L + (shape == "specials" ? rnd.Next(0, 9) : 0), v));
        }
        return samples;
    }

    private static ulong[] Bits(List<Sample> samples) => samples.Select(s => BitConverter.DoubleToUInt64Bits(s.V)).ToArray();

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PlannedChunksDecodeBitExactAndAreNoLargerThanPrometheusRule(string shape)
    {
        var samples = Make(shape, 480, shape.Length);
        var planned = ChunkUtil.EncodePlanned(samples, 0, samples.Count);
        var decoded = ChunkUtil.Decode(planned);
        Assert.Equal(samples.Count, decoded.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            Assert.Equal(samples[i].T, decoded[i].T);
            Assert.Equal(BitConverter.DoubleToUInt64Bits(samples[i].V), BitConverter.DoubleToUInt64Bits(decoded[i].V));
        }
        var byPrometheusRule = new XorChunk();
        foreach (var s in samples) byPrometheusRule.Append(s.T, s.V);
        Assert.True(planned.Length <= byPrometheusRule.ByteLength, $"planned {planned.Length} B, Prometheus's rule {byPrometheusRule.ByteLength} B");

        // The plan's count of value bits is what the chunk holds: the two encodings differ only in their values.
        var values = Bits(samples);
        var windows = new XorWindow[values.Length];
        long planBits = XorWindowPlanner.Plan(values, windows);
        long ruleBits = XorWindowPlanner.PlanLikePrometheus(values, new XorWindow[values.Length]);
        Assert.InRange(8L * (byPrometheusRule.ByteLength - planned.Length), ruleBits - planBits - 7, ruleBits - planBits + 7);
    }

    [Fact]
    public void AStalenessMarkerNoLongerWidensTheWindowForTheRestOfTheChunk()
    {
        var samples = Make("stale-marker", 480, 1);
        var planned = ChunkUtil.EncodePlanned(samples, 0, samples.Count);
        var byPrometheusRule = new XorChunk();
        foreach (var s in samples) byPrometheusRule.Append(s.T, s.V);
        // The marker's XOR needs almost all 64 bits; Prometheus's rule then writes every later change in that window.
        Assert.True(planned.Length * 2 < byPrometheusRule.ByteLength, $"planned {planned.Length} B, Prometheus's rule {byPrometheusRule.ByteLength} B");
    }

    /// <summary>
    /// The optimum by exhaustion: the changed values split into runs, each run written in one window (the
    /// tightest holding all its XORs) opened at its first value.
    /// </summary>
    private static long BruteForce(ulong[] values)
    {
        var changes = new List<(int L, int T)>();
        int unchanged = 0;
        for (int i = 1; i < values.Length; i++)
        {
            ulong x = values[i] ^ values[i - 1];
            if (x == 0) { unchanged++; continue; }
            changes.Add((Math.Min(BitOperations.LeadingZeroCount(x), 31), BitOperations.TrailingZeroCount(x)));
        }
        long best = long.MaxValue;
        int m = changes.Count;
        for (int cuts = 0; cuts < 1 << Math.Max(0, m - 1); cuts++)
        {
            long bits = 0;
            int start = 0;
            for (int j = 0; j < m; j++)
            {
                bool endsRun = j == m - 1 || (cuts >> j & 1) != 0;
                if (!endsRun) continue;
                int l = 31, t = 63;
                for (int k = start; k <= j; k++) { l = Math.Min(l, changes[k].L); t = Math.Min(t, changes[k].T); }
                int len = j - start + 1;
                bits += 13 + 2 * (len - 1) + len * (64 - l - t);
                start = j + 1;
            }
            best = Math.Min(best, bits);
        }
        return 64 + unchanged + (m == 0 ? 0 : best);
    }

    [Fact]
    public void PlansAreOptimalOnShortSequences()
    {
        var rnd = new Random(7);
        for (int round = 0; round < 300; round++)
        {
            int n = rnd.Next(1, 14);
            var values = new ulong[n];
            double v = rnd.Next(1, 1000);
            for (int i = 0; i < n; i++)
            {
                v = rnd.Next(5) switch
                {
                    0 => v,
                    1 => v + 1,
                    2 => v * 1.5,
                    3 => rnd.NextDouble(),
                    _ => Math.Round(v + rnd.NextDouble(), 2),
                };
                values[i] = BitConverter.DoubleToUInt64Bits(v);
            }
            long planned = XorWindowPlanner.Plan(values, new XorWindow[n]);
            Assert.Equal(BruteForce(values), planned);
            Assert.True(planned <= XorWindowPlanner.PlanLikePrometheus(values, new XorWindow[n]));
        }
    }

    [Fact]
    public void AWindowThatDoesNotHoldTheValueIsRefused()
    {
        var c = new XorChunk();
        c.Append(0, 1.0);
        var e = Assert.Throws<ArgumentException>(() => c.Append(1000, 3.0, new XorWindow(20, 40)));
        Assert.Contains("does not hold", e.Message);
    }
}
