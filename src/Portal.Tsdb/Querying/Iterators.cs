using Portal.Model;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;

namespace Portal.Tsdb.Querying;

/// <summary>
/// Iterates one series' samples within [mint, maxt] over its chunks, skipping deleted samples. Chunks
/// that overlap in time (several sources, out-of-order data) are merged; equal timestamps yield one
/// sample (the first chunk's). Not thread-safe.
/// </summary>
internal sealed class ChunkSeriesIterator : ISampleIterator
{
    private readonly List<QueryChunk> _chunks;
    private readonly long _mint, _maxt;
    private readonly XorIterator _it = new();
    private int _ci = -1;
    private Interval[]? _del;
    private Sample[]? _merged;
    private int _mi = -1;
    private long _t;
    private double _v;
    private bool _done;

    public ChunkSeriesIterator(List<QueryChunk> chunks, long mint, long maxt)
    {
        _mint = mint;
        _maxt = maxt;
        // Only XOR (float) chunks are decoded; native-histogram chunks written by Prometheus are skipped.
        chunks.RemoveAll(c => c.Chunk.Encoding != ChunkEncoding.Xor);
        chunks.Sort((a, b) => a.Chunk.MinT.CompareTo(b.Chunk.MinT));
        _chunks = chunks;
        for (int i = 1; i < chunks.Count; i++)
        {
            if (chunks[i].Chunk.MinT <= chunks[i - 1].Chunk.MaxT)
            {
                _merged = MergeAll(chunks, mint, maxt);
                break;
            }
        }
    }

    public Exception? Error { get; private set; }

    private static Sample[] MergeAll(List<QueryChunk> chunks, long mint, long maxt)
    {
        var all = new List<(long T, int Order, double V)>();
        var it = new XorIterator();
        for (int i = 0; i < chunks.Count; i++)
        {
            it.Reset(chunks[i].Chunk.Data);
            while (it.Next())
            {
                if (it.T < mint || it.T > maxt || IntervalOps.IsDeleted(chunks[i].Deleted, it.T)) continue;
                all.Add((it.T, i, it.V));
            }
            if (it.Error is not null) throw it.Error;
        }
        all.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Order.CompareTo(b.Order));
        var result = new List<Sample>(all.Count);
        foreach (var s in all)
            if (result.Count == 0 || result[^1].T != s.T) result.Add(new Sample(s.T, s.V));
        return result.ToArray();
    }

    public ValueKind Next()
    {
        if (_done) return ValueKind.None;
        if (_merged is not null)
        {
            if (++_mi < _merged.Length) { _t = _merged[_mi].T; _v = _merged[_mi].V; return ValueKind.Float; }
            _done = true;
            return ValueKind.None;
        }
        while (true)
        {
            if (_ci >= 0 && _it.Next())
            {
                long t = _it.T;
                if (t < _mint) continue;
                if (t > _maxt) { _done = true; return ValueKind.None; }
                if (_del is not null && IntervalOps.IsDeleted(_del, t)) continue;
                _t = t;
                _v = _it.V;
                return ValueKind.Float;
            }
            if (_ci >= 0 && _it.Error is not null) { Error = _it.Error; _done = true; return ValueKind.None; }
            if (++_ci >= _chunks.Count) { _done = true; return ValueKind.None; }
            var c = _chunks[_ci];
            if (c.Chunk.MaxT < _mint) continue;
            if (c.Chunk.MinT > _maxt) { _done = true; return ValueKind.None; }
            _it.Reset(c.Chunk.Data);
            _del = c.Deleted;
        }
    }

    public ValueKind Seek(long t)
    {
        if (_done) return ValueKind.None;
        bool started = _merged is not null ? _mi >= 0 : _ci >= 0 && _ci < _chunks.Count;
        if (started && _t >= t) return ValueKind.Float;
        if (_merged is not null)
        {
            if (_mi < 0) _mi = 0;
            while (_mi < _merged.Length && _merged[_mi].T < t) _mi++;
            if (_mi >= _merged.Length) { _done = true; return ValueKind.None; }
            _t = _merged[_mi].T; _v = _merged[_mi].V;
            return ValueKind.Float;
        }
        // Skip whole chunks that end before t.
        while (_ci + 1 < _chunks.Count && _chunks[_ci + 1].Chunk.MinT <= t && (_ci < 0 || _chunks[_ci].Chunk.MaxT < t))
        {
            if (_chunks[_ci + 1].Chunk.MaxT >= t) break;
            _ci++;
            _it.Reset(ReadOnlyMemory<byte>.Empty);
        }
        while (true)
        {
            var k = Next();
            if (k == ValueKind.None) return k;
            if (_t >= t) return k;
        }
    }

    public Sample At() => new(_t, _v);
    public long AtT() => _t;
}

/// <summary>A series returned by a querier.</summary>
internal sealed class StoredSeries(Labels labels, List<QueryChunk> chunks, long mint, long maxt) : ISeries
{
    public Labels Labels { get; } = labels;

    public ISampleIterator Iterator(ISampleIterator? reuse = null) => new ChunkSeriesIterator(new List<QueryChunk>(chunks), mint, maxt);
}

internal sealed class GatheredSeriesSet(List<GatheredSeries> series, long mint, long maxt) : ISeriesSet
{
    private int _i = -1;
    private ISeries? _cur;

    public bool MoveNext()
    {
        if (++_i >= series.Count) return false;
        _cur = new StoredSeries(series[_i].Labels, series[_i].Chunks, mint, maxt);
        return true;
    }

    public ISeries Current => _cur!;
    public Exception? Error => null;
    public IReadOnlyList<string> Warnings => [];
}
