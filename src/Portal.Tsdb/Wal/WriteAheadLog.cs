using Microsoft.Extensions.Logging;
using Portal.Model;
using Portal.Tsdb.Encoding;

namespace Portal.Tsdb.Wal;

/// <summary>
/// The write-ahead log of one database: a directory of Prometheus-format segments plus at most one
/// checkpoint. Thread-safe: writes are serialized by an internal lock.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ByteWriter _buf = new(4096);
    private readonly ILogger _logger;
    private readonly long _segmentSize;
    private SegmentWriter? _writer;

    public string Dir { get; }

    private WriteAheadLog(string dir, long segmentSize, ILogger logger)
    {
        Dir = dir;
        _segmentSize = segmentSize;
        _logger = logger;
    }

    /// <summary>
    /// Opens the WAL in <paramref name="dir"/>: replays the checkpoint and every segment after it through
    /// <paramref name="onRecord"/>, cuts a torn or corrupt tail, then starts a fresh segment.
    /// </summary>
    public static WriteAheadLog Open(string dir, long segmentSize, ILogger logger, Action<ReadOnlySpan<byte>> onRecord)
    {
        Directory.CreateDirectory(dir);
        var wal = new WriteAheadLog(dir, segmentSize, logger);
        foreach (var tmp in Directory.EnumerateDirectories(dir, "checkpoint.*.tmp")) Directory.Delete(tmp, true);
        var cp = WalFormat.LastCheckpoint(dir);
        int startAfter = -1;
        if (cp is { } c)
        {
            startAfter = c.Index;
            foreach (var seg in WalFormat.ListSegments(c.Path))
            {
                var data = File.ReadAllBytes(Path.Combine(c.Path, WalFormat.SegmentName(seg)));
                var r = new SegmentReader(data);
                while (r.Next(out var rec)) onRecord(rec);
                if (r.Corruption is not null) throw new CorruptionException($"WAL checkpoint {c.Path} is corrupt: {r.Corruption}");
            }
            logger.LogInformation("WAL checkpoint loaded: {Checkpoint}", c.Path);
        }
        var segs = WalFormat.ListSegments(dir);
        int last = startAfter;
        var toRead = new List<int>();
        foreach (var s in segs)
        {
            if (s <= startAfter) { File.Delete(Path.Combine(dir, WalFormat.SegmentName(s))); continue; }
            toRead.Add(s);
        }
        for (int i = 0; i < toRead.Count; i++)
        {
            int s = toRead[i];
            string path = Path.Combine(dir, WalFormat.SegmentName(s));
            var data = File.ReadAllBytes(path);
            var r = new SegmentReader(data);
            while (r.Next(out var rec)) onRecord(rec);
            last = s;
            if (r.Corruption is not null)
            {
                logger.LogWarning("WAL segment {Segment} is torn or corrupt ({Reason}); cutting it at offset {Offset} and dropping {Later} later segment(s)",
                    s, r.Corruption, r.GoodOffset, toRead.Count - i - 1);
                using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
                {
                    f.SetLength(r.GoodOffset);
                    f.Flush(true);
                }
                for (int j = i + 1; j < toRead.Count; j++) File.Delete(Path.Combine(dir, WalFormat.SegmentName(toRead[j])));
                FileSync.SyncDirectory(dir);
                break;
            }
            logger.LogInformation("WAL segment loaded: segment {Segment} of {Max}", s, toRead[^1]);
        }
        if (last >= 0 && File.Exists(Path.Combine(dir, WalFormat.SegmentName(last)))) PadToPage(Path.Combine(dir, WalFormat.SegmentName(last)));
        wal._writer = new SegmentWriter(dir, last + 1, segmentSize);
        return wal;
    }

    private static void PadToPage(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        long rem = f.Length % WalFormat.PageSize;
        if (rem == 0) return;
        f.SetLength(f.Length + WalFormat.PageSize - rem);
        f.Flush(true);
    }

    public void LogSeries(int seriesRef, Labels labels)
    {
        lock (_lock)
        {
            _buf.Reset();
            Records.EncodeSeries(_buf, [new RefSeries(seriesRef, labels)]);
            _writer!.Log(_buf.WrittenSpan);
        }
    }

    /// <summary>Logs samples and hands every buffered record to the OS before returning (optionally fsyncs).</summary>
    public void LogSamples(ReadOnlySpan<RefSample> samples, bool sync)
    {
        lock (_lock)
        {
            const int batch = 8192;
            for (int i = 0; i < samples.Length; i += batch)
            {
                _buf.Reset();
                Records.EncodeSamples(_buf, samples.Slice(i, Math.Min(batch, samples.Length - i)));
                _writer!.Log(_buf.WrittenSpan);
            }
            _writer!.Flush(sync);
        }
    }

    public void LogTombstones(ReadOnlySpan<RefTombstone> stones)
    {
        lock (_lock)
        {
            _buf.Reset();
            Records.EncodeTombstones(_buf, stones);
            _writer!.Log(_buf.WrittenSpan);
            _writer.Flush(true);
        }
    }

    /// <summary>Flushes buffered records to the OS and returns where the next record will go.</summary>
    public (int Segment, long Offset) WritePosition()
    {
        lock (_lock)
        {
            _writer!.Flush();
            return (_writer.CurrentSegment, _writer.Offset);
        }
    }

    /// <summary>Flushes buffered records (e.g. series records of a rolled-back transaction) to the OS.</summary>
    public void Flush()
    {
        lock (_lock) _writer!.Flush();
    }

    /// <summary>
    /// Rolls to a new segment, then folds every older segment (and the previous checkpoint) into a new
    /// checkpoint that keeps only series for which <paramref name="keep"/> is true and samples and
    /// tombstones at or after <paramref name="mint"/>; finally deletes what the checkpoint replaced.
    /// Must not run concurrently with itself.
    /// </summary>
    public void Checkpoint(Func<int, bool> keep, long mint)
    {
        int upTo;
        Task closed;
        lock (_lock)
        {
            _writer!.NextSegment();
            upTo = _writer.CurrentSegment - 1;
            closed = _writer.ClosedSegments;
        }
        // The segments folded into the checkpoint (and deleted after it) are complete on disk first.
        closed.GetAwaiter().GetResult();
        var prev = WalFormat.LastCheckpoint(Dir);
        var sources = new List<string>();
        if (prev is { } p)
            foreach (var s in WalFormat.ListSegments(p.Path)) sources.Add(Path.Combine(p.Path, WalFormat.SegmentName(s)));
        foreach (var s in WalFormat.ListSegments(Dir))
            if (s <= upTo && (prev is null || s > prev.Value.Index)) sources.Add(Path.Combine(Dir, WalFormat.SegmentName(s)));

        string final = Path.Combine(Dir, "checkpoint." + WalFormat.SegmentName(upTo));
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        var series = new List<RefSeries>();
        var samples = new List<RefSample>();
        var stones = new List<RefTombstone>();
        var enc = new ByteWriter(4096);
        using (var w = new SegmentWriter(tmp, 0, _segmentSize))
        {
            foreach (var src in sources)
            {
                var r = new SegmentReader(File.ReadAllBytes(src));
                while (r.Next(out var rec))
                {
                    enc.Reset();
                    switch (Records.TypeOf(rec))
                    {
                        case RecordType.Series:
                            series.Clear();
                            Records.DecodeSeries(rec, series);
                            series.RemoveAll(s => !keep(s.Ref));
                            if (series.Count > 0) Records.EncodeSeries(enc, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(series));
                            break;
                        case RecordType.Samples:
                            samples.Clear();
                            Records.DecodeSamples(rec, samples);
                            samples.RemoveAll(s => s.T < mint || !keep(s.Ref));
                            if (samples.Count > 0) Records.EncodeSamples(enc, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
                            break;
                        case RecordType.Tombstones:
                            stones.Clear();
                            Records.DecodeTombstones(rec, stones);
                            stones.RemoveAll(s => s.MaxT < mint || !keep(s.Ref));
                            if (stones.Count > 0) Records.EncodeTombstones(enc, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stones));
                            break;
                    }
                    if (enc.Length > 0) w.Log(enc.WrittenSpan);
                }
            }
        }
        FileSync.SyncDirectory(tmp);
        Directory.Move(tmp, final);
        FileSync.SyncDirectory(Dir);
        foreach (var s in WalFormat.ListSegments(Dir))
            if (s <= upTo) File.Delete(Path.Combine(Dir, WalFormat.SegmentName(s)));
        foreach (var d in Directory.EnumerateDirectories(Dir, "checkpoint.*"))
            if (!string.Equals(Path.GetFullPath(d), Path.GetFullPath(final), StringComparison.Ordinal)) Directory.Delete(d, true);
        _logger.LogInformation("WAL checkpoint created up to segment {Segment}", upTo);
    }

    /// <summary>Total bytes of segments and checkpoints.</summary>
    public long SizeBytes()
    {
        long n = 0;
        foreach (var f in Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories)) n += new FileInfo(f).Length;
        return n;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
