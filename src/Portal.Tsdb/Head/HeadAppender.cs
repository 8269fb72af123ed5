using Portal.Model;
using Portal.Tsdb.Wal;

namespace Portal.Tsdb.Head;

/// <summary>
/// An append transaction on the head. Samples are checked when appended (labels, bounds, order,
/// duplicates), become durable (WAL) together at <see cref="Commit"/>, and visible as Commit applies them, series by
/// series. Not thread-safe.
/// </summary>
internal sealed class HeadAppender(TsdbHead head, WriteAheadLog wal, bool syncOnCommit) : IAppender
{
    /// <summary>Timestamps beyond ±2^62 ms are refused (they would overflow block arithmetic).</summary>
    public const long MaxAbsTimestamp = 1L << 62;

    /// <summary>
    /// Transactions hand their lists back for the next one, in three tiers by size so that many concurrent small
    /// transactions (one per scrape) do not regrow lists while the memory kept stays bounded: up to 64 sets of at most
    /// 4,096 samples (scrape-sized, about 160 kB each), 8 of at most 65,536, and one of at most 2^20 (a million-series
    /// scrape or a big remote write batch, about 40 MB). Larger sets are left to the GC.
    /// </summary>
    private static readonly (int Capacity, int Keep, Stack<Buffers> Pool)[] Tiers = [(1 << 12, 64, new()), (1 << 16, 8, new()), (1 << 20, 1, new())];

    private static readonly Lock PoolLock = new();

    private static long s_lastId;

    /// <summary>This transaction's mark on the series it holds pending samples for (see <see cref="MemSeries.PendingOwner"/>).</summary>
    private readonly long _id = Interlocked.Increment(ref s_lastId);

    private readonly Buffers _buffers = Rent();
    private bool _done;

    /// <summary>The lists of one transaction, reused across transactions so steady appends allocate nothing per sample.</summary>
    private sealed class Buffers
    {
        public readonly List<RefSample> Samples = new();
        public readonly List<MemSeries> Series = new();
        public readonly List<MemSeries> Targets = new();
    }

    private static Buffers Rent()
    {
        lock (PoolLock)
            foreach (var tier in Tiers)
                if (tier.Pool.TryPop(out var b)) return b;
        return new Buffers();
    }

    private static void Return(Buffers b)
    {
        int capacity = Math.Max(b.Samples.Capacity, b.Series.Capacity);
        lock (PoolLock)
            foreach (var tier in Tiers)
                if (capacity <= tier.Capacity)
                {
                    if (tier.Pool.Count < tier.Keep) tier.Pool.Push(b);
                    return;
                }
    }

    public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
    {
        if (_done) throw new InvalidOperationException("appender already committed or rolled back");
        // A ref hint is trusted when the 64-bit label hashes (cached on both Labels) agree.
        MemSeries? s = null;
        if (!seriesRef.IsNone && seriesRef.Value <= int.MaxValue && head.TryGetByRef((int)seriesRef.Value, out var byRef)
            && (labels is null || ReferenceEquals(byRef.Labels, labels) || byRef.LabelsHash == labels.Hash))
            s = byRef;
        if (s is null)
        {
            if (labels is null) throw new AppendException(AppendError.InvalidLabels, "no labels given and the series ref is unknown");
            if (!head.TryGetByLabels(labels, out s))
            {
                var reason = LabelNames.Validate(labels);
                if (reason is not null)
                    throw new AppendException(AppendError.InvalidLabels, $"invalid series {labels}: {reason}", labels);
                s = head.GetOrCreate(labels);
            }
        }
        if (t > MaxAbsTimestamp || t < -MaxAbsTimestamp)
            throw new AppendException(AppendError.OutOfBounds, $"timestamp {t} out of range for series {s.Labels}", s.Labels);

        long headMax = head.MaxTime;
        long minValid = head.MinValidTime;
        long lowest = headMax == long.MinValue ? minValid : Math.Max(minValid, headMax - head.ChunkRange / 2);
        long ooo = head.OooWindow;
        lock (s)
        {
            long sMax = s.MaxT;
            ulong lastBits = s.LastVBits;
            if (s.PendingOwner == _id && s.PendingMaxT > sMax)
            {
                sMax = s.PendingMaxT;
                lastBits = s.PendingLastVBits;
            }
            if (t < lowest)
            {
                if (ooo <= 0 || t < minValid)
                    throw new AppendException(AppendError.OutOfBounds, $"out of bounds: sample at {t} is older than the minimum valid time {lowest} for series {s.Labels}", s.Labels);
                if (t < headMax - ooo)
                    throw new AppendException(AppendError.TooOldSample, $"too old sample: {t} is outside the out-of-order window for series {s.Labels}", s.Labels);
            }
            if (t == sMax)
            {
                if (BitConverter.DoubleToUInt64Bits(v) == lastBits) return new SeriesRef((ulong)s.Ref);
                throw new AppendException(AppendError.DuplicateSampleForTimestamp, $"duplicate sample for timestamp {t} with a different value for series {s.Labels}", s.Labels);
            }
            if (t < sMax)
            {
                if (ooo <= 0)
                    throw new AppendException(AppendError.OutOfOrderSample, $"out of order sample at {t} (last is {sMax}) for series {s.Labels}", s.Labels);
                if (t < headMax - ooo || t < minValid)
                    throw new AppendException(AppendError.TooOldSample, $"too old sample: {t} is outside the out-of-order window for series {s.Labels}", s.Labels);
            }
            else
            {
                if (s.PendingOwner != _id)
                {
                    s.PendingOwner = _id;
                    _buffers.Series.Add(s);
                }
                s.PendingMaxT = t;
                s.PendingLastVBits = BitConverter.DoubleToUInt64Bits(v);
            }
        }
        _buffers.Samples.Add(new RefSample(s.Ref, t, v));
        _buffers.Targets.Add(s);
        return new SeriesRef((ulong)s.Ref);
    }

    public Labels? StoredLabels(SeriesRef seriesRef) =>
        !seriesRef.IsNone && seriesRef.Value <= int.MaxValue && head.TryGetByRef((int)seriesRef.Value, out var s) ? s.Labels : null;

    public void Commit()
    {
        if (_done) throw new InvalidOperationException("appender already committed or rolled back");
        _done = true;
        try
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_buffers.Samples);
            // Only the WAL write is serialized with other commits (by the WAL's lock); the samples then go into their
            // series under each series' own lock, so concurrent commits (one per scrape) apply in parallel, as in Prometheus.
            if (span.Length == 0) { wal.Flush(); return; }
            wal.LogSamples(span, syncOnCommit);
            long min = long.MaxValue, max = long.MinValue;
            for (int i = 0; i < span.Length; i++)
            {
                var rs = span[i];
                if (!head.ApplySample(_buffers.Targets[i], rs.T, rs.V, noteTime: false)) continue;
                if (rs.T < min) min = rs.T;
                if (rs.T > max) max = rs.T;
            }
            if (max != long.MinValue)
            {
                head.NoteTime(min);
                head.NoteTime(max);
            }
        }
        finally
        {
            ClearPending();
        }
    }

    public void Rollback()
    {
        if (_done) return;
        _done = true;
        ClearPending();
        // Series created by this transaction stay in the head, and their WAL records must reach the OS too.
        wal.Flush();
    }

    private void ClearPending()
    {
        foreach (var s in _buffers.Series)
            lock (s)
                if (s.PendingOwner == _id) s.PendingOwner = 0;
        _buffers.Series.Clear();
        _buffers.Samples.Clear();
        _buffers.Targets.Clear();
        Return(_buffers);
    }
}
