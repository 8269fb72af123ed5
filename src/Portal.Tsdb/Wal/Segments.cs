using System.Buffers.Binary;
using System.Globalization;
using Portal.Tsdb.Encoding;

namespace Portal.Tsdb.Wal;

/// <summary>
/// Prometheus's WAL segment layout: 32 KiB pages of record fragments, each with a 7-byte header
/// (type, big-endian length, CRC-32C of the data). Segments are named with 8 decimal digits.
/// </summary>
internal static class WalFormat
{
    public const int PageSize = 32 * 1024;
    public const int HeaderSize = 7;
    public const byte Full = 1, First = 2, Middle = 3, Last = 4;

    public static string SegmentName(int i) => i.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Segment indexes present in <paramref name="dir"/>, sorted.</summary>
    public static List<int> ListSegments(string dir)
    {
        var list = new List<int>();
        if (!Directory.Exists(dir)) return list;
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(f);
            if (name.Length > 0 && name.All(char.IsAsciiDigit) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
                list.Add(i);
        }
        list.Sort();
        return list;
    }

    /// <summary>The newest checkpoint directory (name and index), or null.</summary>
    public static (string Path, int Index)? LastCheckpoint(string dir)
    {
        (string, int)? best = null;
        if (!Directory.Exists(dir)) return null;
        foreach (var d in Directory.EnumerateDirectories(dir, "checkpoint.*"))
        {
            var suffix = Path.GetFileName(d)["checkpoint.".Length..];
            if (suffix.Length == 0 || !suffix.All(char.IsAsciiDigit)) continue;
            int i = int.Parse(suffix, CultureInfo.InvariantCulture);
            if (best is null || i > best.Value.Item2) best = (d, i);
        }
        return best;
    }
}

