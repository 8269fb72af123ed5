using Portal.Model;
using Portal.Tsdb.Head;

namespace Portal.Tsdb.Wal;

/// <summary>
/// Follows a live WAL from a position onward and returns the samples of its sample records, with their series'
/// labels looked up in the head (a ref's series is created before its first sample is logged, and refs are never
/// reused). Keeps its segment open, so a segment truncation deletes under it is still read to its end; a segment
/// deleted before the reader reached it is skipped and counted. The tail of the segment being written may hold a
/// record still being written: the reader stops before it and reads it on a later call. <see cref="Read"/> is used
/// from one thread at a time; <see cref="UnreadBytes"/> and <see cref="Skipped"/> may be read from any thread.
/// </summary>
internal sealed class WalTailReader : ICommittedSampleReader
{
    /// <summary>Most segment bytes read per call; larger than any record the WAL writes.</summary>
    private const int WindowBytes = 4 << 20;

    private readonly string _dir;
    private readonly TsdbHead _head;
    private readonly List<RefSample> _decoded = new();
    private byte[] _buffer = new byte[64 * 1024];
    private FileStream? _file;
    private int _segment;
    private long _offset;
    private long _skipped;

    public WalTailReader(string dir, TsdbHead head, int segment, long offset)
    {
        _dir = dir;
        _head = head;
        _segment = segment;
        _offset = offset;
    }

    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Segments that were gone before the reader reached them (truncated while it lagged).</summary>
    public int SkippedSegments { get; private set; }

    public long UnreadBytes
    {
        get
        {
            long n = 0;
            int segment = _segment;
            long offset = _offset;
            foreach (var s in WalFormat.ListSegments(_dir))
            {
                if (s < segment) continue;
                var info = new FileInfo(Path.Combine(_dir, WalFormat.SegmentName(s)));
                if (!info.Exists) continue;
                n += s == segment ? Math.Max(0, info.Length - offset) : info.Length;
            }
            return n;
        }
    }

    public int Read(List<CommittedSample> into, int max)
    {
        int added = 0;
        while (added < max)
        {
            if (!EnsureOpen()) return added;
            long len = _file!.Length;
            if (_offset >= len)
            {
                if (!NextSegmentStarted()) return added;
                // The writer finishes a segment before starting the next: its length is final now.
                if (_file.Length > _offset) continue;
                MoveTo(_segment + 1);
                continue;
            }
            long pageStart = _offset - _offset % WalFormat.PageSize;
            int count = (int)Math.Min(len - pageStart, WindowBytes);
            if (_buffer.Length < count) _buffer = new byte[Math.Max(count, _buffer.Length * 2)];
            _file.Position = pageStart;
            _file.ReadExactly(_buffer, 0, count);
            var reader = new SegmentReader(_buffer, count, (int)(_offset - pageStart));
            long before = _offset;
            while (added < max && reader.Next(out var rec))
                if (Records.TypeOf(rec) == RecordType.Samples) added += Resolve(rec, into);
            _offset = pageStart + reader.GoodOffset;
            if (added >= max) return added;
            if (reader.Corruption is null || _offset > before) continue;
            // No progress: either a record still being written at the live tail, or damage in a finished segment.
            if (pageStart + count < len || !NextSegmentStarted() || _file.Length > len) return added;
            SkippedSegments++;
            MoveTo(_segment + 1);
        }
        return added;
    }

    private int Resolve(ReadOnlySpan<byte> rec, List<CommittedSample> into)
    {
        _decoded.Clear();
        Records.DecodeSamples(rec, _decoded);
        int n = 0;
        foreach (var s in _decoded)
        {
            if (_head.TryGetByRef(s.Ref, out var series))
            {
                into.Add(new CommittedSample(series.Labels, s.T, s.V));
                n++;
            }
            else Interlocked.Increment(ref _skipped);
        }
        return n;
    }

    /// <summary>Opens the current segment, moving past segments deleted before the reader reached them.</summary>
    private bool EnsureOpen()
    {
        if (_file is not null) return true;
        var path = Path.Combine(_dir, WalFormat.SegmentName(_segment));
        try
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            return true;
        }
        catch (FileNotFoundException)
        {
        }
        int next = WalFormat.ListSegments(_dir).Find(s => s > _segment);
        if (next <= _segment) return false;
        SkippedSegments += next - _segment;
        _segment = next;
        _offset = 0;
        return EnsureOpen();
    }

    /// <summary>Whether the writer has moved on from the current segment (it numbers segments one by one).</summary>
    private bool NextSegmentStarted()
    {
        if (File.Exists(Path.Combine(_dir, WalFormat.SegmentName(_segment + 1)))) return true;
        // Truncation may have deleted the next segment along with this one (still open here): then any later one counts.
        return !File.Exists(Path.Combine(_dir, WalFormat.SegmentName(_segment))) && WalFormat.ListSegments(_dir).Exists(s => s > _segment);
    }

    private void MoveTo(int segment)
    {
        _file?.Dispose();
        _file = null;
        _segment = segment;
        _offset = 0;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
