using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Tsdb.Tests;

public class HeadTests
{
    [Fact]
    public void AppendCommitQuery_RoundTripsIncludingStaleNaN()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        var a = TestUtil.L("__name__", "up", "job", "a");
        var r = app.Append(SeriesRef.None, a, 1000, 1);
        app.Append(r, a, 2000, SampleValue.StaleNaN);
        app.Append(r, a, 3000, double.PositiveInfinity);
        app.Append(SeriesRef.None, TestUtil.L("__name__", "up", "job", "b"), 1000, double.NaN);
        // Not visible before commit.
        Assert.Empty(TestUtil.ReadAll(db, 0, 10000));
        app.Commit();
        var all = TestUtil.ReadAll(db, 0, 10000);
        Assert.Equal(2, all.Count);
        Assert.Equal(a, all[0].Labels);
        Assert.Equal(3, all[0].Samples.Count);
        Assert.True(SampleValue.IsStaleNaN(all[0].Samples[1].V));
        Assert.True(double.IsNaN(all[1].Samples[0].V));
        // Inclusive bounds.
        var one = TestUtil.ReadAll(db, 2000, 2000);
        Assert.Single(one);
        Assert.Equal(2000, one[0].Samples.Single().T);
    }

    [Fact]
    public void StoredLabels_AreTheHeadsOneInstancePerSeries()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        var first = TestUtil.L("__name__", "up", "job", "a");
        var r = app.Append(SeriesRef.None, first, 1000, 1);
        var stored = app.StoredLabels(r);
        Assert.NotNull(stored);
        Assert.Equal(first, stored);
        app.Commit();

        var other = db.Appender();
        var again = TestUtil.L("__name__", "up", "job", "a");
        Assert.Same(stored, other.StoredLabels(other.Append(SeriesRef.None, again, 2000, 2)));
        Assert.Null(other.StoredLabels(SeriesRef.None));
        Assert.Null(other.StoredLabels(new SeriesRef(1_000_000)));
        other.Commit();
    }

    [Fact]
    public void Rollback_DiscardsSamples()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        app.Append(SeriesRef.None, TestUtil.L("__name__", "x"), 1000, 1);
        app.Rollback();
        Assert.Empty(TestUtil.ReadAll(db, 0, 10000));
    }

    public static TheoryData<string[], string> BadLabels => new()
    {
        { new[] { "job", "a" }, "no metric name" },
        { new[] { "__name__", "" }, "no metric name" },
        { new[] { "__name__", "x", "", "v" }, "invalid label name" },
    };

    [Theory]
    [MemberData(nameof(BadLabels))]
    public void InvalidLabels_AreRefusedWithReason(string[] pairs, string reason)
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        var ex = Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, Labels.FromStrings(pairs), 1000, 1));
        Assert.Equal(AppendError.InvalidLabels, ex.Error);
        Assert.Contains(reason, ex.Message);
        app.Append(SeriesRef.None, TestUtil.L("__name__", "ok"), 1000, 1);
        app.Commit();
        Assert.Single(TestUtil.ReadAll(db, 0, 10000));
    }

    [Fact]
    public void DuplicateLabelNames_AreRefused()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var dup = Labels.FromSortedUnchecked([new Label("__name__", "x"), new Label("a", "1"), new Label("a", "2")]);
        var ex = Assert.Throws<AppendException>(() => db.Appender().Append(SeriesRef.None, dup, 1, 1));
        Assert.Contains("duplicate label name", ex.Message);
        Assert.Contains("__name__", ex.Message);
    }

    [Fact]
    public void AppendErrors_FollowPrometheus()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var s = TestUtil.L("__name__", "m");
        var app = db.Appender();
        app.Append(SeriesRef.None, s, 10_000, 1);
        app.Commit();
        app = db.Appender();
        Assert.Equal(AppendError.OutOfOrderSample, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, s, 9_000, 1)).Error);
        Assert.Equal(AppendError.DuplicateSampleForTimestamp, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, s, 10_000, 2)).Error);
        app.Append(SeriesRef.None, s, 10_000, 1); // same value: silently accepted
        app.Append(SeriesRef.None, s, 20_000, 1);
        // Within one transaction, order is checked against pending samples too.
        Assert.Equal(AppendError.OutOfOrderSample, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, s, 15_000, 1)).Error);
        app.Commit();
        app = db.Appender();
        app.Append(SeriesRef.None, s, 10 * 3600_000, 1);
        app.Commit();
        app = db.Appender();
        var e = Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, TestUtil.L("__name__", "other"), 30_000, 1));
        Assert.Equal(AppendError.OutOfBounds, e.Error);
        Assert.Equal(AppendError.OutOfBounds, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, s, long.MaxValue, 1)).Error);
        Assert.Equal(3, TestUtil.ReadAll(db, 0, long.MaxValue)[0].Samples.Count);
    }

    [Fact]
    public void OutOfOrderWindow_AcceptsRecentOldSamples()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.OutOfOrderWindowMs = 60_000));
        var s = TestUtil.L("__name__", "m");
        var app = db.Appender();
        app.Append(SeriesRef.None, s, 100_000, 1);
        app.Commit();
        app = db.Appender();
        app.Append(SeriesRef.None, s, 50_000, 2);
        Assert.Equal(AppendError.TooOldSample, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, s, 10_000, 3)).Error);
        app.Commit();
        var got = TestUtil.ReadAll(db, 0, 200_000)[0].Samples;
        Assert.Equal([50_000L, 100_000L], got.Select(x => x.T));
    }

    [Fact]
    public void MaxSeries_IsEnforced()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer(o => o.MaxSeries = 2));
        var app = db.Appender();
        app.Append(SeriesRef.None, TestUtil.L("__name__", "a"), 1, 1);
        app.Append(SeriesRef.None, TestUtil.L("__name__", "b"), 1, 1);
        Assert.Equal(AppendError.TooManySeries, Assert.Throws<AppendException>(() => app.Append(SeriesRef.None, TestUtil.L("__name__", "c"), 1, 1)).Error);
        app.Commit();
    }

    [Fact]
    public void ChunksAreCutAt120Samples()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        var r = SeriesRef.None;
        for (int i = 0; i < 1000; i++) r = app.Append(r, TestUtil.L("__name__", "m"), i * 1000L, i);
        app.Commit();
        var st = db.Status();
        Assert.Equal(1, st.NumSeries);
        Assert.True(st.ChunkCount >= 1000 / 120, $"chunks {st.ChunkCount}");
        var got = TestUtil.ReadAll(db, 0, 10_000_000)[0].Samples;
        Assert.Equal(1000, got.Count);
        for (int i = 0; i < 1000; i++) Assert.Equal((double)i, got[i].V);
    }

    public static TheoryData<string, int> Selectors => new()
    {
        { "job=a", 50 },
        { "job!=a", 50 },
        { "i=~1.*", 11 },
        { "i!~1.*", 89 },
        { "job=a,i=~[0-9]", 5 },
        { "missing=", 100 },
        { "job=~a|b", 100 },
        { "job=~", 0 },
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Matchers_SelectLikePrometheus(string sel, int expected)
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        for (int i = 0; i < 100; i++)
            app.Append(SeriesRef.None, TestUtil.L("__name__", "m", "job", i % 2 == 0 ? "a" : "b", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 1000, i);
        app.Commit();
        var ms = new List<Matcher> { Matcher.Equal("__name__", "m") };
        foreach (var part in sel.Split(','))
        {
            var (type, op) = part.Contains("!~") ? (MatchType.NotRegex, "!~") : part.Contains("=~") ? (MatchType.Regex, "=~") : part.Contains("!=") ? (MatchType.NotEqual, "!=") : (MatchType.Equal, "=");
            var kv = part.Split(op);
            ms.Add(new Matcher(type, kv[0], kv[1]));
        }
        Assert.Equal(expected, TestUtil.ReadAll(db, 0, 10000, ms.ToArray()).Count);
    }

    [Fact]
    public void LabelNamesAndValues()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        app.Append(SeriesRef.None, TestUtil.L("__name__", "a", "x", "1"), 1, 1);
        app.Append(SeriesRef.None, TestUtil.L("__name__", "b", "y", "2"), 1, 1);
        app.Append(SeriesRef.None, TestUtil.L("__name__", "b", "y", "3"), 1, 1);
        app.Commit();
        using var q = db.Querier(0, 10);
        Assert.Equal(["__name__", "x", "y"], q.LabelNames());
        Assert.Equal(["__name__", "y"], q.LabelNames(Matcher.Equal("__name__", "b")));
        Assert.Equal(["2", "3"], q.LabelValues("y"));
        Assert.Equal(["a", "b"], q.LabelValues("__name__"));
        Assert.Equal(["a"], q.LabelValues("__name__", Matcher.Equal("x", "1")));
        var st = db.Status();
        Assert.Equal(3, st.NumSeries);
        Assert.Equal("b", st.SeriesCountByMetricName[0].Key);
        Assert.Equal(2, st.SeriesCountByMetricName[0].Value);
    }

    [Fact]
    public void IteratorSeek()
    {
        using var dir = new TempDir();
        using var db = TsdbDatabase.Open(dir.Path, TestUtil.NoTimer());
        var app = db.Appender();
        var r = SeriesRef.None;
        for (int i = 0; i < 500; i++) r = app.Append(r, TestUtil.L("__name__", "m"), i * 10L, i);
        app.Commit();
        using var q = db.Querier(0, 100000);
        var set = q.Select(false, null, Matcher.Equal("__name__", "m"));
        Assert.True(set.MoveNext());
        var it = set.Current.Iterator();
        Assert.Equal(ValueKind.Float, it.Seek(2005));
        Assert.Equal(2010, it.AtT());
        Assert.Equal(ValueKind.Float, it.Seek(100));
        Assert.Equal(2010, it.AtT());
        Assert.Equal(ValueKind.Float, it.Next());
        Assert.Equal(2020, it.AtT());
        Assert.Equal(ValueKind.Float, it.Seek(4990));
        Assert.Equal(ValueKind.None, it.Next());
        Assert.Equal(ValueKind.None, it.Seek(99999));
    }
}
