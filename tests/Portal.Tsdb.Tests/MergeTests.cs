using System.Diagnostics;
using Portal.Model;
using Portal.Tsdb.Tools;

namespace Portal.Tsdb.Tests;

public class MergeTests
{
    [Fact]
    public void OverlappingBlocks_QueryAndCompactionDedupe()
    {
        using var dir = new TempDir();
        var s = TestUtil.L("__name__", "m", "job", "x");
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            var app = db.Appender();
            for (long t = 0; t < 3600_000; t += 60_000) app.Append(SeriesRef.None, s, t, t / 1000.0);
            app.Commit();
            db.FlushHead();
            Assert.Single(db.Blocks);
        }
        // A second block over the same range: every 30 s, same values on shared timestamps.
        var om = new System.Text.StringBuilder();
        for (long t = 0; t < 3600_000; t += 30_000)
            om.Append("m{job=\"x\"} ").Append(t / 1000.0).Append(' ').Append(t / 1000).Append('\n');
        om.Append("# EOF\n");
        BackfillTool.CreateBlocksFromOpenMetrics(new StringReader(om.ToString()), dir.Path);
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            Assert.Equal(2, db.Blocks.Count);
            var got = TestUtil.ReadAll(db, 0, long.MaxValue).Single().Samples;
            Assert.Equal(120, got.Count);
            Assert.True(got.Zip(got.Skip(1)).All(p => p.First.T < p.Second.T));
            var it = new List<Sample>(got);
            db.Compact();
            Assert.Single(db.Blocks);
            Assert.Equal(2, db.Blocks[0].Meta.Compaction.Level);
            Assert.Equal(it, TestUtil.ReadAll(db, 0, long.MaxValue).Single().Samples);
            // Seek across merged data.
            using var q = db.Querier(0, long.MaxValue);
            var set = q.Select(true, null, Matcher.Equal("job", "x"));
            Assert.True(set.MoveNext());
            var iter = set.Current.Iterator();
            Assert.Equal(ValueKind.Float, iter.Seek(95_000));
            Assert.Equal(120_000, iter.AtT());
        }
    }

    [Fact]
    public async Task HeadAndBlockOverlap_DuplicatesAreMergedOnce()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var s = TestUtil.L("__name__", "m");
        var app = db.Appender();
        for (long t = 0; t <= 4 * 3600_000; t += 60_000) app.Append(SeriesRef.None, s, t, 1);
        app.Commit();
        // Query opened before the head is cut keeps seeing all data exactly once.
        using var q = db.Querier(0, long.MaxValue);
        var cut = Task.Run(db.Compact);
        var set = q.Select(true, null, Matcher.Equal("__name__", "m"));
        Assert.True(set.MoveNext());
        var it = set.Current.Iterator();
        int n = 0;
        while (it.Next() == ValueKind.Float) n++;
        Assert.Equal(241, n);
        q.Dispose();
        await cut.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(241, TestUtil.ReadAll(db, 0, long.MaxValue).Single().Samples.Count);
    }

    [Fact]
    public async Task ConcurrentAppendersAndQueriers()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var tasks = new List<Task>();
        for (int w = 0; w < 4; w++)
        {
            int id = w;
            tasks.Add(Task.Run(() =>
            {
                for (int b = 0; b < 50; b++)
                {
                    var app = db.Appender();
                    for (int s = 0; s < 20; s++)
                        app.Append(SeriesRef.None, TestUtil.L("__name__", "c", "w", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), b * 1000L, b);
                    app.Commit();
                }
            }));
        }
        tasks.Add(Task.Run(() =>
        {
            for (int i = 0; i < 20; i++) TestUtil.ReadAll(db, 0, long.MaxValue);
        }));
        await Task.WhenAll(tasks);
        var all = TestUtil.ReadAll(db, 0, long.MaxValue);
        Assert.Equal(80, all.Count);
        Assert.All(all, x => Assert.Equal(50, x.Samples.Count));
    }

    [Fact]
    public void ManyInstances_OpenAndCloseCheaply()
    {
        using var dir = new TempDir();
        var sw = Stopwatch.StartNew();
        var dbs = new List<TsdbDatabase>();
        for (int i = 0; i < 100; i++)
        {
            var db = TsdbDatabase.Open(Path.Combine(dir.Path, "t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var app = db.Appender();
            app.Append(SeriesRef.None, TestUtil.L("__name__", "up"), 1000, 1);
            app.Commit();
            dbs.Add(db);
        }
        foreach (var db in dbs) db.Dispose();
        // Reopen all: each replays its WAL.
        foreach (var i in Enumerable.Range(0, 100))
        {
            using var db = TsdbDatabase.Open(Path.Combine(dir.Path, "t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), TestUtil.NoTimer());
            Assert.Single(TestUtil.ReadAll(db, 0, 2000));
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"200 opens took {sw.Elapsed}");
    }

    [Fact]
    public void SecondOpenOfSameDirectory_IsRefused()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        Assert.ThrowsAny<IOException>(() => TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()));
    }
}
