using System.Text;
using Portal.Model;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Encoding;
using Portal.Tsdb.Head;
using Portal.Tsdb.Wal;

namespace Portal.Tsdb.Blocks;

/// <summary>
/// One series to write into a block: its labels and its final, non-overlapping chunks in time order, either given
/// (<paramref name="Chunks"/>) or made by <paramref name="Encode"/> when the writer reaches the series, so a block's
/// re-encoded chunks are written one series at a time instead of all held in memory. Encode must return at least one chunk.
/// </summary>
internal readonly record struct SeriesChunks(Labels Labels, List<ChunkData>? Chunks, Func<List<ChunkData>>? Encode = null);

/// <summary>Where a written chunk went and the time range it covers: what the index records of it.</summary>
internal readonly record struct WrittenChunk(ulong Ref, long MinT, long MaxT);

/// <summary>
/// Writes a block in Prometheus's on-disk format (index v2, chunk segments, tombstones, meta.json)
/// into a temporary directory, fsyncs it and renames it into place, so a crash never leaves a
/// partial block visible. Stateless; thread-safe.
/// </summary>
internal static class BlockWriter
{
    public const uint IndexMagic = 0xBAAAD700;
    public const uint ChunksMagic = 0x85BD40DD;
    public const uint TombstonesMagic = 0x0130BA30;
    public const long MaxChunkSegment = 512L * 1024 * 1024;

