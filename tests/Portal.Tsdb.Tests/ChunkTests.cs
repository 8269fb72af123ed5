using Portal.Model;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Encoding;

namespace Portal.Tsdb.Tests;

public class ChunkTests
{
    [Fact]
    public void Crc32C_KnownVector()
    {
        // RFC 3720 check value for "123456789".
        var data = "123456789"u8;
        Assert.Equal(0xE3069283u, Crc32C.Compute(data));
        Assert.Equal(0xE3069283u, Crc32C.ComputeTable(data));
        var big = new byte[1000];
        new Random(1).NextBytes(big);
        Assert.Equal(Crc32C.ComputeTable(big), Crc32C.Compute(big));
    }

    public static TheoryData<string> Patterns => new() { "regular", "random", "special", "jitter", "huge-gaps" };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Xor_RoundTripsBitExact(string pattern)
    {
        var rnd = new Random(pattern.GetHashCode(StringComparison.Ordinal));
        var samples = new List<Sample>();
        long t = -5000;
        double v = 100;
        double[] specials = [double.NaN, SampleValue.StaleNaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, double.MaxValue, 1e-300];
        for (int i = 0; i < 120; i++)
        {
            switch (pattern)
            {
                case "regular": t += 15000; v += 1; break;
                case "random": t += rnd.Next(1, 100000); v = rnd.NextDouble() * 1e6; break;
                case "special": t += 1000; v = specials[i % specials.Length]; break;
                case "jitter": t += 15000 + rnd.Next(-50, 50); v = Math.Round(rnd.NextDouble() * 10, 2); break;
                default: t += i % 3 == 0 ? 1L << 40 : rnd.Next(1, 1 << 21); v = -v * 3; break;
            }
            samples.Add(new Sample(t, v));
        }
        var c = new XorChunk();
        foreach (var s in samples) c.Append(s.T, s.V);
        Assert.Equal(120, c.Count);
        var got = ChunkUtil.Decode(c.ToArray());
        Assert.Equal(samples.Count, got.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            Assert.Equal(samples[i].T, got[i].T);
            Assert.Equal(BitConverter.DoubleToUInt64Bits(samples[i].V), BitConverter.DoubleToUInt64Bits(got[i].V));
        }
    }

    [Fact]
    public void Xor_GrowsTowardsItsPredictedSizeRatherThanDoubling()
    {
        // A counter-like series: once the chunk has enough samples to tell its rate, it grows to the size 120 samples
        // will take, so the buffers it allocates on the way add up to well under twice its final size (doubling from
        // 48 bytes allocates about three times it).
        var c = new XorChunk(48);
        var rnd = new Random(3);
        double v = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < XorChunk.TypicalSamples; i++)
        {
            v += rnd.Next(0, 50) * 0.25;
            c.Append(15_000L * i, v);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(c.ByteLength > 200, $"the series should need several reallocations from 48 bytes ({c.ByteLength} bytes)");
        Assert.True(allocated < 2 * c.ByteLength + 64, $"{allocated} bytes allocated for a chunk of {c.ByteLength}");
        Assert.Equal(XorChunk.TypicalSamples, ChunkUtil.Decode(c.ToArray()).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Xor_DetachHandsOverFinalBytesAndRestartsEmpty(bool tight)
    {
        var rnd = new Random(7);
        var first = new List<Sample>();
        for (int i = 0; i < 100; i++) first.Add(new Sample(1000L * i + rnd.Next(0, 3), Math.Round(rnd.NextDouble() * 100, 1)));
        var probe = new XorChunk();
        foreach (var s in first) probe.Append(s.T, s.V);
        int size = probe.ByteLength;

        // Tight: the buffer has just the slack appends need, so it is handed over as it is; loose: far more than the
        // bytes, so they are copied out trimmed.
        var c = new XorChunk(tight ? size + 40 : size * 4);
        foreach (var s in first) c.Append(s.T, s.V);
        var expected = c.ToArray();
        var detached = c.Detach(64);
        Assert.Equal(expected, detached.ToArray());
        Assert.Equal(0, c.Count);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(detached, out var segment));
        Assert.Equal(tight, segment.Array!.Length > segment.Count);

        // The chunk goes on as a fresh one: same bytes as a new chunk given the same samples, and the detached bytes
        // stay as they were.
        var fresh = new XorChunk();
        for (int i = 0; i < 150; i++)
        {
            long t = 500_000 + 15_000L * i;
            double v = i * 0.25;
            c.Append(t, v);
            fresh.Append(t, v);
        }
        Assert.Equal(fresh.ToArray(), c.ToArray());
        Assert.Equal(expected, detached.ToArray());
        var decoded = ChunkUtil.Decode(detached);
        Assert.Equal(first.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))), decoded.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))));
    }

    [Fact]
    public void Xor_MatchesPrometheusBytesForSimpleSeries()
    {
        // Two samples: t=1000 v=1, t=2000 v=1 -> header 0x0002, varint(1000)=0xd0 0x0f,
        // 64 bits of 1.0, uvarint(1000)=0xe8 0x07, then a single '0' bit for the unchanged value.
        var c = new XorChunk();
        c.Append(1000, 1.0);
        c.Append(2000, 1.0);
        byte[] expected = [0x00, 0x02, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xe8, 0x07, 0x00];
        Assert.Equal(expected, c.ToArray());
    }

    [Fact]
    public void Xor_TruncatedChunkReportsError()
    {
        var c = new XorChunk();
        for (int i = 0; i < 50; i++) c.Append(i * 1000, i * 1.5);
        var bytes = c.ToArray()[..10];
        var it = new XorIterator(bytes);
        while (it.Next()) { }
        Assert.NotNull(it.Error);
    }
}

