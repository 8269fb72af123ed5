using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;

namespace Portal.Tsdb.Tests;

/// <summary>How a series' head chunks (up to 120 samples) become the longer chunks of a block.</summary>
public class BlockChunkTests
{
    private static readonly Labels Series = TestUtil.L("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle");

    /// <summary>Appends <paramref name="count"/> samples one second apart from <paramref name="from"/>; every 97th is a staleness marker.</summary>
    private static List<Sample> Fill(TsdbDatabase db, long from, int count)
    {
        var app = db.Appender();
        var written = new List<Sample>();
        var sref = SeriesRef.None;
        for (int i = 0; i < count; i++)
        {
            long t = from + i * 1000L;
            double v = i % 97 == 96 ? SampleValue.StaleNaN : 1000 + i * 0.37;
            sref = app.Append(sref, Series, t, v);
            written.Add(new Sample(t, v));
        }
        app.Commit();
        return written;
    }

    /// <summary>The number of samples in each chunk of the one series of a block.</summary>
    private static List<int> ChunkSizes(Block block)
    {
        var chunks = new List<ChunkData>();
        block.Series(block.AllPostings().Single(), long.MinValue, long.MaxValue, chunks);
        return chunks.Select(c => XorIterator.SampleCount(c.Data.Span)).ToList();
    }