    /// <summary>
    /// Writes <paramref name="series"/> (sorted by labels, chunks inside [mint, maxt)) as a block under
    /// <paramref name="parentDir"/>. Returns the new block's directory, or null when there was nothing to write.
    /// </summary>
    public static string? Write(string parentDir, long mint, long maxt, IReadOnlyList<SeriesChunks> series,
        int level, List<string>? sources, List<BlockDesc>? parents)
    {
        if (series.Count == 0) return null;
        string ulid = Ulid.New(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        string final = Path.Combine(parentDir, ulid);
        string tmp = final + ".tmp-for-creation";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(Path.Combine(tmp, "chunks"));

        var meta = new BlockMeta { Ulid = ulid, MinTime = mint, MaxTime = maxt };
        meta.Compaction.Level = level;
        meta.Compaction.Sources = sources ?? [ulid];
        meta.Compaction.Parents = parents;

        try
        {
            var written = new WrittenChunk[series.Count][];
            WriteChunks(Path.Combine(tmp, "chunks"), series, written, meta.Stats);
            WriteIndex(Path.Combine(tmp, "index"), series, written);
            meta.Stats.NumSeries = (ulong)series.Count;
            WriteTombstones(Path.Combine(tmp, "tombstones"), []);
            FileSync.WriteAtomic(Path.Combine(tmp, "meta.json"), meta.ToJson());
            FileSync.SyncDirectory(Path.Combine(tmp, "chunks"));
            FileSync.SyncDirectory(tmp);
        }
        catch
        {
            // A chunk that fails to decode while being merged, or a full disk: nothing becomes visible and the
            // sources stay as they are. Leftovers not removable now are removed when the database next opens.
            try { Directory.Delete(tmp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        Directory.Move(tmp, final);
        FileSync.SyncDirectory(parentDir);
        return final;
    }

    private static void WriteChunks(string dir, IReadOnlyList<SeriesChunks> series, WrittenChunk[][] written, BlockStats stats)
    {
        int seq = 0;
        FileStream? f = null;
        long off = 0;
        var buf = new ByteWriter(64 * 1024);
        void Open()
        {
            if (f is not null) { f.Write(buf.WrittenSpan); buf.Reset(); f.Flush(true); f.Dispose(); }
            seq++;
            f = new FileStream(Path.Combine(dir, seq.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)), FileMode.Create, FileAccess.Write, FileShare.None, 1);
            buf.PutBE32(ChunksMagic);
            buf.PutByte(1);
            buf.PutByte(0); buf.PutByte(0); buf.PutByte(0);
            off = 8;
        }
        try
        {
            Open();
            for (int i = 0; i < series.Count; i++)
            {
                var chunks = series[i].Chunks ?? series[i].Encode!();
                var list = new WrittenChunk[chunks.Count];
                for (int k = 0; k < chunks.Count; k++)
                {
                    var c = chunks[k];
                    int len = c.Data.Length;
                    if (off + len + 15 > MaxChunkSegment && off > 8) Open();
                    list[k] = new WrittenChunk(((ulong)(seq - 1) << 32) | (ulong)off, c.MinT, c.MaxT);
                    int start = buf.Length;
                    buf.PutUvarint((ulong)len);
                    int encStart = buf.Length;
                    buf.PutByte((byte)c.Encoding);
                    buf.PutBytes(c.Data.Span);
                    buf.PutBE32(Crc32C.Compute(buf.WrittenSpan[encStart..]));
                    off += buf.Length - start;
                    stats.NumChunks++;
                    stats.NumSamples += (ulong)XorIterator.SampleCount(c.Data.Span);
                    if (buf.Length > 1 << 20) { f!.Write(buf.WrittenSpan); buf.Reset(); }
                }
                written[i] = list;
            }
            f!.Write(buf.WrittenSpan);
            f.Flush(true);
        }
        finally
        {
            f?.Dispose();
        }
    }

    private static void WriteIndex(string path, IReadOnlyList<SeriesChunks> series, WrittenChunk[][] written)
    {
        // Symbols: every label name and value, sorted in UTF-8 byte order.
        var symSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in series)
            foreach (var l in s.Labels.AsSpan()) { symSet.Add(l.Name); symSet.Add(l.Value); }
        var symbols = new List<string>(symSet);
        symbols.Sort(Utf8Order.Instance);
        var symIndex = new Dictionary<string, int>(symbols.Count, StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++) symIndex[symbols[i]] = i;

        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var w = new ByteWriter(1 << 20);
        long pos = 0;
        void Drain()
        {
            f.Write(w.WrittenSpan);
            pos += w.Length;
            w.Reset();
        }
        long Pos() => pos + w.Length;
        void Pad(int align)
        {
            long p = Pos();
            int pad = (int)((align - p % align) % align);
            for (int i = 0; i < pad; i++) w.PutByte(0);
        }

        w.PutBE32(IndexMagic);
        w.PutByte(2);

        // Symbol table.
        long symbolsOff = Pos();
        var sec = new ByteWriter(64 * 1024);
        sec.PutBE32((uint)symbols.Count);
        foreach (var s in symbols) sec.PutUvarintString(s);
        PutSection(w, sec);

        // Series.
        Pad(16);
        long seriesOff = Pos();
        var postings = new Dictionary<(string, string), List<int>>();
        var all = new List<int>(series.Count);
        var valuesByName = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (int i = 0; i < series.Count; i++)
        {
            Pad(16);
            long off = Pos();
            int sref = checked((int)(off / 16));
            all.Add(sref);
            sec.Reset();
            var ls = series[i].Labels.AsSpan();
            sec.PutUvarint((ulong)ls.Length);
            foreach (var l in ls)
            {
                sec.PutUvarint((ulong)symIndex[l.Name]);
                sec.PutUvarint((ulong)symIndex[l.Value]);
                if (!postings.TryGetValue((l.Name, l.Value), out var pl)) postings[(l.Name, l.Value)] = pl = new List<int>();
                pl.Add(sref);
                if (!valuesByName.TryGetValue(l.Name, out var vs)) valuesByName[l.Name] = vs = new HashSet<string>(StringComparer.Ordinal);
                vs.Add(l.Value);
            }
            var chunks = written[i];
            sec.PutUvarint((ulong)chunks.Length);
            long prevMaxT = 0;
            ulong prevRef = 0;
            for (int c = 0; c < chunks.Length; c++)
            {
                if (c == 0)
                {
                    sec.PutVarint(chunks[c].MinT);
                    sec.PutUvarint((ulong)(chunks[c].MaxT - chunks[c].MinT));
                    sec.PutUvarint(chunks[c].Ref);
                }
                else
                {
                    sec.PutUvarint((ulong)(chunks[c].MinT - prevMaxT));
                    sec.PutUvarint((ulong)(chunks[c].MaxT - chunks[c].MinT));
                    sec.PutVarint((long)(chunks[c].Ref - prevRef));
                }
                prevMaxT = chunks[c].MaxT;
                prevRef = chunks[c].Ref;
            }
            w.PutUvarint((ulong)sec.Length);
            w.PutBytes(sec.WrittenSpan);
            w.PutBE32(Crc32C.Compute(sec.WrittenSpan));
            if (w.Length > 1 << 20) Drain();
        }

        var names = new List<string>(valuesByName.Keys);
        names.Sort(Utf8Order.Instance);

        // Label indices (kept for compatibility; readers of v2 use the postings offset table).
        Pad(4);
        long labelIndicesOff = Pos();
        var labelOffsets = new List<(string, long)>();
        foreach (var name in names)
        {
            Pad(4);
            labelOffsets.Add((name, Pos()));
            var vals = new List<string>(valuesByName[name]);
            vals.Sort(Utf8Order.Instance);
            sec.Reset();
            sec.PutBE32(1);
            sec.PutBE32((uint)vals.Count);
            foreach (var v in vals) sec.PutBE32((uint)symIndex[v]);
            PutSection(w, sec);
            if (w.Length > 1 << 20) Drain();
        }

        // Postings: the all-series list under ("", "") first, then every label pair in order.
        Pad(4);
        long postingsOff = Pos();
        var postingOffsets = new List<(string, string, long)>();
        void WritePostings(string n, string v, List<int> refs)
        {
            Pad(4);
            postingOffsets.Add((n, v, Pos()));
            sec.Reset();
            sec.PutBE32((uint)refs.Count);
            foreach (var r in refs) sec.PutBE32((uint)r);
            PutSection(w, sec);
            if (w.Length > 1 << 20) Drain();
        }
        WritePostings("", "", all);
        foreach (var name in names)
        {
            var vals = new List<string>(valuesByName[name]);
            vals.Sort(Utf8Order.Instance);
            foreach (var v in vals) WritePostings(name, v, postings[(name, v)]);
        }

        // Label offset table.
        long labelTableOff = Pos();
        sec.Reset();
        sec.PutBE32((uint)labelOffsets.Count);
        foreach (var (n, o) in labelOffsets)
        {
            sec.PutByte(1);
            sec.PutUvarintString(n);
            sec.PutUvarint((ulong)o);
        }
        PutSection(w, sec);

        // Postings offset table.
        long postingsTableOff = Pos();
        sec.Reset();
        sec.PutBE32((uint)postingOffsets.Count);
        foreach (var (n, v, o) in postingOffsets)
        {
            sec.PutByte(2);
            sec.PutUvarintString(n);
            sec.PutUvarintString(v);
            sec.PutUvarint((ulong)o);
        }
        PutSection(w, sec);

        // TOC.
        sec.Reset();
        sec.PutBE64((ulong)symbolsOff);
        sec.PutBE64((ulong)seriesOff);
        sec.PutBE64((ulong)labelIndicesOff);
        sec.PutBE64((ulong)labelTableOff);
        sec.PutBE64((ulong)postingsOff);
        sec.PutBE64((ulong)postingsTableOff);
        w.PutBytes(sec.WrittenSpan);
        w.PutBE32(Crc32C.Compute(sec.WrittenSpan));
        Drain();
        f.Flush(true);
    }

    /// <summary>len (4 bytes, big-endian), the section, CRC-32C of the section.</summary>
    private static void PutSection(ByteWriter w, ByteWriter sec)
    {
        w.PutBE32((uint)sec.Length);
        w.PutBytes(sec.WrittenSpan);
        w.PutBE32(Crc32C.Compute(sec.WrittenSpan));
    }

    /// <summary>Writes a tombstones file (magic, version 1, stones, CRC-32C of the stones) durably.</summary>
    public static void WriteTombstones(string path, IReadOnlyList<(int Ref, Interval Iv)> stones)
    {
        var w = new ByteWriter(64);
        w.PutBE32(TombstonesMagic);
        w.PutByte(1);
        int start = w.Length;
        foreach (var (r, iv) in stones)
        {
            w.PutUvarint((ulong)r);
            w.PutVarint(iv.MinT);
            w.PutVarint(iv.MaxT);
        }
        w.PutBE32(Crc32C.Compute(w.WrittenSpan[start..]));
        FileSync.WriteAtomic(path, w.WrittenSpan);
    }
}
