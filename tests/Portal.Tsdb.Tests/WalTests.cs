using Portal.Model;

namespace Portal.Tsdb.Tests;

public class WalTests
{
    [Fact]
    public async Task ConcurrentCommits_RollSegmentsInTheBackgroundAndReplayExactly()
    {
        // Four writers commit at once (their samples apply in parallel; only the WAL write is serialized) into small
        // segments, so full segments are closed in the background while commits go on; a reopen replays exactly what
        // the head held.
        using var dir = new TempDir();
        var opts = TestUtil.NoTimer(o => o.WalSegmentSize = 128 * 1024);
        List<(Labels Labels, List<Sample> Samples)> expected;
        using (var db = TsdbDatabase.Open(dir.Path, opts))
        {
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                for (int round = 0; round < 300; round++)
                {
                    var app = db.Appender();
                    for (int s = 0; s < 100; s++)
                        app.Append(SeriesRef.None, TestUtil.L("__name__", "c", "w", w.ToString(System.Globalization.CultureInfo.InvariantCulture), "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), round * 1_000L, round * 0.5 + s);
                    app.Commit();
                }
            })).ToArray();
            await Task.WhenAll(writers);
            Assert.True(Directory.GetFiles(Path.Combine(dir.Path, "wal")).Length > 3, "segments should rotate");
            expected = TestUtil.ReadAll(db, long.MinValue, long.MaxValue);
        }
        Assert.Equal(400, expected.Count);
        Assert.All(expected, x => Assert.Equal(300, x.Samples.Count));
        TestUtil.AssertReopenedHolds(dir.Path, opts, expected);
    }

    [Fact]
    public void SmallSegments_RotateCheckpointAndReplay()
    {
        using var dir = new TempDir();
        var opts = TestUtil.NoTimer(o => o.WalSegmentSize = 128 * 1024);
        var expected = new List<(Labels, List<Sample>)>();
        using (var db = TsdbDatabase.Open(dir.Path, opts))
        {
            for (long t = 0; t <= 5 * 3600_000; t += 60_000)
            {
                var app = db.Appender();
                for (int s = 0; s < 200; s++)
                    app.Append(SeriesRef.None, TestUtil.L("__name__", "w", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), t, t + s);
                app.Commit();
            }
            Assert.True(Directory.GetFiles(Path.Combine(dir.Path, "wal")).Length > 3, "segments should rotate");
            db.Compact();
            expected = TestUtil.ReadAll(db, long.MinValue, long.MaxValue);
        }
        var walDir = Path.Combine(dir.Path, "wal");
        var cps = Directory.GetDirectories(walDir, "checkpoint.*");
        Assert.Single(cps);
        int cpIndex = int.Parse(Path.GetFileName(cps[0])["checkpoint.".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(Directory.GetFiles(walDir), f => Assert.True(int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture) > cpIndex));
        TestUtil.AssertReopenedHolds(dir.Path, opts, expected);
    }

    [Fact]
    public void SeriesRecordsOfRolledBackTransactions_KeepLaterSamplesReplayable()
    {
        using var dir = new TempDir();
        var s = TestUtil.L("__name__", "rb");
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            var a1 = db.Appender();
            a1.Append(SeriesRef.None, s, 1000, 1);
            a1.Rollback();
            var a2 = db.Appender();
            a2.Append(SeriesRef.None, s, 2000, 2);
            a2.Commit();
        }
        using (var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer()))
        {
            var got = TestUtil.ReadAll(db, 0, 10_000).Single().Samples;
            Assert.Equal([new Sample(2000, 2)], got);
        }
    }
}