/// <summary>Where the head cuts chunks: Prometheus 3's rules (predicted end time, byte limit, twice the sample target).</summary>
public class HeadChunkCuttingTests
{
    private const long Range = 300_000;

    private static List<Portal.Tsdb.Head.ChunkData> Chunks(IEnumerable<(long T, double V)> samples, long chunkRange = Range)
    {
        var s = new Portal.Tsdb.Head.MemSeries(1, Labels.FromStrings("__name__", "m"));
        foreach (var (t, v) in samples) s.AppendInOrder(t, v, chunkRange, 120);
        var chunks = new List<Portal.Tsdb.Head.ChunkData>();
        s.Snapshot(long.MinValue, long.MaxValue, chunks);
        return chunks;
    }

    private static List<int> ChunkSizes(IEnumerable<(long T, double V)> samples, long chunkRange = Range) =>
        Chunks(samples, chunkRange).Select(c => XorIterator.SampleCount(c.Data.Span)).ToList();

    [Fact]
    public void SpreadsARangeEvenly_NotAt120Samples()
    {
        // 300 samples one second apart fill a 5-minute range: after 30 samples the end is predicted so the two chunks
        // hold 150 samples each (a fixed cut at 120 would give 120, 120 and 60).
        var sizes = ChunkSizes(Enumerable.Range(0, 300).Select(i => (i * 1000L, (double)(i % 7))));
        Assert.Equal([150, 150], sizes);
    }

    [Fact]
    public void CutsAtTwiceTheTargetWhenTheRateRises()
    {
        // 30 samples 15 s apart predict a chunk end 30 minutes on; then samples arrive every millisecond, and the chunk
        // is cut at 240. The next chunk predicts its end from the new rate.
        var first = Enumerable.Range(0, 30).Select(i => (i * 15_000L, 1.0));
        var burst = Enumerable.Range(1, 600).Select(i => (29 * 15_000L + i, 1.0));
        var sizes = ChunkSizes(first.Concat(burst), 7_200_000);
        Assert.Equal(240, sizes[0]);
        Assert.InRange(sizes[1], 30, 239);
        Assert.Equal(630, sizes.Sum());
    }

    [Fact]
    public void CutsWhenTheChunkPassesTheByteLimit()
    {
        // Random values take about 8 bytes a sample: the chunk passes 1005 bytes before the predicted 150 samples.
        var rnd = new Random(3);
        var chunks = Chunks(Enumerable.Range(0, 300).Select(i => (i * 1000L, rnd.NextDouble())));
        Assert.True(chunks.Count >= 3, $"{chunks.Count} chunks");
        Assert.All(chunks.SkipLast(1), c =>
        {
            Assert.InRange(c.Data.Length, 1006, 1024);
            Assert.True(XorIterator.SampleCount(c.Data.Span) < 150);
        });
        Assert.Equal(300, chunks.Sum(c => XorIterator.SampleCount(c.Data.Span)));
    }
}
