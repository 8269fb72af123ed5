using Portal.Model;
using Portal.Tsdb.Encoding;

namespace Portal.Tsdb.Wal;

/// <summary>WAL record types, with Prometheus's numeric values.</summary>
internal enum RecordType : byte
{
    Series = 1,
    Samples = 2,
    Tombstones = 3,
}

internal readonly record struct RefSeries(int Ref, Labels Labels);
internal readonly record struct RefSample(int Ref, long T, double V);
internal readonly record struct RefTombstone(int Ref, long MinT, long MaxT);

/// <summary>Encodes and decodes WAL records in Prometheus's record format (tsdb/record). Stateless, thread-safe.</summary>
internal static class Records
{
    public static void EncodeSeries(ByteWriter w, ReadOnlySpan<RefSeries> series)
    {
        w.PutByte((byte)RecordType.Series);
        foreach (var s in series)
        {
            w.PutBE64((ulong)s.Ref);
            var ls = s.Labels.AsSpan();
            w.PutUvarint((ulong)ls.Length);
            foreach (var l in ls)
            {
                w.PutUvarintString(l.Name);
                w.PutUvarintString(l.Value);
            }
        }
    }

    public static void EncodeSamples(ByteWriter w, ReadOnlySpan<RefSample> samples)
    {
        w.PutByte((byte)RecordType.Samples);
        if (samples.Length == 0) return;
        var first = samples[0];
        w.PutBE64((ulong)first.Ref);
        w.PutBE64((ulong)first.T);
        foreach (var s in samples)
        {
            w.PutVarint((long)s.Ref - first.Ref);
            w.PutVarint(s.T - first.T);
            w.PutBE64(BitConverter.DoubleToUInt64Bits(s.V));
        }
    }

    public static void EncodeTombstones(ByteWriter w, ReadOnlySpan<RefTombstone> stones)
    {
        w.PutByte((byte)RecordType.Tombstones);
        foreach (var s in stones)
        {
            w.PutBE64((ulong)s.Ref);
            w.PutVarint(s.MinT);
            w.PutVarint(s.MaxT);
        }
    }

    public static RecordType TypeOf(ReadOnlySpan<byte> rec) => rec.Length == 0 ? 0 : (RecordType)rec[0];

    public static void DecodeSeries(ReadOnlySpan<byte> rec, List<RefSeries> into)
    {
        var r = new ByteReader(rec) { Position = 1 };
        var b = new List<Label>();
        while (!r.End)
        {
            int sref = checked((int)r.BE64());
            int n = checked((int)r.Uvarint());
            b.Clear();
            for (int i = 0; i < n; i++) b.Add(new Label(r.UvarintString(), r.UvarintString()));
            b.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
            into.Add(new RefSeries(sref, Labels.FromSortedUnchecked(b.ToArray())));
        }
    }

    public static void DecodeSamples(ReadOnlySpan<byte> rec, List<RefSample> into)
    {
        var r = new ByteReader(rec) { Position = 1 };
        if (r.End) return;
        long baseRef = (long)r.BE64();
        long baseT = (long)r.BE64();
        while (!r.End)
        {
            long dref = r.Varint();
            long dt = r.Varint();
            double v = BitConverter.UInt64BitsToDouble(r.BE64());
            into.Add(new RefSample(checked((int)(baseRef + dref)), baseT + dt, v));
        }
    }

    public static void DecodeTombstones(ReadOnlySpan<byte> rec, List<RefTombstone> into)
    {
        var r = new ByteReader(rec) { Position = 1 };
        while (!r.End)
        {
            int sref = checked((int)r.BE64());
            into.Add(new RefTombstone(sref, r.Varint(), r.Varint()));
        }
    }
}
