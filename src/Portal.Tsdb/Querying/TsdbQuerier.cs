using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Index;

namespace Portal.Tsdb.Querying;

/// <summary>A querier over the head and the blocks overlapping [mint, maxt]. Not thread-safe; holds its blocks until disposed.</summary>
internal sealed class TsdbQuerier(List<ISeriesSource> sources, List<Block> blocks, long mint, long maxt, Action onDispose) : IQuerier
{
    private bool _disposed;

    public ISeriesSet Select(bool sortSeries, SelectHints? hints, params Matcher[] matchers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long lo = mint, hi = maxt;
        if (hints is not null && hints.Start != 0 && hints.End != 0 && hints.Func != "series")
        {
            lo = Math.Max(lo, hints.Start);
            hi = Math.Min(hi, hints.End);
        }
        var series = Gather.Series(sources, lo, hi, matchers, dropEmpty: true);
        return new GatheredSeriesSet(series, lo, hi);
    }

    public IReadOnlyList<string> LabelValues(string name, params Matcher[] matchers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var src in sources)
        {
            if (matchers.Length == 0)
            {
                foreach (var v in src.Index.LabelValues(name)) set.Add(v);
                continue;
            }
            foreach (var r in PostingsForMatchers.Resolve(src.Index, matchers))
            {
                var v = src.LabelsOf(r).Get(name);
                if (v.Length > 0) set.Add(v);
            }
        }
        var list = new List<string>(set);
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public IReadOnlyList<string> LabelNames(params Matcher[] matchers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var src in sources)
        {
            if (matchers.Length == 0)
            {
                foreach (var n in src.Index.LabelNames()) set.Add(n);
                continue;
            }
            foreach (var r in PostingsForMatchers.Resolve(src.Index, matchers))
                foreach (var l in src.LabelsOf(r).AsSpan()) set.Add(l.Name);
        }
        var list = new List<string>(set);
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var b in blocks) b.Release();
        onDispose();
    }
}