    private static void AssertSameBits(List<Sample> expected, List<Sample> got)
    {
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].T, got[i].T);
            Assert.Equal(BitConverter.DoubleToUInt64Bits(expected[i].V), BitConverter.DoubleToUInt64Bits(got[i].V));
        }
    }

    [Fact]
    public void HeadChunksAreMergedIntoEvenlyFilledChunksUpToTheLimit()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var written = Fill(db, 0, 1000);
        db.FlushHead();
        var block = Assert.Single(db.Blocks);
        // 1,000 samples were 9 head chunks; with the default limit of 480 they make three, none a short tail.
        Assert.Equal([333, 333, 334], ChunkSizes(block));
        Assert.Equal(3UL, block.Meta.Stats.NumChunks);
        Assert.Equal(1000UL, block.Meta.Stats.NumSamples);
        AssertSameBits(written, TestUtil.ReadAll(db, long.MinValue, long.MaxValue).Single().Samples);
    }

    [Fact]
    public void ALimitOf120KeepsTheHeadsChunksAsTheyAre()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.MaxSamplesPerBlockChunk = 120));
        var written = Fill(db, 0, 1000);
        db.FlushHead();
        var sizes = ChunkSizes(Assert.Single(db.Blocks));
        Assert.Equal(1000, sizes.Sum());
        Assert.All(sizes, n => Assert.InRange(n, 1, 120));
        Assert.Equal(9, sizes.Count);
        AssertSameBits(written, TestUtil.ReadAll(db, long.MinValue, long.MaxValue).Single().Samples);
    }

    [Fact]
    public void CompactionMergesTheChunksOfTheBlocksItJoins()
    {
        using var dir = new TempDir();
        // 20-minute blocks of 120 samples at 10 s: three of them compact into one 1-hour block of 360 per chunk.
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.BlockRangeMs = 1_200_000));
        var app = db.Appender();
        var written = new List<Sample>();
        var sref = SeriesRef.None;
        for (long t = 0; t < 5 * 1_200_000; t += 10_000)
        {
            double v = t / 1000.0 * 1.5;
            sref = app.Append(sref, Series, t, v);
            written.Add(new Sample(t, v));
        }
        app.Commit();
        db.Compact();
        var joined = db.Blocks.Single(b => b.MinTime == 0);
        Assert.Equal(3_600_000, joined.MaxTime);
        Assert.Equal(2, joined.Meta.Compaction.Level);
        Assert.Equal([360], ChunkSizes(joined));
        AssertSameBits(written, TestUtil.ReadAll(db, long.MinValue, long.MaxValue).Single().Samples);
    }

    [Fact]
    public void MergedChunksTakeLessSpaceThanTheHeadsChunks()
    {
        long ChunkBytes(int limit)
        {
            using var dir = new TempDir();
            using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.MaxSamplesPerBlockChunk = limit)))
            {
                Fill(db, 0, 1920);
                db.FlushHead();
            }
            return Directory.GetFiles(Directory.GetDirectories(dir.Path, "*", SearchOption.AllDirectories).Single(d => d.EndsWith("chunks", StringComparison.Ordinal)))
                .Sum(f => new FileInfo(f).Length);
        }
        long merged = ChunkBytes(480), asHead = ChunkBytes(120);
        // 16 chunks become 4: 12 chunk starts saved, each at least the 8-byte first value and 2-byte count.
        Assert.True(asHead - merged >= 12 * 10, $"480 per chunk: {merged} B, 120 per chunk: {asHead} B");
    }

    [Fact]
    public void ChunksToMergeAreEncodedOnlyWhenTheWriterReachesTheirSeries()
    {
        static Portal.Tsdb.Querying.GatheredSeries Series(string name, int samples, Interval[]? deleted = null)
        {
            var g = new Portal.Tsdb.Querying.GatheredSeries(TestUtil.L("__name__", name));
            var list = Enumerable.Range(0, samples).Select(i => new Sample(i * 1000L, i)).ToList();
            foreach (var (mn, mx, data) in ChunkUtil.Encode(list)) g.Chunks.Add(new Portal.Tsdb.Querying.QueryChunk(new ChunkData(mn, mx, data), deleted));
            return g;
        }
        var built = TsdbDatabase.BuildSeriesChunks(
            [Series("merged", 360), Series("single", 100), Series("deleted", 360, [new Interval(0, 10_000)]), Series("all_deleted", 360, [new Interval(0, 1_000_000)])],
            0, 1_000_000, 480);
        // Merging is deferred (a head cut holds one series' new chunks at a time); deletions are applied at once, so a
        // series left without samples is not written; a lone chunk is kept as it is.
        Assert.Equal(["merged", "single", "deleted"], built.Select(s => s.Labels.Get("__name__")));
        Assert.Null(built[0].Chunks);
        Assert.Equal([360], built[0].Encode!().Select(c => XorIterator.SampleCount(c.Data.Span)));
        Assert.Single(built[1].Chunks!);
        Assert.Equal([349], built[2].Chunks!.Select(c => XorIterator.SampleCount(c.Data.Span)));
    }

    [Fact]
    public void AWriteThatFailsMidwayLeavesNothingBehind()
    {
        using var dir = new TempDir();
        var good = new List<ChunkData>();
        foreach (var (mn, mx, data) in ChunkUtil.Encode([new Sample(0, 1), new Sample(1000, 2)])) good.Add(new ChunkData(mn, mx, data));
        var e = Assert.Throws<InvalidDataException>(() => BlockWriter.Write(dir.Path, 0, 7_200_000,
            [new SeriesChunks(TestUtil.L("__name__", "a"), good), new SeriesChunks(TestUtil.L("__name__", "b"), null, () => throw new InvalidDataException("chunk 7 of series b is corrupt"))],
            1, null, null));
        Assert.Contains("series b", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_536)]
    public void AnImpossibleLimitIsRefusedAtOpen(int limit)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.MaxSamplesPerBlockChunk = limit)));
        Assert.Contains("MaxSamplesPerBlockChunk", e.Message);
    }

    [Theory]
    [InlineData(1000, 480, new[] { 333, 333, 334 })]
    [InlineData(480, 480, new[] { 480 })]
    [InlineData(481, 480, new[] { 240, 241 })]
    [InlineData(1, 480, new[] { 1 })]
    [InlineData(0, 480, new int[0])]
    public void EncodeEvenly_SharesTheSamplesOut(int count, int limit, int[] sizes)
    {
        var samples = Enumerable.Range(0, count).Select(i => new Sample(i * 15_000L, i % 7)).ToList();
        var chunks = ChunkUtil.EncodeEvenly(samples, limit);
        Assert.Equal(sizes, chunks.Select(c => XorIterator.SampleCount(c.Data)).ToArray());
        Assert.Equal(samples, chunks.SelectMany(c => ChunkUtil.Decode(c.Data)).ToList());
        for (int i = 0; i < chunks.Count; i++)
        {
            var decoded = ChunkUtil.Decode(chunks[i].Data);
            Assert.Equal(decoded[0].T, chunks[i].MinT);
            Assert.Equal(decoded[^1].T, chunks[i].MaxT);
        }
    }
}
