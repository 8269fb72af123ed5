using System.Buffers.Binary;
using System.Text;
using Portal.Model;

namespace Portal.Ingest.RemoteWrite;

/// <summary>
/// Appends a decoded (uncompressed) remote write 1.0 <c>WriteRequest</c> straight from its wire bytes, without
/// building protobuf objects: each series' label bytes are looked up in a <see cref="RemoteWriteSeriesCache"/>, so
/// strings are decoded and labels validated only for series not seen before. Same outcomes as the generic path.
/// </summary>
internal static class FastV1Writer
{
    private static readonly UTF8Encoding Utf8 = new(false, true);

    private sealed class Malformed(string message) : Exception(message);

    public static RemoteWriteOutcome Write(ReadOnlySpan<byte> raw, IAppendable appendable, RemoteWriteSeriesCache cache)
    {
        IAppender? app = null;
        long samples = 0;
        try
        {
            int pos = 0;
            while (pos < raw.Length)
            {
                ulong tag = ReadVarint(raw, ref pos);
                int field = (int)(tag >> 3), wire = (int)(tag & 7);
                if (field == 1 && wire == 2)
                {
                    var ts = ReadBytes(raw, ref pos);
                    app ??= appendable.Appender();
                    if (Series(ts, app, cache, ref samples) is { } reason)
                    {
                        app.Rollback();
                        return RemoteWriteOutcome.BadRequest(reason + "; nothing of this request was stored");
                    }
                }
                else Skip(raw, ref pos, wire);
            }
        }
        catch (Malformed e)
        {
            app?.Rollback();
            return RemoteWriteOutcome.BadRequest("protobuf: cannot decode prometheus.WriteRequest: " + e.Message);
        }
        catch (AppendException e)
        {
            app?.Rollback();
            return RemoteWriteOutcome.BadRequest(e.Message + "; nothing of this request was stored");
        }
        catch
        {
            app?.Rollback();
            throw;
        }
        app?.Commit();
        return new RemoteWriteOutcome(204, null, samples, 0, 0);
    }

    /// <summary>Appends one TimeSeries; returns a reason when it is invalid.</summary>
    private static string? Series(ReadOnlySpan<byte> ts, IAppender app, RemoteWriteSeriesCache cache, ref long samples)
    {
        // First pass: the label region (labels must be contiguous to be cached) and whether histograms are present.
        int labelStart = -1, labelEnd = -1, pos = 0;
        bool contiguous = true, sawOther = false;
        while (pos < ts.Length)
        {
            int tagStart = pos;
            ulong tag = ReadVarint(ts, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field == 1 && wire == 2)
            {
                ReadBytes(ts, ref pos);
                if (labelStart < 0) labelStart = tagStart;
                else if (sawOther) contiguous = false;
                labelEnd = pos;
            }
            else
            {
                if (field == 4) return "native histogram samples are not supported by this receiver";
                if (labelStart >= 0) sawOther = true;
                Skip(ts, ref pos, wire);
            }
        }
        var key = labelStart < 0 ? [] : ts[labelStart..labelEnd];
        RemoteWriteSeriesCache.Entry? entry = null;
        ulong hash = 0;
        if (contiguous)
        {
            hash = RemoteWriteSeriesCache.Hash(key);
            entry = cache.Get(hash, key);
        }
        Labels labels;
        bool added = false;
        if (entry is not null) labels = entry.Labels;
        else
        {
            labels = DecodeLabels(ts);
            if (LabelNames.Validate(labels) is { } reason) return $"invalid labels {labels}: {reason}";
            if (contiguous)
            {
                entry = cache.Add(hash, key, labels);
                added = true;
            }
        }
        var sref = entry is null ? SeriesRef.None : new SeriesRef(Volatile.Read(ref entry.Ref));
        pos = 0;
        while (pos < ts.Length)
        {
            ulong tag = ReadVarint(ts, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field == 2 && wire == 2)
            {
                var s = ReadBytes(ts, ref pos);
                double v = 0;
                long t = 0;
                int sp = 0;
                while (sp < s.Length)
                {
                    ulong st = ReadVarint(s, ref sp);
                    int sf = (int)(st >> 3), sw = (int)(st & 7);
                    if (sf == 1 && sw == 1)
                    {
                        if (sp + 8 > s.Length) throw new Malformed("truncated sample value");
                        v = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(s[sp..]));
                        sp += 8;
                    }
                    else if (sf == 2 && sw == 0) t = (long)ReadVarint(s, ref sp);
                    else Skip(s, ref sp, sw);
                }
                sref = app.Append(sref, labels, t, v);
                samples++;
            }
            else Skip(ts, ref pos, wire);
        }
        if (entry is not null && !sref.IsNone)
        {
            // A new entry's ref came from a lookup by labels, so the storage's label set equals the decoded one.
            if (added && app.StoredLabels(sref) is { } stored) entry.Labels = stored;
            Volatile.Write(ref entry.Ref, sref.Value);
        }
        return null;
    }

    private static Labels DecodeLabels(ReadOnlySpan<byte> ts)
    {
        var list = new List<Label>(8);
        int pos = 0;
        while (pos < ts.Length)
        {
            ulong tag = ReadVarint(ts, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field != 1 || wire != 2)
            {
                Skip(ts, ref pos, wire);
                continue;
            }
            var l = ReadBytes(ts, ref pos);
            string name = "", value = "";
            int lp = 0;
            while (lp < l.Length)
            {
                ulong lt = ReadVarint(l, ref lp);
                int lf = (int)(lt >> 3), lw = (int)(lt & 7);
                if (lf == 1 && lw == 2) name = Str(ReadBytes(l, ref lp));
                else if (lf == 2 && lw == 2) value = Str(ReadBytes(l, ref lp));
                else Skip(l, ref lp, lw);
            }
            list.Add(new Label(name, value));
        }
        return Labels.FromSortedUnchecked([.. list]);
    }

    private static string Str(ReadOnlySpan<byte> b)
    {
        try
        {
            return Utf8.GetString(b);
        }
        catch (DecoderFallbackException)
        {
            throw new Malformed("a string is not valid UTF-8");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> b, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= b.Length) throw new Malformed("truncated varint");
            byte x = b[pos++];
            result |= (ulong)(x & 0x7f) << shift;
            if (x < 0x80) return result;
        }
        throw new Malformed("varint too long");
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> b, ref int pos)
    {
        ulong len = ReadVarint(b, ref pos);
        if (len > (ulong)(b.Length - pos)) throw new Malformed("a length-delimited field runs past the end of its message");
        var r = b.Slice(pos, (int)len);
        pos += (int)len;
        return r;
    }

    private static void Skip(ReadOnlySpan<byte> b, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0: ReadVarint(b, ref pos); break;
            case 1: if (b.Length - pos < 8) throw new Malformed("truncated fixed64"); pos += 8; break;
            case 2: ReadBytes(b, ref pos); break;
            case 5: if (b.Length - pos < 4) throw new Malformed("truncated fixed32"); pos += 4; break;
            default: throw new Malformed($"invalid wire type {wire}");
        }
    }
}
