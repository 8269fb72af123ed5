using Portal.Model;
using Portal.Tsdb.Chunks;

namespace Portal.Tsdb.Head;

/// <summary>An immutable encoded chunk with its time range (inclusive). Safe to share between threads.</summary>
public readonly record struct ChunkData(long MinT, long MaxT, ReadOnlyMemory<byte> Data, ChunkEncoding Encoding = ChunkEncoding.Xor);

/// <summary>
/// One in-memory series: labels, completed chunks and the open head chunk. Every mutable field is
/// guarded by locking the instance itself.
/// </summary>
internal sealed class MemSeries(int seriesRef, Labels labels)
{
    public readonly int Ref = seriesRef;
    public readonly Labels Labels = labels;
    public readonly ulong LabelsHash = labels.Hash;

    private ChunkData[]? _done;
    private int _doneCount;
    private XorChunk? _head;
    private long _headMinT;
    private long _nextAt = long.MinValue;
    private int _lastChunkBytes;

    /// <summary>Last committed in-order sample; long.MinValue when none.</summary>
    public long MaxT = long.MinValue;
    public ulong LastVBits;

    /// <summary>
    /// The id of the appender holding uncommitted samples for this series (0: none), and its highest pending
    /// timestamp. An id rather than a reference: series live in the oldest GC generation and appenders in the
    /// youngest, and storing a young reference in every series a scrape touches would make each young-generation
    /// collection rescan all series.
    /// </summary>
    public long PendingOwner;
    public long PendingMaxT;
    public ulong PendingLastVBits;

    public Interval[]? Tombstones;

    /// <summary>Out-of-order samples (sorted by time), only when an out-of-order window is configured.</summary>
    public List<Sample>? Ooo;

    public int ChunkCount => _doneCount + (_head is null ? 0 : 1) + (Ooo is { Count: > 0 } ? 1 : 0);

    public long MinTime
    {
        get
        {
            long m = _doneCount > 0 ? _done![0].MinT : _head is not null ? _headMinT : long.MaxValue;
            if (Ooo is { Count: > 0 } && Ooo[0].T < m) m = Ooo[0].T;
            return m;
        }
    }

    /// <summary>Prometheus cuts an XOR chunk once it holds more than this many bytes (its 1 KiB limit less 19).</summary>
    public const int MaxBytesPerXorChunk = 1024 - 19;

    /// <summary>
    /// Appends an in-order sample (t > MaxT), cutting chunks as Prometheus 3 does: when the chunk holds more than
    /// <see cref="MaxBytesPerXorChunk"/> bytes; at the end time predicted once the chunk holds a quarter of
    /// <paramref name="samplesPerChunk"/> samples (spreading the rest of the chunk range evenly), at the latest at the
    /// chunk-range boundary; or at twice <paramref name="samplesPerChunk"/> samples when the rate rose.
    /// </summary>
    public void AppendInOrder(long t, double v, long chunkRange, int samplesPerChunk)
    {
        var c = _head;
        bool start = c is null;
        if (c is not null)
        {
            int n = c.Count;
            if (n == samplesPerChunk / 4) _nextAt = ComputeChunkEndTime(_headMinT, c.LastT, _nextAt, 4);
            if (c.ByteLength > MaxBytesPerXorChunk || t >= _nextAt || n >= samplesPerChunk * 2)
            {
                CloseHead(c);
                start = true;
            }
        }
        if (start)
        {
            c ??= _head = new XorChunk(NextChunkCapacity);
            _headMinT = t;
            _nextAt = RangeForTimestamp(t, chunkRange);
        }
        c!.Append(t, v);
        MaxT = t;
        LastVBits = BitConverter.DoubleToUInt64Bits(v);
    }

