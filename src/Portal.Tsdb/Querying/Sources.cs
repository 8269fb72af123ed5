using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Head;
using Portal.Tsdb.Index;

namespace Portal.Tsdb.Querying;

/// <summary>An encoded chunk plus the deletions (tombstones) that apply to it.</summary>
internal readonly record struct QueryChunk(ChunkData Chunk, Interval[]? Deleted);

/// <summary>A series gathered from one or more sources: labels and every relevant chunk.</summary>
internal sealed class GatheredSeries(Labels labels)
{
    public Labels Labels = labels;
    public readonly List<QueryChunk> Chunks = new();
    public int Sources = 1;
}

/// <summary>Something queries read from: the head or a block.</summary>
internal interface ISeriesSource
{
    IIndexSource Index { get; }

    /// <summary>Labels of a series.</summary>
    Labels LabelsOf(int sref);

    /// <summary>Adds the series' chunks overlapping [mint, maxt] with their deletions; returns its labels.</summary>
    Labels Read(int sref, long mint, long maxt, List<QueryChunk> into);
}

internal sealed class HeadSource(TsdbHead head) : ISeriesSource
{
    private readonly List<ChunkData> _tmp = new();
    public IIndexSource Index => head;

    public Labels LabelsOf(int sref) => head.TryGetByRef(sref, out var s) ? s.Labels : Labels.Empty;

    public Labels Read(int sref, long mint, long maxt, List<QueryChunk> into)
    {
        if (!head.TryGetByRef(sref, out var s)) return Labels.Empty;
        _tmp.Clear();
        Interval[]? del;
        lock (s)
        {
            s.Snapshot(mint, maxt, _tmp);
            del = s.Tombstones;
        }
        foreach (var c in _tmp) into.Add(new QueryChunk(c, del));
        return s.Labels;
    }
}

internal sealed class BlockSource(Block block) : ISeriesSource
{
    private readonly List<ChunkData> _tmp = new();
    public IIndexSource Index => block;
    public Block Block => block;

    public Labels LabelsOf(int sref) => block.Series(sref, 0, 0, null);

    public Labels Read(int sref, long mint, long maxt, List<QueryChunk> into)
    {
        _tmp.Clear();
        var l = block.Series(sref, mint, maxt, _tmp);
        var del = block.TombstonesOf(sref);
        foreach (var c in _tmp) into.Add(new QueryChunk(c, del));
        return l;
    }
}

/// <summary>Gathers matching series from several sources, merged by labels and sorted.</summary>
internal static class Gather
{
    public static List<GatheredSeries> Series(IReadOnlyList<ISeriesSource> sources, long mint, long maxt, IReadOnlyList<Matcher> matchers, bool dropEmpty)
    {
        List<GatheredSeries>? merged = null;
        foreach (var src in sources)
        {
            var refs = PostingsForMatchers.Resolve(src.Index, matchers);
            var list = new List<GatheredSeries>(refs.Length);
            foreach (int r in refs)
            {
                var g = new GatheredSeries(Labels.Empty);
                g.Labels = src.Read(r, mint, maxt, g.Chunks);
                if (g.Labels.Count == 0) continue;
                if (dropEmpty && g.Chunks.Count == 0) continue;
                list.Add(g);
            }
            if (src is HeadSource) list.Sort((a, b) => a.Labels.CompareTo(b.Labels));
            merged = merged is null ? list : Merge(merged, list);
        }
        merged ??= new List<GatheredSeries>();
        if (dropEmpty) merged.RemoveAll(g => AllDeleted(g));
        return merged;
    }

    private static bool AllDeleted(GatheredSeries g)
    {
        foreach (var c in g.Chunks)
            if (!IntervalOps.Covers(c.Deleted, c.Chunk.MinT, c.Chunk.MaxT)) return false;
        return true;
    }

    private static List<GatheredSeries> Merge(List<GatheredSeries> a, List<GatheredSeries> b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        var result = new List<GatheredSeries>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            int c = a[i].Labels.CompareTo(b[j].Labels);
            if (c < 0) result.Add(a[i++]);
            else if (c > 0) result.Add(b[j++]);
            else
            {
                a[i].Chunks.AddRange(b[j].Chunks);
                a[i].Sources++;
                result.Add(a[i++]);
                j++;
            }
        }
        while (i < a.Count) result.Add(a[i++]);
        while (j < b.Count) result.Add(b[j++]);
        return result;
    }
}
