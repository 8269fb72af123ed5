using System.Buffers.Binary;
using System.Text;

namespace Portal.Tsdb.Encoding;

/// <summary>A growable byte buffer with Go-compatible varint and big-endian writers. Not thread-safe.</summary>
internal sealed class ByteWriter(int capacity = 256)
{
    private byte[] _buf = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }
    public Span<byte> WrittenSpan => _buf.AsSpan(0, Length);
    public ReadOnlyMemory<byte> WrittenMemory => _buf.AsMemory(0, Length);
    public byte[] Buffer => _buf;

    public void Reset() => Length = 0;

    public void Ensure(int extra)
    {
        if (Length + extra <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, Length + extra));
    }

    public void PutByte(byte b) { Ensure(1); _buf[Length++] = b; }

    public void PutBytes(ReadOnlySpan<byte> b) { Ensure(b.Length); b.CopyTo(_buf.AsSpan(Length)); Length += b.Length; }

    public void PutBE16(ushort v) { Ensure(2); BinaryPrimitives.WriteUInt16BigEndian(_buf.AsSpan(Length), v); Length += 2; }
    public void PutBE32(uint v) { Ensure(4); BinaryPrimitives.WriteUInt32BigEndian(_buf.AsSpan(Length), v); Length += 4; }
    public void PutBE64(ulong v) { Ensure(8); BinaryPrimitives.WriteUInt64BigEndian(_buf.AsSpan(Length), v); Length += 8; }

    public void PutUvarint(ulong v)
    {
        Ensure(10);
        while (v >= 0x80) { _buf[Length++] = (byte)(v | 0x80); v >>= 7; }
        _buf[Length++] = (byte)v;
    }

    public void PutVarint(long v) => PutUvarint((ulong)((v << 1) ^ (v >> 63)));

    public void PutUvarintString(string s)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(s);
        PutUvarint((ulong)n);
        Ensure(n);
        System.Text.Encoding.UTF8.GetBytes(s, _buf.AsSpan(Length));
        Length += n;
    }

    public void PutUvarintBytes(ReadOnlySpan<byte> s) { PutUvarint((ulong)s.Length); PutBytes(s); }

    public void WriteBE32At(int pos, uint v) => BinaryPrimitives.WriteUInt32BigEndian(_buf.AsSpan(pos), v);

    /// <summary>Pads with zero bytes until <see cref="Length"/> is a multiple of <paramref name="align"/>.</summary>
    public void Align(int align)
    {
        int pad = (align - Length % align) % align;
        Ensure(pad);
        _buf.AsSpan(Length, pad).Clear();
        Length += pad;
    }

    public byte[] ToArray() => _buf.AsSpan(0, Length).ToArray();
}

/// <summary>Thrown when stored bytes do not decode (bad checksum, truncated, invalid varint).</summary>
public sealed class CorruptionException(string message) : Exception(message);

/// <summary>Reads Go-compatible varints and big-endian integers from a span. Throws <see cref="CorruptionException"/> on truncation.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    public int Position;

    public readonly int Remaining => _data.Length - Position;
    public readonly bool End => Position >= _data.Length;
    public readonly ReadOnlySpan<byte> Rest => _data.Slice(Position);

    public byte Byte()
    {
        if (Position >= _data.Length) throw new CorruptionException("unexpected end of data");
        return _data[Position++];
    }

    public ReadOnlySpan<byte> Bytes(int n)
    {
        if (n < 0 || Position + n > _data.Length) throw new CorruptionException("unexpected end of data");
        var s = _data.Slice(Position, n);
        Position += n;
        return s;
    }

    public ushort BE16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));
    public uint BE32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));
    public ulong BE64() => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));

    public ulong Uvarint()
    {
        ulong x = 0;
        int s = 0;
        for (int i = 0; i < 10; i++)
        {
            byte b = Byte();
            if (b < 0x80)
            {
                if (i == 9 && b > 1) throw new CorruptionException("varint overflows 64 bits");
                return x | (ulong)b << s;
            }
            x |= (ulong)(b & 0x7f) << s;
            s += 7;
        }
        throw new CorruptionException("varint overflows 64 bits");
    }

    public long Varint()
    {
        ulong u = Uvarint();
        long x = (long)(u >> 1);
        return (u & 1) != 0 ? ~x : x;
    }

    public string UvarintString()
    {
        ulong n = Uvarint();
        if (n > int.MaxValue) throw new CorruptionException("string length out of range");
        return System.Text.Encoding.UTF8.GetString(Bytes((int)n));
    }

    public ReadOnlySpan<byte> UvarintBytes()
    {
        ulong n = Uvarint();
        if (n > int.MaxValue) throw new CorruptionException("length out of range");
        return Bytes((int)n);
    }
}

/// <summary>Go's string order (UTF-8 bytes) for .NET strings; differs from UTF-16 ordinal only for surrogates.</summary>
public sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            return Fix(x) - Fix(y);
        }
        return a.Length - b.Length;
    }

    private static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;

    /// <summary>Compares label sets name by name, value by value, in UTF-8 byte order.</summary>
    public static int CompareLabels(Portal.Model.Labels a, Portal.Model.Labels b)
    {
        var x = a.AsSpan();
        var y = b.AsSpan();
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            int c = Instance.Compare(x[i].Name, y[i].Name);
            if (c != 0) return c;
            c = Instance.Compare(x[i].Value, y[i].Value);
            if (c != 0) return c;
        }
        return x.Length - y.Length;
    }
}
