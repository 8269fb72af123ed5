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
