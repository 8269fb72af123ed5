using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;
using Portal.Tsdb.Index;
using Portal.Tsdb.Querying;
using Portal.Tsdb.Wal;

namespace Portal.Tsdb;

/// <summary>
/// One tenant's time-series database: an in-memory head backed by a WAL, and immutable blocks in
/// Prometheus's on-disk format. Thread-safe: appenders and queriers may be used from many threads
/// (each appender/querier by one thread at a time); compaction, deletion and retention are serialized.
/// Dispose it to stop the background timer, close the WAL and release the directory lock.
/// </summary>
public sealed class TsdbDatabase : IAppendable, Portal.Model.IQueryable, ICommittedSampleLog, IDisposable
{
    private readonly string _dir;
    private readonly TsdbOptions _opts;
    private readonly ILogger _log;
    private readonly TsdbHead _head;
    private readonly WriteAheadLog _wal;
    private readonly FileStream _lockFile;
    private readonly Lock _compactLock = new();
    private readonly Lock _readersLock = new();
    private readonly Dictionary<long, long> _readers = new();
    private long _nextReaderId;
    private long _version;
    private volatile Block[] _blocks;
    private Timer? _timer;
    private bool _disposed;

    /// <summary>Series in the head (the in-memory recent data) now; cheap, thread-safe.</summary>
    public int HeadSeries => _head.NumSeries;

    private TsdbDatabase(string dir, TsdbOptions opts, ILogger log, TsdbHead head, WriteAheadLog wal, FileStream lockFile, Block[] blocks)
    {
        _dir = dir; _opts = opts; _log = log; _head = head; _wal = wal; _lockFile = lockFile; _blocks = blocks;
    }

    /// <summary>The data directory.</summary>
    public string Directory => _dir;

