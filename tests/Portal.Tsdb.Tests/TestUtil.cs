using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Tsdb.Tests;

/// <summary>A temporary directory deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tsdbtest-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class TestUtil
{
    public static TsdbOptions NoTimer(Action<TsdbOptions>? f = null)
    {
        var o = new TsdbOptions { CompactionInterval = TimeSpan.Zero };
        f?.Invoke(o);
        return o;
    }

    /// <summary>All samples of all series matching the matchers, as (labels string, samples).</summary>
    public static List<(Labels Labels, List<Sample> Samples)> ReadAll(Portal.Model.IQueryable db, long mint, long maxt, params Matcher[] ms)
    {
        if (ms.Length == 0) ms = [new Matcher(MatchType.Regex, "__name__", ".+")];
        using var q = db.Querier(mint, maxt);
        var set = q.Select(true, null, ms);
        var result = new List<(Labels, List<Sample>)>();
        while (set.MoveNext())
        {
            var it = set.Current.Iterator();
            var list = new List<Sample>();
            while (it.Next() == ValueKind.Float) list.Add(it.At());
            Assert.Null(it.Error);
            result.Add((set.Current.Labels, list));
        }
        return result;
    }

    public static Labels L(params string[] pairs) => Labels.FromStrings(pairs);

    /// <summary>Asserts that a reopened database holds exactly <paramref name="expected"/>: same series, same samples.</summary>
    public static void AssertReopenedHolds(string dir, TsdbOptions opts, List<(Labels Labels, List<Sample> Samples)> expected)
    {
        using var db = TsdbDatabase.Open(dir, opts);
        var got = ReadAll(db, long.MinValue, long.MaxValue);
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < got.Count; i++)
        {
            Assert.Equal(expected[i].Labels, got[i].Labels);
            Assert.Equal(expected[i].Samples, got[i].Samples);
        }
    }
}