/// <summary>
/// Appends records to WAL segments. Records are buffered and written to the OS on <see cref="Flush"/>
/// (so they survive a process kill); segments are fsynced when closed, in the background when a full segment makes
/// way for the next (as Prometheus does: the fsync of a large segment can take longer than many appends, and
/// appends wait for the writer). Not thread-safe: the owner serializes calls.
/// </summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly string _dir;
    private readonly long _segmentSize;
    private FileStream? _file;
    private readonly ByteWriter _pending = new(64 * 1024);
    private long _offset; // bytes in the current segment including pending

    /// <summary>The fsync and close of the segments made way for, in order; faulted when one failed.</summary>
    private Task _closing = Task.CompletedTask;

    public SegmentWriter(string dir, int firstSegment, long segmentSize)
    {
        _dir = dir;
        _segmentSize = Math.Max(segmentSize, WalFormat.PageSize * 4);
        Directory.CreateDirectory(dir);
        OpenSegment(firstSegment);
    }

    public int CurrentSegment { get; private set; }

    /// <summary>Bytes of the current segment, including those not yet flushed.</summary>
    public long Offset => _offset;

    private void OpenSegment(int index, bool syncDirectory = true)
    {
        CurrentSegment = index;
        _file = new FileStream(Path.Combine(_dir, WalFormat.SegmentName(index)), FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _offset = 0;
        _pending.Reset();
        if (syncDirectory) FileSync.SyncDirectory(_dir);
    }

    /// <summary>Appends one record, fragmenting it over pages. Starts a new segment when it would not fit.</summary>
    public void Log(ReadOnlySpan<byte> rec)
    {
        long need = EstimateSize(rec.Length);
        if (_offset > 0 && _offset + need > _segmentSize) NextSegment();
        bool first = true;
        do
        {
            int remaining = WalFormat.PageSize - (int)(_offset % WalFormat.PageSize);
            if (remaining <= WalFormat.HeaderSize)
            {
                PadPage();
                remaining = WalFormat.PageSize;
            }
            int n = Math.Min(rec.Length, remaining - WalFormat.HeaderSize);
            var part = rec[..n];
            rec = rec[n..];
            byte type = first && rec.IsEmpty ? WalFormat.Full : first ? WalFormat.First : rec.IsEmpty ? WalFormat.Last : WalFormat.Middle;
            _pending.PutByte(type);
            _pending.PutBE16((ushort)n);
            _pending.PutBE32(Crc32C.Compute(part));
            _pending.PutBytes(part);
            _offset += WalFormat.HeaderSize + n;
            first = false;
        } while (!rec.IsEmpty);
        if (_pending.Length >= 1 << 20) Flush();
    }

    private static long EstimateSize(int len)
    {
        long pages = len / (WalFormat.PageSize - WalFormat.HeaderSize) + 2;
        return len + pages * WalFormat.HeaderSize + WalFormat.HeaderSize;
    }

    private void PadPage()
    {
        int rem = (int)(WalFormat.PageSize - _offset % WalFormat.PageSize);
        if (rem == WalFormat.PageSize) return;
        _pending.Ensure(rem);
        for (int i = 0; i < rem; i++) _pending.PutByte(0);
        _offset += rem;
    }

    /// <summary>Writes buffered records to the OS; optionally fsyncs.</summary>
    public void Flush(bool sync = false)
    {
        if (_file is null) return;
        if (_closing.IsFaulted) throw new IOException($"WAL in {_dir}: closing a full segment failed: {_closing.Exception!.GetBaseException().Message}");
        if (_pending.Length > 0)
        {
            _file.Write(_pending.WrittenSpan);
            _pending.Reset();
        }
        if (sync)
        {
            _file.Flush(true);
            // Records acknowledged as synced may sit in a segment still being fsynced in the background.
            _closing.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Closes the current segment (padding its last page; written to the OS now, fsynced and closed in the
    /// background) and starts the next one.
    /// </summary>
    public void NextSegment()
    {
        if (_file is null) return;
        PadPage();
        Flush();
        var full = _file;
        OpenSegment(CurrentSegment + 1, syncDirectory: false);
        var before = _closing;
        var dir = _dir;
        _closing = Task.Run(() =>
        {
            before.GetAwaiter().GetResult();
            try
            {
                full.Flush(true);
            }
            finally
            {
                full.Dispose();
            }
            // Also makes the new segment's directory entry durable.
            FileSync.SyncDirectory(dir);
        });
    }

    /// <summary>Waits until every segment made way for is fsynced and closed; throws if that failed.</summary>
    public Task ClosedSegments => _closing;

    private void CloseSegment()
    {
        if (_file is null) return;
        PadPage();
        Flush(true);
        _file.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        try
        {
            _closing.GetAwaiter().GetResult();
        }
        finally
        {
            CloseSegment();
        }
    }
}

/// <summary>Reads records from one segment file; reports where the last intact record ends.</summary>
internal sealed class SegmentReader
{
    private readonly byte[] _data;
    private readonly int _end;
    private int _pos;
    private readonly ByteWriter _rec = new(1024);

    public SegmentReader(byte[] data) : this(data, data.Length, 0) { }

    /// <summary>
    /// Reads <paramref name="data"/>[..<paramref name="length"/>], which holds a segment from a page boundary on,
    /// starting at <paramref name="start"/>, a record boundary.
    /// </summary>
    public SegmentReader(byte[] data, int length, int start)
    {
        _data = data;
        _end = length;
        _pos = start;
        GoodOffset = start;
    }

    /// <summary>Offset just after the last complete record read.</summary>
    public int GoodOffset { get; private set; }

    /// <summary>Set when reading stopped at a torn or corrupt record rather than the end.</summary>
    public string? Corruption { get; private set; }

    /// <summary>The next record (valid until the next call), or false at the end or on corruption.</summary>
    public bool Next(out ReadOnlySpan<byte> record)
    {
        record = default;
        _rec.Reset();
        bool inRecord = false;
        while (true)
        {
            if (_pos >= _end)
            {
                if (inRecord) Corruption = "segment ends inside a record";
                return false;
            }
            int pageRem = WalFormat.PageSize - _pos % WalFormat.PageSize;
            byte type = _data[_pos];
            if (type == 0)
            {
                int end = Math.Min(_end, _pos + pageRem);
                for (int i = _pos; i < end; i++)
                    if (_data[i] != 0) { Corruption = $"non-zero byte in page padding at offset {i}"; return false; }
                if (inRecord) { Corruption = "page padding inside a record"; return false; }
                _pos = end;
                GoodOffset = _pos;
                continue;
            }
            if (pageRem < WalFormat.HeaderSize || _pos + WalFormat.HeaderSize > _end)
            {
                Corruption = $"truncated record header at offset {_pos}";
                return false;
            }
            int t = type & 0x07;
            if ((type & 0xF8) != 0 || t > WalFormat.Last) { Corruption = $"unknown record type {type} at offset {_pos}"; return false; }
            int len = BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(_pos + 1));
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(_pos + 3));
            if (len > pageRem - WalFormat.HeaderSize || _pos + WalFormat.HeaderSize + len > _end)
            {
                Corruption = $"truncated record at offset {_pos}";
                return false;
            }
            var part = _data.AsSpan(_pos + WalFormat.HeaderSize, len);
            if (Crc32C.Compute(part) != crc) { Corruption = $"checksum mismatch at offset {_pos}"; return false; }
            bool expectFirst = !inRecord;
            if (expectFirst != (t == WalFormat.Full || t == WalFormat.First))
            {
                Corruption = $"unexpected fragment type {t} at offset {_pos}";
                return false;
            }
            _pos += WalFormat.HeaderSize + len;
            _rec.PutBytes(part);
            if (t == WalFormat.Full || t == WalFormat.Last)
            {
                GoodOffset = _pos;
                record = _rec.WrittenSpan;
                return true;
            }
            inRecord = true;
        }
    }
}

/// <summary>fsync helpers for files and directories.</summary>
internal static class FileSync
{
    public static void SyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            using var h = File.OpenHandle(dir, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            Fsync(h);
        }
        catch (UnauthorizedAccessException) { }
        catch (IOException) { }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static extern int FsyncNative(IntPtr fd);

    private static void Fsync(Microsoft.Win32.SafeHandles.SafeFileHandle h)
    {
        bool added = false;
        try
        {
            h.DangerousAddRef(ref added);
            FsyncNative(h.DangerousGetHandle());
        }
        finally
        {
            if (added) h.DangerousRelease();
        }
    }

    /// <summary>Writes a file durably: temp file, fsync, rename, fsync of the directory.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            f.Write(data);
            f.Flush(true);
        }
        File.Move(tmp, path, true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