    /// <summary>The persisted blocks, oldest first (a snapshot).</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>
    /// Opens (or creates) the database in <paramref name="directory"/>: loads blocks, replays the WAL into
    /// the head (cutting a torn tail) and starts the compaction timer unless disabled.
    /// </summary>
    public static TsdbDatabase Open(string directory, TsdbOptions? options = null, ILogger? logger = null)
    {
        var opts = options ?? new TsdbOptions();
        var log = logger ?? NullLogger.Instance;
        if (opts.BlockRangeMs <= 0) throw new ArgumentException("BlockRangeMs must be positive", nameof(options));
        if (opts.MaxSamplesPerBlockChunk is < 1 or > ushort.MaxValue)
            throw new ArgumentException($"MaxSamplesPerBlockChunk must be between 1 and {ushort.MaxValue}, not {opts.MaxSamplesPerBlockChunk}", nameof(options));
        System.IO.Directory.CreateDirectory(directory);
        var lockFile = new FileStream(Path.Combine(directory, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            foreach (var d in System.IO.Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(d);
                if (name.EndsWith(".tmp-for-creation", StringComparison.Ordinal) || name.EndsWith(".tmp-for-deletion", StringComparison.Ordinal))
                    System.IO.Directory.Delete(d, true);
            }
            var blocks = LoadBlocks(directory, log);
            var head = new TsdbHead(opts.BlockRangeMs, opts.OutOfOrderWindowMs, opts.MaxSeries);
            if (blocks.Length > 0) head.MinValidTime = blocks.Max(b => b.MaxTime);
            var refMap = new Dictionary<int, MemSeries>();
            var series = new List<RefSeries>();
            var samples = new List<RefSample>();
            var stones = new List<RefTombstone>();
            long nSamples = 0;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var wal = WriteAheadLog.Open(Path.Combine(directory, "wal"), opts.WalSegmentSize, log, rec =>
            {
                switch (Records.TypeOf(rec))
                {
                    case RecordType.Series:
                        series.Clear();
                        Records.DecodeSeries(rec, series);
                        foreach (var s in series) refMap[s.Ref] = head.CreateWithRef(s.Ref, s.Labels);
                        break;
                    case RecordType.Samples:
                        samples.Clear();
                        Records.DecodeSamples(rec, samples);
                        foreach (var s in samples)
                        {
                            if (s.T < head.MinValidTime || !refMap.TryGetValue(s.Ref, out var ms)) continue;
                            if (head.ApplySample(ms, s.T, s.V)) nSamples++;
                        }
                        break;
                    case RecordType.Tombstones:
                        stones.Clear();
                        Records.DecodeTombstones(rec, stones);
                        foreach (var t in stones)
                            if (refMap.TryGetValue(t.Ref, out var ms)) head.AddTombstone(ms, new Interval(t.MinT, t.MaxT));
                        break;
                }
            });
            if (refMap.Count > 0)
                log.LogInformation("WAL replay completed in {Ms} ms: {Series} series, {Samples} samples", sw.ElapsedMilliseconds, head.NumSeries, nSamples);
            head.SeriesCreated = wal.LogSeries;
            var db = new TsdbDatabase(directory, opts, log, head, wal, lockFile, blocks);
            if (opts.CompactionInterval > TimeSpan.Zero)
                db._timer = new Timer(_ => db.TimerTick(), null, opts.CompactionInterval, opts.CompactionInterval);
            return db;
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static Block[] LoadBlocks(string directory, ILogger log)
    {
        var list = new List<Block>();
        foreach (var d in System.IO.Directory.EnumerateDirectories(directory))
        {
            if (!Ulid.IsUlid(Path.GetFileName(d)) || !File.Exists(Path.Combine(d, "meta.json"))) continue;
            list.Add(Block.Open(d));
        }
        // A crash after a compaction's rename but before its sources were deleted leaves both: drop the parents.
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in list)
            if (b.Meta.Compaction.Parents is { } ps) foreach (var p in ps) parents.Add(p.Ulid);
        var kept = new List<Block>();
        foreach (var b in list)
        {
            if (parents.Contains(b.Meta.Ulid))
            {
                log.LogInformation("Deleting block {Ulid}, already compacted into another block", b.Meta.Ulid);
                b.Close();
                DeleteBlockDir(b.Dir);
            }
            else kept.Add(b);
        }
        kept.Sort((a, b) => a.MinTime.CompareTo(b.MinTime));
        return kept.ToArray();
    }

    private static void DeleteBlockDir(string dir)
    {
        string tmp = dir + ".tmp-for-deletion";
        System.IO.Directory.Move(dir, tmp);
        FileSync.SyncDirectory(Path.GetDirectoryName(dir)!);
        System.IO.Directory.Delete(tmp, true);
    }

    private void TimerTick()
    {
        try { Compact(); }
        catch (Exception e) { _log.LogError(e, "compaction failed"); }
    }

    public IAppender Appender()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new HeadAppender(_head, _wal, _opts.WalSyncOnCommit);
    }

    /// <summary>A reader of the samples committed from now on, following the WAL (see <see cref="WalTailReader"/>).</summary>
    public ICommittedSampleReader OpenReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (segment, offset) = _wal.WritePosition();
        return new WalTailReader(_wal.Dir, _head, segment, offset);
    }

    public IQuerier Querier(long mint, long maxt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sources = new List<ISeriesSource>();
        var acquired = new List<Block>();
        long id;
        lock (_readersLock)
        {
            id = ++_nextReaderId;
            _readers[id] = _version;
            foreach (var b in _blocks)
            {
                if (b.MinTime > maxt || b.MaxTime <= mint) continue;
                if (!b.TryAcquire()) continue;
                acquired.Add(b);
                sources.Add(new BlockSource(b));
            }
        }
        sources.Add(new HeadSource(_head));
        return new TsdbQuerier(sources, acquired, mint, maxt, () => { lock (_readersLock) _readers.Remove(id); });
    }

