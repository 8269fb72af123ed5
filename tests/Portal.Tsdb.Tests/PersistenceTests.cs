using System.Diagnostics;
using System.Globalization;
using Portal.Model;

namespace Portal.Tsdb.Tests;

public class PersistenceTests
{
    private static void Fill(TsdbDatabase db, int series, long from, long to, long step)
    {
        var app = db.Appender();
        var refs = new SeriesRef[series];
        for (long t = from; t <= to; t += step)
            for (int s = 0; s < series; s++)
            {
                double v = s * 10 + t / 1000.0;
                if (t % (step * 17) == 0) v = SampleValue.StaleNaN;
                refs[s] = app.Append(refs[s], TestUtil.L("__name__", "node_cpu_seconds_total", "cpu", s.ToString(CultureInfo.InvariantCulture), "mode", "idle"), t, v);
            }
        app.Commit();
    }

    private static string Dump(List<(Labels Labels, List<Sample> Samples)> data)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (l, ss) in data)
            foreach (var s in ss)
                sb.Append(l).Append(' ').Append(BitConverter.DoubleToUInt64Bits(s.V).ToString("x", CultureInfo.InvariantCulture)).Append(' ').Append(s.T).Append('\n');
        return sb.ToString();
    }

    [Fact]
    public void WalReplay_RestoresCommittedSamples()
    {
        using var dir = new TempDir();
        string before;
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Fill(db, 10, 0, 600_000, 15_000);
            var app = db.Appender();
            app.Append(SeriesRef.None, TestUtil.L("__name__", "rolled_back"), 1, 1);
            app.Rollback();
            db.DeleteSeries(0, 100_000, Matcher.Equal("cpu", "3"));
            before = Dump(TestUtil.ReadAll(db, long.MinValue, long.MaxValue));
        }
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Assert.Equal(before, Dump(TestUtil.ReadAll(db, long.MinValue, long.MaxValue)));
            // Appends continue after replay.
            Fill(db, 10, 615_000, 615_000, 15_000);
        }
    }

    [Fact]
    public void WalTornTail_IsCutWithoutLosingEarlierRecords()
    {
        using var dir = new TempDir();
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            for (int i = 0; i < 50; i++)
            {
                var app = db.Appender();
                app.Append(SeriesRef.None, TestUtil.L("__name__", "m"), i * 1000L, i);
                app.Commit();
            }
        }
        var seg = Directory.GetFiles(Path.Combine(dir.Path, "wal")).Where(f => new FileInfo(f).Length > 0).OrderBy(f => f, StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(seg);
        int len = bytes.Length;
        while (len > 0 && bytes[len - 1] == 0) len--;
        // Corrupt the last record's payload (flip a byte) so its CRC fails.
        bytes[len - 3] ^= 0xFF;
        File.WriteAllBytes(seg, bytes);
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            var got = TestUtil.ReadAll(db, 0, long.MaxValue).Single().Samples;
            Assert.Equal(49, got.Count);
            Assert.Equal(48_000, got[^1].T);
            var app = db.Appender();
            app.Append(SeriesRef.None, TestUtil.L("__name__", "m"), 100_000, 1);
            app.Commit();
        }
        // Truncated mid-record too.
        seg = Directory.GetFiles(Path.Combine(dir.Path, "wal")).Where(f => new FileInfo(f).Length > 0).OrderBy(f => f, StringComparer.Ordinal).Last();
        bytes = File.ReadAllBytes(seg);
        len = bytes.Length;
        while (len > 0 && bytes[len - 1] == 0) len--;
        File.WriteAllBytes(seg, bytes[..(len - 5)]);
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            var got = TestUtil.ReadAll(db, 0, long.MaxValue).Single().Samples;
            Assert.Equal(49, got.Count);
        }
    }

    [Fact]
    public void HeadCompaction_WritesBlocksAndQueriesMergeHeadAndBlocks()
    {
        using var dir = new TempDir();
        string before;
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Fill(db, 20, 0, 4 * 3600_000, 30_000);
            before = Dump(TestUtil.ReadAll(db, long.MinValue, long.MaxValue));
            db.Compact();
            Assert.Single(db.Blocks);
            Assert.Equal(0, db.Blocks[0].MinTime);
            Assert.Equal(7200_000, db.Blocks[0].MaxTime);
            Assert.True(db.Status().MinTime >= 7200_000);
            Assert.Equal(before, Dump(TestUtil.ReadAll(db, long.MinValue, long.MaxValue)));
            Assert.Contains(Directory.GetDirectories(Path.Combine(dir.Path, "wal")), d => Path.GetFileName(d).StartsWith("checkpoint.", StringComparison.Ordinal));
        }
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Assert.Equal(before, Dump(TestUtil.ReadAll(db, long.MinValue, long.MaxValue)));
            var app = db.Appender();
            Assert.Equal(AppendError.OutOfBounds, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, TestUtil.L("__name__", "new"), 1000, 1)).Error);
        }
    }

    [Fact]
    public void Compaction_MergesBlocks_AppliesTombstones_AndRetentionDeletes()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.RetentionMs = 10L * 24 * 3600_000));
        for (int h = 0; h < 10; h++) Fill(db, 5, h * 3600_000L, (h + 1) * 3600_000L - 60_000, 60_000);
        db.Compact();
        // 0-6h compacted into one 6h block; head keeps the last hours.
        Assert.Contains(db.Blocks, b => b.MinTime == 0 && b.MaxTime == 6 * 3600_000);
        db.DeleteSeries(0, 3600_000, Matcher.Equal("cpu", "1"));
        var got = TestUtil.ReadAll(db, 0, long.MaxValue, Matcher.Equal("cpu", "1")).Single().Samples;
        Assert.True(got[0].T > 3600_000);
        var all = TestUtil.ReadAll(db, 0, long.MaxValue);
        db.Compact(); // tombstones on 1/5 of series: the block is rewritten
        Assert.All(db.Blocks, b => Assert.Equal(0, b.NumTombstoneSeries));
        Assert.Equal(Dump(all), Dump(TestUtil.ReadAll(db, 0, long.MaxValue)));
        // Far newer data: old blocks fall out of retention.
        Fill(db, 5, 20L * 24 * 3600_000, 20L * 24 * 3600_000 + 4 * 3600_000, 60_000);
        db.Compact();
        Assert.DoesNotContain(db.Blocks, b => b.MinTime == 0);
        Assert.Empty(TestUtil.ReadAll(db, 0, 24 * 3600_000));
    }

    [Fact]
    public void SizeRetention_DeletesOldestBlocks()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.MaxBytes = 1));
        Fill(db, 5, 0, 5 * 3600_000L, 60_000);
        db.Compact();
        Assert.Empty(db.Blocks);
    }

    [Fact]
    public void OverlappingBlocks_AreMergedWithDedup()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.OutOfOrderWindowMs = 3 * 3600_000L));
        Fill(db, 3, 0, 3600_000, 60_000);
        db.FlushHead();
        var app = db.Appender();
        app.Append(SeriesRef.None, TestUtil.L("__name__", "late"), 4 * 3600_000, 1);
        app.Commit();
        Assert.Single(db.Blocks);
        var all = Dump(TestUtil.ReadAll(db, 0, long.MaxValue));
        Assert.Contains("late", all);
    }

    [PromtoolFact]
    public void Promtool_AnalyzesAndDumpsExactlyOurSamples()
    {
        using var dir = new TempDir();
        string expected;
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Fill(db, 30, 0, 5 * 3600_000, 30_000);
            var app = db.Appender();
            app.Append(SeriesRef.None, TestUtil.L("__name__", "special", "kind", "values"), 17_000_001, double.PositiveInfinity);
            app.Append(SeriesRef.None, TestUtil.L("__name__", "special", "kind", "values"), 17_000_002, double.NegativeInfinity);
            app.Append(SeriesRef.None, TestUtil.L("__name__", "special", "kind", "values"), 17_000_003, 1234567.5);
            app.Append(SeriesRef.None, TestUtil.L("__name__", "special", "kind", "values"), 17_000_004, 1e-7);
            app.Append(SeriesRef.None, TestUtil.L("__name__", "special", "kind", "utf8", "v", "h\u00e9 \"q\" \\ x"), 17_000_004, -0.25);
            app.Commit();
            db.Compact();
            Assert.NotEmpty(db.Blocks);
            expected = Portal.Tsdb.Tools.DumpTool.Dump(db, long.MinValue, long.MaxValue, []);
        }
        var (code, stdout, stderr) = Run("/usr/bin/promtool", "tsdb", "analyze", dir.Path);
        Assert.True(code == 0, "analyze failed: " + stderr + stdout);
        Assert.Contains("Block ID", stdout);
        (code, stdout, stderr) = Run("/usr/bin/promtool", "tsdb", "dump", dir.Path);
        Assert.True(code == 0, "dump failed: " + stderr);
        var got = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        var want = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(30 * 601 + 5, want.Count);
        Assert.Equal(want, got);
    }

    internal static (int Code, string Stdout, string Stderr) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, err.Result);
    }
}

/// <summary>A fact skipped (with the reason) when promtool is not installed at /usr/bin/promtool.</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (!File.Exists("/usr/bin/promtool")) Skip = "needs /usr/bin/promtool (Debian package prometheus), absent here";
    }
}