    /// <summary>Inserts an out-of-order sample; returns false when a sample with this timestamp exists with other value bits.</summary>
    public bool InsertOoo(long t, double v)
    {
        Ooo ??= new List<Sample>();
        int lo = 0, hi = Ooo.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long mt = Ooo[mid].T;
            if (mt == t)
                return BitConverter.DoubleToUInt64Bits(Ooo[mid].V) == BitConverter.DoubleToUInt64Bits(v);
            if (mt < t) lo = mid + 1; else hi = mid - 1;
        }
        Ooo.Insert(lo, new Sample(t, v));
        return true;
    }

    /// <summary>
    /// The buffer size for the next chunk: sized from the previous one (samples of a series compress alike) so the
    /// buffer rarely grows and, when the chunk is cut, can be kept as the completed chunk's bytes without a copy.
    /// </summary>
    private int NextChunkCapacity => _lastChunkBytes == 0 ? 48 : _lastChunkBytes + _lastChunkBytes / 8 + 16;

    /// <summary>Moves the head chunk's samples to the completed chunks; the emptied chunk object stays the head for the next sample.</summary>
    private void CloseHead(XorChunk head)
    {
        _done ??= new ChunkData[2];
        if (_doneCount == _done.Length) Array.Resize(ref _done, _done.Length * 2);
        _lastChunkBytes = head.ByteLength;
        long lastT = head.LastT;
        _done[_doneCount++] = new ChunkData(_headMinT, lastT, head.Detach(NextChunkCapacity));
    }

    internal static long RangeForTimestamp(long t, long width)
    {
        long start = t >= 0 ? t / width * width : -((-t + width - 1) / width) * width;
        return start + width;
    }

    private static long ComputeChunkEndTime(long start, long cur, long max, double ratioToFull)
    {
        double n = (double)(max - start) / ((cur - start + 1) * ratioToFull);
        if (n <= 1) return max;
        return (long)(start + (max - start) / Math.Floor(n));
    }

    /// <summary>Copies the chunks overlapping [mint, maxt]; the head chunk is copied so the snapshot is immutable.</summary>
    public void Snapshot(long mint, long maxt, List<ChunkData> into)
    {
        for (int i = 0; i < _doneCount; i++)
        {
            var c = _done![i];
            if (c.MaxT >= mint && c.MinT <= maxt) into.Add(c);
        }
        if (_head is not null && _head.Count > 0 && _head.LastT >= mint && _headMinT <= maxt)
            into.Add(new ChunkData(_headMinT, _head.LastT, _head.ToArray()));
        if (Ooo is { Count: > 0 } && Ooo[^1].T >= mint && Ooo[0].T <= maxt)
        {
            foreach (var (mn, mx, data) in ChunkUtil.Encode(Ooo))
                into.Add(new ChunkData(mn, mx, data));
        }
    }

    /// <summary>Drops chunks and out-of-order samples entirely before <paramref name="mint"/>; returns true when the series became empty.</summary>
    public bool Truncate(long mint)
    {
        int drop = 0;
        while (drop < _doneCount && _done![drop].MaxT < mint) drop++;
        if (drop > 0)
        {
            Array.Copy(_done!, drop, _done!, 0, _doneCount - drop);
            Array.Clear(_done!, _doneCount - drop, drop);
            _doneCount -= drop;
        }
        if (_head is not null && _head.LastT < mint && _doneCount == 0)
        {
            _head = null;
        }
        if (Ooo is not null)
        {
            int k = 0;
            while (k < Ooo.Count && Ooo[k].T < mint) k++;
            if (k > 0) Ooo.RemoveRange(0, k);
            if (Ooo.Count == 0) Ooo = null;
        }
        if (Tombstones is not null)
        {
            var kept = new List<Interval>();
            foreach (var iv in Tombstones) if (iv.MaxT >= mint) kept.Add(iv);
            Tombstones = kept.Count == 0 ? null : kept.ToArray();
        }
        return _doneCount == 0 && _head is null && Ooo is null && PendingOwner == 0;
    }

    /// <summary>Approximate bytes held by this series' chunks.</summary>
    public long ChunkBytes()
    {
        long b = 0;
        for (int i = 0; i < _doneCount; i++) b += _done![i].Data.Length + 24;
        if (_head is not null) b += _head.Capacity + 64;
        if (Ooo is not null) b += Ooo.Count * 16;
        return b;
    }
}