    /// <summary>
    /// Deletes samples in [mint, maxt] of series matching all <paramref name="matchers"/> by writing
    /// tombstones (head: WAL record; blocks: tombstones file). Space is reclaimed by compaction.
    /// </summary>
    public void DeleteSeries(long mint, long maxt, params Matcher[] matchers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_compactLock)
        {
            var refs = PostingsForMatchers.Resolve(_head, matchers);
            var stones = new List<RefTombstone>();
            foreach (var r in refs)
            {
                if (!_head.TryGetByRef(r, out var s)) continue;
                _head.AddTombstone(s, new Interval(mint, maxt));
                stones.Add(new RefTombstone(r, mint, maxt));
            }
            if (stones.Count > 0) _wal.LogTombstones(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stones));
            foreach (var b in _blocks)
            {
                if (b.MinTime > maxt || b.MaxTime <= mint) continue;
                var add = new List<(int, Interval)>();
                foreach (var r in PostingsForMatchers.Resolve(b, matchers)) add.Add((r, new Interval(mint, maxt)));
                b.AddTombstones(add);
            }
        }
    }

    /// <summary>Head statistics like Prometheus's /api/v1/status/tsdb, with the top <paramref name="topN"/> entries per list.</summary>
    public TsdbStatus Status(int topN = 10)
    {
        var stats = _head.PostingStats();
        var byMetric = new List<KeyValuePair<string, long>>();
        var pairs = new List<KeyValuePair<string, long>>();
        var valueCount = new Dictionary<string, long>(StringComparer.Ordinal);
        var memory = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value, count) in stats)
        {
            if (name == Labels.MetricName) byMetric.Add(new(value, count));
            pairs.Add(new(name + "=" + value, count));
            valueCount[name] = valueCount.GetValueOrDefault(name) + 1;
            memory[name] = memory.GetValueOrDefault(name) + System.Text.Encoding.UTF8.GetByteCount(value);
        }
        long chunks = 0;
        foreach (var s in _head.AllSeries()) lock (s) chunks += s.ChunkCount;
        static IReadOnlyList<KeyValuePair<string, long>> Top(IEnumerable<KeyValuePair<string, long>> e, int n) =>
            e.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(n).ToList();
        long minT = _head.MinTime, maxT = _head.MaxTime;
        return new TsdbStatus
        {
            NumSeries = _head.NumSeries,
            ChunkCount = chunks,
            MinTime = minT == long.MaxValue ? 0 : minT,
            MaxTime = maxT == long.MinValue ? 0 : maxT,
            NumBlocks = _blocks.Length,
            SeriesCountByMetricName = Top(byMetric, topN),
            LabelValueCountByLabelName = Top(valueCount, topN),
            MemoryInBytesByLabelName = Top(memory, topN),
            SeriesCountByLabelValuePair = Top(pairs, topN),
        };
    }

    /// <summary>
    /// Persists head data older than 1.5 block ranges into blocks (truncating head and WAL), compacts
    /// blocks into larger ranges, and applies retention. Also run by the background timer.
    /// </summary>
    public void Compact()
    {
        if (_disposed) return;
        lock (_compactLock)
        {
            if (_disposed) return;
            CompactHead(force: false);
            CompactBlocks();
            ApplyRetention();
        }
    }

    /// <summary>Writes everything in the head into blocks (for tools and tests). Later samples older than the last block's end are refused.</summary>
    internal void FlushHead()
    {
        lock (_compactLock) CompactHead(force: true);
    }

    private void CompactHead(bool force)
    {
        long range = _opts.BlockRangeMs;
        while (true)
        {
            long hmin = _head.MinTime, hmax = _head.MaxTime;
            if (hmin == long.MaxValue || hmax == long.MinValue) return;
            if (!force && hmax - hmin <= range / 2 * 3) return;
            long mint = MemSeries.RangeForTimestamp(hmin, range) - range;
            long maxt = mint + range;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var gathered = Gather.Series([new HeadSource(_head)], mint, maxt - 1, [], dropEmpty: true);
            var toWrite = BuildSeriesChunks(gathered, mint, maxt - 1, _opts.MaxSamplesPerBlockChunk);
            var dir = BlockWriter.Write(_dir, mint, maxt, toWrite, 1, null, null);
            long version;
            if (dir is not null)
            {
                var block = Block.Open(dir);
                lock (_readersLock)
                {
                    var list = new List<Block>(_blocks) { block };
                    list.Sort((a, b) => a.MinTime.CompareTo(b.MinTime));
                    _blocks = list.ToArray();
                    version = ++_version;
                }
                _log.LogInformation("Head block written: {Dir} [{Min}, {Max}) with {Series} series in {Ms} ms", dir, mint, maxt, toWrite.Count, sw.ElapsedMilliseconds);
            }
            else
            {
                lock (_readersLock) version = ++_version;
            }
            WaitForReaders(version);
            _head.Truncate(maxt);
            _wal.Checkpoint(r => _head.TryGetByRef(r, out _), maxt);
        }
    }

    private void WaitForReaders(long version)
    {
        var deadline = DateTime.UtcNow + _opts.ReaderWaitTimeout;
        while (true)
        {
            lock (_readersLock)
            {
                bool any = false;
                foreach (var v in _readers.Values) if (v < version) { any = true; break; }
                if (!any) return;
            }
            if (DateTime.UtcNow > deadline)
            {
                _log.LogWarning("Truncating the head while queriers opened before the last block was written are still open");
                return;
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Turns gathered series into the chunks a block stores. A series' chunks are kept verbatim when they lie inside
    /// [mint, maxtIncl], do not overlap, carry no deletions and could not be merged into fewer chunks of at most
    /// <paramref name="maxSamplesPerChunk"/> samples. Chunks that only need merging are re-encoded when the block
    /// writer reaches the series (so they are never all in memory at once); series with deletions or overlaps are
    /// decoded here (deletions applied, overlaps merged), so a series left without samples is not written at all.
    /// Re-encoded chunks are as few and evenly filled as the limit allows.
    /// </summary>
    internal static List<SeriesChunks> BuildSeriesChunks(List<GatheredSeries> gathered, long mint, long maxtIncl, int maxSamplesPerChunk)
    {
        var result = new List<SeriesChunks>(gathered.Count);
        var samples = new List<Sample>();
        List<ChunkData> Reencode(GatheredSeries g)
        {
            var it = new ChunkSeriesIterator(g.Chunks, mint, maxtIncl);
            samples.Clear();
            while (it.Next() == ValueKind.Float) samples.Add(it.At());
            if (it.Error is not null) throw it.Error;
            var chunks = new List<ChunkData>();
            foreach (var (mn, mx, data) in ChunkUtil.EncodeEvenly(samples, maxSamplesPerChunk)) chunks.Add(new ChunkData(mn, mx, data));
            return chunks;
        }
        foreach (var g in gathered)
        {
            g.Chunks.Sort((a, b) => a.Chunk.MinT.CompareTo(b.Chunk.MinT));
            bool verbatim = true;
            int total = 0;
            for (int i = 0; i < g.Chunks.Count && verbatim; i++)
            {
                var c = g.Chunks[i];
                if (c.Chunk.Encoding != ChunkEncoding.Xor || c.Chunk.MinT < mint || c.Chunk.MaxT > maxtIncl
                    || IntervalOps.Overlaps(c.Deleted, c.Chunk.MinT, c.Chunk.MaxT)
                    || (i > 0 && c.Chunk.MinT <= g.Chunks[i - 1].Chunk.MaxT))
                    verbatim = false;
                else total += XorIterator.SampleCount(c.Chunk.Data.Span);
            }
            if (verbatim && (g.Chunks.Count <= 1 || (total + maxSamplesPerChunk - 1) / maxSamplesPerChunk >= g.Chunks.Count))
            {
                var chunks = new List<ChunkData>(g.Chunks.Count);
                foreach (var c in g.Chunks) chunks.Add(c.Chunk);
                if (chunks.Count > 0) result.Add(new SeriesChunks(g.Labels, chunks));
            }
            else if (verbatim)
            {
                result.Add(new SeriesChunks(g.Labels, null, () => Reencode(g)));
            }
            else
            {
                var chunks = Reencode(g);
                if (chunks.Count > 0) result.Add(new SeriesChunks(g.Labels, chunks));
            }
        }
        return result;
    }

    private void CompactBlocks()
    {
        while (true)
        {
            var plan = Plan(_blocks);
            if (plan is null) return;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            long mint = plan.Min(b => b.MinTime), maxt = plan.Max(b => b.MaxTime);
            var sources = new List<ISeriesSource>();
            foreach (var b in plan) sources.Add(new BlockSource(b));
            var gathered = Gather.Series(sources, mint, maxt - 1, [], dropEmpty: true);
            var toWrite = BuildSeriesChunks(gathered, mint, maxt - 1, _opts.MaxSamplesPerBlockChunk);
            var srcs = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var b in plan) foreach (var s in b.Meta.Compaction.Sources) srcs.Add(s);
            var parents = plan.Select(b => new BlockDesc { Ulid = b.Meta.Ulid, MinTime = b.MinTime, MaxTime = b.MaxTime }).ToList();
            var dir = BlockWriter.Write(_dir, mint, maxt, toWrite, plan.Max(b => b.Meta.Compaction.Level) + 1, srcs.ToList(), parents);
            var added = dir is null ? null : Block.Open(dir);
            lock (_readersLock)
            {
                var list = new List<Block>();
                foreach (var b in _blocks) if (!plan.Contains(b)) list.Add(b);
                if (added is not null) list.Add(added);
                list.Sort((a, b) => a.MinTime.CompareTo(b.MinTime));
                _blocks = list.ToArray();
            }
            foreach (var b in plan)
            {
                b.Close();
                DeleteBlockDir(b.Dir);
            }
            _log.LogInformation("Compacted {N} blocks into {Dir} [{Min}, {Max}) in {Ms} ms", plan.Count, dir ?? "(nothing left)", mint, maxt, sw.ElapsedMilliseconds);
        }
    }

    /// <summary>Prometheus's planner: overlapping blocks first, then aligned ranges, then blocks with many tombstones.</summary>
    internal List<Block>? Plan(Block[] blocks)
    {
        if (blocks.Length == 0) return null;
        var sorted = blocks.OrderBy(b => b.MinTime).ToList();
        // Overlapping blocks are merged.
        long maxSeen = long.MinValue;
        var group = new List<Block>();
        foreach (var b in sorted)
        {
            if (group.Count > 0 && b.MinTime < maxSeen) { group.Add(b); maxSeen = Math.Max(maxSeen, b.MaxTime); continue; }
            if (group.Count > 1) return group;
            group = [b];
            maxSeen = b.MaxTime;
        }
        if (group.Count > 1) return group;

        var dms = sorted.Take(sorted.Count - 1).ToList();
        if (dms.Count > 1)
        {
            long highTime = dms[^1].MinTime;
            var ranges = _opts.CompactionRanges();
            for (int ri = 1; ri < ranges.Count; ri++)
            {
                long r = ranges[ri];
                foreach (var p in SplitByRange(dms, r))
                {
                    long mint = p[0].MinTime, maxt = p[^1].MaxTime;
                    if (p.Count > 1 && (maxt - mint == r || maxt <= highTime)) return p;
                }
            }
        }
        for (int i = sorted.Count - 1; i >= 0; i--)
        {
            var b = sorted[i];
            if (b.NumTombstoneSeries > 0 && (double)b.NumTombstoneSeries / Math.Max(1UL, b.Meta.Stats.NumSeries) > 0.05) return [b];
        }
        return null;
    }

    private static List<List<Block>> SplitByRange(List<Block> blocks, long r)
    {
        var result = new List<List<Block>>();
        int i = 0;
        while (i < blocks.Count)
        {
            var b = blocks[i];
            long t0 = b.MinTime >= 0 ? b.MinTime / r * r : -((-b.MinTime + r - 1) / r) * r;
            if (b.MaxTime > t0 + r) { i++; continue; }
            var group = new List<Block>();
            for (; i < blocks.Count; i++)
            {
                if (blocks[i].MinTime >= t0 + r) break;
                if (blocks[i].MaxTime > t0 + r) continue;
                group.Add(blocks[i]);
            }
            if (group.Count > 0) result.Add(group);
        }
        return result;
    }

    private void ApplyRetention()
    {
        var blocks = _blocks.OrderByDescending(b => b.MaxTime).ToList();
        if (blocks.Count == 0) return;
        var delete = new List<Block>();
        if (_opts.RetentionMs > 0)
        {
            long newest = Math.Max(blocks[0].MaxTime, _head.MaxTime == long.MinValue ? long.MinValue : _head.MaxTime + 1);
            foreach (var b in blocks)
                if (newest - b.MaxTime > _opts.RetentionMs) delete.Add(b);
        }
        if (_opts.MaxBytes > 0)
        {
            long total = _wal.SizeBytes();
            foreach (var b in blocks)
            {
                if (delete.Contains(b)) continue;
                total += b.SizeBytes;
                if (total > _opts.MaxBytes) delete.Add(b);
            }
        }
        if (delete.Count == 0) return;
        lock (_readersLock)
        {
            _blocks = _blocks.Where(b => !delete.Contains(b)).ToArray();
        }
        foreach (var b in delete)
        {
            _log.LogInformation("Retention: deleting block {Ulid} [{Min}, {Max})", b.Meta.Ulid, b.MinTime, b.MaxTime);
            b.Close();
            DeleteBlockDir(b.Dir);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _timer?.Dispose();
        lock (_compactLock)
        {
            _disposed = true;
            _wal.Dispose();
            foreach (var b in _blocks) b.Close();
            _lockFile.Dispose();
        }
    }
}
