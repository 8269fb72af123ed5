using System.Buffers.Binary;
using Portal.Model;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Encoding;
using Portal.Tsdb.Head;
using Portal.Tsdb.Index;

namespace Portal.Tsdb.Blocks;

/// <summary>
/// A persisted, immutable block opened for reading: meta, index (memory-mapped), chunk segments
/// (memory-mapped) and tombstones. Thread-safe for reads. Reference-counted: readers call
/// <see cref="TryAcquire"/>/<see cref="Release"/>; the files are unmapped when the block is closed and
/// the last reader releases it.
/// </summary>
public sealed class Block : IIndexSource
{
    private readonly MappedFile _index;
    private readonly MappedFile[] _chunks;
    private readonly string[] _symbols;
    private readonly Dictionary<string, (string[] Values, long[] Offsets)> _postingsTable;
    private readonly long _allPostingsOff = -1;
    private Dictionary<int, Interval[]> _tombstones;
    private int _refs = 1;
    private bool _closed;
    private readonly Lock _lock = new();

    public string Dir { get; }
    public BlockMeta Meta { get; private set; }
    public long MinTime => Meta.MinTime;
    /// <summary>Exclusive upper bound.</summary>
    public long MaxTime => Meta.MaxTime;
    public long SizeBytes { get; }

    private Block(string dir, BlockMeta meta, MappedFile index, MappedFile[] chunks, string[] symbols,
        Dictionary<string, (string[], long[])> postingsTable, long allOff, Dictionary<int, Interval[]> tombstones, long size)
    {
        Dir = dir; Meta = meta; _index = index; _chunks = chunks; _symbols = symbols;
        _postingsTable = postingsTable; _allPostingsOff = allOff; _tombstones = tombstones; SizeBytes = size;
    }

