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
    public async Task TailReader_ReturnsEveryCommittedSampleOnceInOrderAcrossSegments()
    {
        // Readers follow the WAL while four writers commit into small segments; each gets every sample committed
        // after it opened, exactly once, each series in time order, and nothing of rolled-back transactions.
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.WalSegmentSize = 128 * 1024));
        var early = db.Appender();
        early.Append(SeriesRef.None, TestUtil.L("__name__", "before_reader"), 1, 1);
        early.Commit();
        using var reader = db.OpenReader();
        var got = new List<CommittedSample>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                var app = db.Appender();
                for (int s = 0; s < 100; s++)
                    app.Append(SeriesRef.None, TestUtil.L("__name__", "c", "w", w.ToString(System.Globalization.CultureInfo.InvariantCulture), "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), round * 1_000L, round);
                app.Commit();
                if (round % 50 == 0)
                {
                    var dropped = db.Appender();
                    dropped.Append(SeriesRef.None, TestUtil.L("__name__", "rolled_back"), round * 1_000L, 1);
                    dropped.Rollback();
                }
            }
        })).ToArray();
        var all = Task.WhenAll(writers);
        while (!all.IsCompleted) reader.Read(got, 1000);
        await all;
        while (reader.Read(got, 1000) > 0) { }

        Assert.True(Directory.GetFiles(Path.Combine(dir.Path, "wal")).Length > 3, "segments should rotate");
        Assert.Equal(4 * 200 * 100, got.Count);
        Assert.DoesNotContain(got, x => x.Labels.MetricNameValue is "before_reader" or "rolled_back");
        foreach (var series in got.GroupBy(x => x.Labels))
            Assert.Equal(Enumerable.Range(0, 200).Select(r => r * 1_000L), series.Select(x => x.T));
        Assert.Equal(0, reader.Skipped);
        Assert.Equal(0, reader.UnreadBytes);
    }

    [Fact]
    public void TailReader_LaggingBehindTruncationSkipsTheTruncatedSegmentsAndGoesOn()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.WalSegmentSize = 128 * 1024));
        using var reader = (Portal.Tsdb.Wal.WalTailReader)db.OpenReader();
        for (long t = 0; t <= 5 * 3600_000; t += 60_000)
        {
            var app = db.Appender();
            for (int s = 0; s < 200; s++)
                app.Append(SeriesRef.None, TestUtil.L("__name__", "w", "s", s.ToString(System.Globalization.CultureInfo.InvariantCulture)), t, t + s);
            app.Commit();
        }
        db.Compact();
        var late = db.Appender();
        late.Append(SeriesRef.None, TestUtil.L("__name__", "after_truncation"), 6 * 3600_000, 1);
        late.Commit();

        var got = new List<CommittedSample>();
        while (reader.Read(got, 10_000) > 0) { }
        Assert.True(reader.SkippedSegments > 0, "the segments folded into the checkpoint were gone before the reader reached them");
        Assert.Contains(got, x => x.Labels.MetricNameValue == "after_truncation");
        Assert.True(got.Count < 301 * 200, "what was truncated is not returned");
        Assert.Equal(0, reader.UnreadBytes);
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