    /// <summary>Opens the block in <paramref name="dir"/>. Throws <see cref="CorruptionException"/> or IO errors on damage.</summary>
    public static Block Open(string dir)
    {
        var meta = BlockMeta.Read(dir);
        var chunkFiles = Directory.Exists(Path.Combine(dir, "chunks"))
            ? Directory.GetFiles(Path.Combine(dir, "chunks")).Where(f => Path.GetFileName(f).All(char.IsAsciiDigit)).OrderBy(f => f, StringComparer.Ordinal).ToArray()
            : [];
        var index = new MappedFile(Path.Combine(dir, "index"));
        var chunks = new MappedFile[chunkFiles.Length];
        try
        {
            for (int i = 0; i < chunkFiles.Length; i++) chunks[i] = new MappedFile(chunkFiles[i]);
            var b = index.Memory.Span;
            if (b.Length < 5 + 52 || BinaryPrimitives.ReadUInt32BigEndian(b) != BlockWriter.IndexMagic)
                throw new CorruptionException($"{dir}/index: bad magic or too small");
            if (b[4] != 2) throw new CorruptionException($"{dir}/index: unsupported index version {b[4]}");
            var toc = b[^52..];
            if (Crc32C.Compute(toc[..48]) != BinaryPrimitives.ReadUInt32BigEndian(toc[48..])) throw new CorruptionException($"{dir}/index: TOC checksum mismatch");
            long symOff = (long)BinaryPrimitives.ReadUInt64BigEndian(toc);
            long ptOff = (long)BinaryPrimitives.ReadUInt64BigEndian(toc[40..]);

            var sym = Section(b, symOff, dir);
            var r = new ByteReader(sym);
            int n = (int)r.BE32();
            var symbols = new string[n];
            for (int i = 0; i < n; i++) symbols[i] = r.UvarintString();

            var pt = Section(b, ptOff, dir);
            r = new ByteReader(pt);
            int entries = (int)r.BE32();
            var tmp = new Dictionary<string, (List<string>, List<long>)>(StringComparer.Ordinal);
            long allOff = -1;
            for (int i = 0; i < entries; i++)
            {
                if (r.Byte() != 2) throw new CorruptionException($"{dir}/index: bad postings offset entry");
                string name = r.UvarintString();
                string value = r.UvarintString();
                long off = (long)r.Uvarint();
                if (name.Length == 0 && value.Length == 0) { allOff = off; continue; }
                if (!tmp.TryGetValue(name, out var e)) tmp[name] = e = (new List<string>(), new List<long>());
                e.Item1.Add(value);
                e.Item2.Add(off);
            }
            var table = new Dictionary<string, (string[], long[])>(tmp.Count, StringComparer.Ordinal);
            foreach (var kv in tmp) table[kv.Key] = (kv.Value.Item1.ToArray(), kv.Value.Item2.ToArray());

            var stones = ReadTombstones(Path.Combine(dir, "tombstones"));
            long size = 0;
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) size += new FileInfo(f).Length;
            return new Block(dir, meta, index, chunks, symbols, table, allOff, stones, size);
        }
        catch
        {
            index.Close();
            foreach (var c in chunks) c?.Close();
            throw;
        }
    }

    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> b, long off, string dir)
    {
        if (off < 0 || off + 4 > b.Length) throw new CorruptionException($"{dir}/index: section offset out of range");
        int len = (int)BinaryPrimitives.ReadUInt32BigEndian(b[(int)off..]);
        if (off + 4 + len + 4 > b.Length) throw new CorruptionException($"{dir}/index: section exceeds file");
        var data = b.Slice((int)off + 4, len);
        if (Crc32C.Compute(data) != BinaryPrimitives.ReadUInt32BigEndian(b[((int)off + 4 + len)..]))
            throw new CorruptionException($"{dir}/index: section checksum mismatch at offset {off}");
        return data;
    }

    internal static Dictionary<int, Interval[]> ReadTombstones(string path)
    {
        var result = new Dictionary<int, Interval[]>();
        if (!File.Exists(path)) return result;
        var b = File.ReadAllBytes(path);
        if (b.Length < 9 || BinaryPrimitives.ReadUInt32BigEndian(b) != BlockWriter.TombstonesMagic || b[4] != 1)
            throw new CorruptionException($"{path}: bad tombstones header");
        var stones = b.AsSpan(5, b.Length - 9);
        if (Crc32C.Compute(stones) != BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(b.Length - 4)))
            throw new CorruptionException($"{path}: tombstones checksum mismatch");
        var r = new ByteReader(stones);
        while (!r.End)
        {
            int sref = checked((int)r.Uvarint());
            var iv = new Interval(r.Varint(), r.Varint());
            result[sref] = IntervalOps.Add(result.GetValueOrDefault(sref), iv);
        }
        return result;
    }

    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_closed) return false;
            _refs++;
            return true;
        }
    }

    public void Release()
    {
        bool dispose;
        lock (_lock) dispose = --_refs == 0;
        if (dispose)
        {
            _index.Close();
            foreach (var c in _chunks) c.Close();
        }
    }

    /// <summary>Marks the block closed (no new readers) and drops the owner's reference.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
        }
        Release();
    }

    public int NumTombstoneSeries => _tombstones.Count;

    public IReadOnlyDictionary<int, Interval[]> Tombstones => _tombstones;

    public Interval[]? TombstonesOf(int sref) => _tombstones.GetValueOrDefault(sref);

    /// <summary>Adds tombstones and rewrites the tombstones file durably. Callers serialize writers.</summary>
    internal void AddTombstones(IReadOnlyList<(int Ref, Interval Iv)> add)
    {
        if (add.Count == 0) return;
        var next = new Dictionary<int, Interval[]>(_tombstones);
        foreach (var (r, iv) in add) next[r] = IntervalOps.Add(next.GetValueOrDefault(r), iv);
        var list = new List<(int, Interval)>();
        foreach (var kv in next.OrderBy(k => k.Key)) foreach (var iv in kv.Value) list.Add((kv.Key, iv));
        BlockWriter.WriteTombstones(Path.Combine(Dir, "tombstones"), list);
        _tombstones = next;
    }

    public IReadOnlyList<string> LabelNames()
    {
        var names = new List<string>(_postingsTable.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public IReadOnlyList<string> LabelValues(string name)
    {
        if (!_postingsTable.TryGetValue(name, out var e)) return [];
        var v = new List<string>(e.Values);
        v.Sort(StringComparer.Ordinal);
        return v;
    }

    public int[] Postings(string name, string value)
    {
        if (!_postingsTable.TryGetValue(name, out var e)) return PostingsOps.Empty;
        int i = Array.BinarySearch(e.Values, value, Utf8Order.Instance);
        return i < 0 ? PostingsOps.Empty : ReadPostings(e.Offsets[i]);
    }

    public int[] AllPostings() => _allPostingsOff < 0 ? PostingsOps.Empty : ReadPostings(_allPostingsOff);

    private int[] ReadPostings(long off)
    {
        var sec = Section(_index.Memory.Span, off, Dir);
        int n = (int)BinaryPrimitives.ReadUInt32BigEndian(sec);
        var result = new int[n];
        for (int i = 0; i < n; i++) result[i] = (int)BinaryPrimitives.ReadUInt32BigEndian(sec[(4 + 4 * i)..]);
        return result;
    }

    /// <summary>Reads a series' labels and the chunks overlapping [mint, maxt]. Memory of the chunks is valid while the block is acquired.</summary>
    public Labels Series(int sref, long mint, long maxt, List<ChunkData>? chunks)
    {
        var b = _index.Memory.Span;
        long off = (long)sref * 16;
        var r = new ByteReader(b[(int)off..]);
        int len = checked((int)r.Uvarint());
        int start = (int)off + r.Position;
        var body = b.Slice(start, len);
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32BigEndian(b[(start + len)..]))
            throw new CorruptionException($"{Dir}/index: series {sref} checksum mismatch");
        r = new ByteReader(body);
        int nl = checked((int)r.Uvarint());
        var labels = new Label[nl];
        for (int i = 0; i < nl; i++)
        {
            string name = _symbols[checked((int)r.Uvarint())];
            string value = _symbols[checked((int)r.Uvarint())];
            labels[i] = new Label(name, value);
        }
        if (chunks is not null)
        {
            int nc = checked((int)r.Uvarint());
            long prevMaxT = 0;
            ulong prevRef = 0;
            for (int i = 0; i < nc; i++)
            {
                long cmin, cmax;
                ulong cref;
                if (i == 0)
                {
                    cmin = r.Varint();
                    cmax = cmin + (long)r.Uvarint();
                    cref = r.Uvarint();
                }
                else
                {
                    cmin = prevMaxT + (long)r.Uvarint();
                    cmax = cmin + (long)r.Uvarint();
                    cref = (ulong)((long)prevRef + r.Varint());
                }
                prevMaxT = cmax;
                prevRef = cref;
                if (cmax < mint || cmin > maxt) continue;
                chunks.Add(ReadChunk(cmin, cmax, cref));
            }
        }
        return Labels.FromSortedUnchecked(labels);
    }

    private ChunkData ReadChunk(long mint, long maxt, ulong cref)
    {
        int seq = (int)(cref >> 32);
        int off = (int)(cref & 0xffffffff);
        if (seq >= _chunks.Length) throw new CorruptionException($"{Dir}: chunk segment {seq} missing");
        var mem = _chunks[seq].Memory;
        var r = new ByteReader(mem.Span[off..]);
        int len = checked((int)r.Uvarint());
        int encOff = off + r.Position;
        var enc = (ChunkEncoding)mem.Span[encOff];
        var data = mem.Slice(encOff + 1, len);
        return new ChunkData(mint, maxt, data, enc);
    }

    /// <summary>Verifies every chunk checksum (used by tests and analyze).</summary>
    internal void VerifyChunk(ulong cref)
    {
        int seq = (int)(cref >> 32);
        int off = (int)(cref & 0xffffffff);
        var span = _chunks[seq].Memory.Span;
        var r = new ByteReader(span[off..]);
        int len = checked((int)r.Uvarint());
        int encOff = off + r.Position;
        if (Crc32C.Compute(span.Slice(encOff, len + 1)) != BinaryPrimitives.ReadUInt32BigEndian(span[(encOff + 1 + len)..]))
            throw new CorruptionException($"{Dir}: chunk checksum mismatch at {cref}");
    }
}
