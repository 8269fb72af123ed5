using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Portal.Model;

namespace Portal.Tsdb.Chunks;

/// <summary>Chunk encodings with Prometheus's numeric values. Histogram encodings are reserved, not implemented.</summary>
public enum ChunkEncoding : byte
{
    None = 0,
    Xor = 1,
    Histogram = 2,
    FloatHistogram = 3,
}

/// <summary>
/// A Gorilla XOR chunk being appended to, in Prometheus's <c>chunkenc.XORChunk</c> format:
/// 2-byte big-endian sample count, first timestamp as varint, first value as 64 raw bits, second
/// timestamp delta as uvarint, then delta-of-delta timestamps and XOR-compressed values.
/// <see cref="Append(long, double)"/> writes bit for bit what Prometheus's encoder writes;
/// <see cref="Append(long, double, XorWindow)"/> lets the caller choose the value windows (same format, fewer bits).
/// Not thread-safe: the owner serializes appends and snapshots.
/// </summary>
public sealed class XorChunk
{
    private byte[] _buf;
    private int _bitLen; // bits written including the 16-bit header
    private long _t;
    private ulong _v;
    private ulong _tDelta;
    private byte _leading;
    private byte _trailing;

    /// <param name="capacity">Initial buffer size in bytes; the buffer grows as needed.</param>
    public XorChunk(int capacity = 32) => Start(capacity);

    /// <summary>Makes this an empty chunk with a fresh (zeroed) buffer of <paramref name="capacity"/> bytes.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_buf))]
    private void Start(int capacity)
    {
        _buf = new byte[Math.Max(capacity, 12)];
        _bitLen = 16;
        _t = 0;
        _v = 0;
        _tDelta = 0;
        _leading = 0xff;
        _trailing = 0;
    }

    /// <summary>
    /// Hands the encoded bytes over and empties the chunk, which continues with a fresh buffer of
    /// <paramref name="nextCapacity"/> bytes. The returned bytes are never written again: the buffer itself when little
    /// of it is unused (no copy), otherwise a copy trimmed to size.
    /// </summary>
    public ReadOnlyMemory<byte> Detach(int nextCapacity)
    {
        int len = ByteLength;
        ReadOnlyMemory<byte> bytes = _buf.Length - len <= len / 4 + 16 ? _buf.AsMemory(0, len) : _buf.AsSpan(0, len).ToArray();
        Start(nextCapacity);
        return bytes;
    }

    /// <summary>Number of samples in the chunk.</summary>
    public int Count => BinaryPrimitives.ReadUInt16BigEndian(_buf);

    /// <summary>Encoded size in bytes.</summary>
    public int ByteLength => (_bitLen + 7) >> 3;

    /// <summary>Timestamp of the last appended sample (undefined when empty).</summary>
    public long LastT => _t;

    /// <summary>Value bits of the last appended sample.</summary>
    public ulong LastVBits => _v;

    /// <summary>The encoded bytes; valid until the next append.</summary>
    public ReadOnlySpan<byte> Bytes => _buf.AsSpan(0, ByteLength);

    /// <summary>A copy of the encoded bytes, trimmed to size.</summary>
    public byte[] ToArray() => _buf.AsSpan(0, ByteLength).ToArray();

    /// <summary>Bytes held by this chunk's buffer (for memory accounting).</summary>
    public int Capacity => _buf.Length;

    /// <summary>Appends a sample. The caller guarantees timestamps increase and at most 65535 samples.</summary>
    public void Append(long t, double value)
    {
        ulong v = BitConverter.DoubleToUInt64Bits(value);
        int num = AppendTimestamp(t);
        if (num == 0) WriteBits(v, 64);
        else WriteVDelta(v);
        _v = v;
    }

    /// <summary>
    /// Appends a sample whose value, when it differs from the previous one, is written in <paramref name="window"/>:
    /// the current window is reused when it is that window, otherwise the window is opened. Windows chosen by
    /// <see cref="XorWindowPlanner"/> make a chunk smaller than Prometheus's reuse-whenever-possible rule; every chunk
    /// decodes with the standard decoder. The window must hold the value's XOR with the previous value (its leading
    /// zeros, capped at 31, and trailing zeros at least the window's); it is ignored for the first sample and for a
    /// value equal to the previous one.
    /// </summary>
    public void Append(long t, double value, XorWindow window)
    {
        ulong v = BitConverter.DoubleToUInt64Bits(value);
        int num = AppendTimestamp(t);
        if (num == 0) WriteBits(v, 64);
        else WriteVDelta(v, window);
        _v = v;
    }

    /// <summary>Writes the timestamp part of a sample, counts the sample and reserves room for its value; returns the count before.</summary>
    private int AppendTimestamp(long t)
    {
        int num = Count;
        if (num == 0)
        {
            EnsureBits(80 + 64);
            WriteVarint(t);
        }
        else if (num == 1)
        {
            ulong tDelta = (ulong)(t - _t);
            EnsureBits(80 + 77);
            WriteUvarint(tDelta);
            _tDelta = tDelta;
        }
        else
        {
            ulong tDelta = (ulong)(t - _t);
            long dod = (long)(tDelta - _tDelta);
            EnsureBits(68 + 77);
            if (dod == 0) WriteBits(0, 1);
            else if (BitRange(dod, 14)) { WriteBits(0b10, 2); WriteBits((ulong)dod & 0x3FFF, 14); }
            else if (BitRange(dod, 17)) { WriteBits(0b110, 3); WriteBits((ulong)dod & 0x1FFFF, 17); }
            else if (BitRange(dod, 20)) { WriteBits(0b1110, 4); WriteBits((ulong)dod & 0xFFFFF, 20); }
            else { WriteBits(0b1111, 4); WriteBits((ulong)dod, 64); }
            _tDelta = tDelta;
        }
        _t = t;
        BinaryPrimitives.WriteUInt16BigEndian(_buf, (ushort)(num + 1));
        return num;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool BitRange(long x, int nbits) => -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);

    /// <summary>Prometheus's rule: reuse the current window whenever the XOR fits in it, else open the tightest.</summary>
    private void WriteVDelta(ulong v)
    {
        ulong delta = v ^ _v;
        if (delta == 0) { WriteBits(0, 1); return; }
        int leading = BitOperations.LeadingZeroCount(delta);
        int trailing = BitOperations.TrailingZeroCount(delta);
        if (leading >= 32) leading = 31;
        if (_leading != 0xff && leading >= _leading && trailing >= _trailing) WriteInWindow(delta);
        else OpenWindow(delta, leading, trailing);
    }

    private void WriteVDelta(ulong v, XorWindow window)
    {
        ulong delta = v ^ _v;
        if (delta == 0) { WriteBits(0, 1); return; }
        if (Math.Min(BitOperations.LeadingZeroCount(delta), 31) < window.Leading || BitOperations.TrailingZeroCount(delta) < window.Trailing)
            throw new ArgumentException($"window {window} does not hold the XOR {delta:x16}", nameof(window));
        if (window.Leading == _leading && window.Trailing == _trailing) WriteInWindow(delta);
        else OpenWindow(delta, window.Leading, window.Trailing);
    }

    /// <summary>'10' and the XOR's bits in the current window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteInWindow(ulong delta)
    {
        WriteBits(0b10, 2);
        WriteBits(delta >> _trailing, 64 - _leading - _trailing);
    }

    /// <summary>'11', the new window's leading zeros and width, and the XOR's bits in it; the window becomes current.</summary>
    private void OpenWindow(ulong delta, int leading, int trailing)
    {
        _leading = (byte)leading;
        _trailing = (byte)trailing;
        int sig = 64 - leading - trailing;
        // '11', 5 bits of leading zeros, 6 bits of significant-bit count (64 wraps to 0).
        WriteBits((0b11UL << 11) | ((ulong)leading << 6) | ((ulong)sig & 0x3F), 13);
        WriteBits(delta >> trailing, sig);
    }

    /// <summary>The samples a head chunk usually ends with (Prometheus's 120), which growth sizes the buffer for.</summary>
    public const int TypicalSamples = 120;

    /// <summary>Samples after which the bytes per sample so far predict the rest well enough to size the buffer by.</summary>
    private const int SamplesToPredict = 16;

    /// <summary>
    /// Grows the buffer: doubling while the chunk is young, then to the size it will have at
    /// <see cref="TypicalSamples"/> at its rate so far (at most 8 times what it needs now), or by a quarter once past
    /// that. So an open chunk is reallocated two or three times rather than doubling its way up: each reallocation
    /// leaves the old buffer as garbage in the generation the series lives in. A chunk cut early is trimmed then.
    /// </summary>
    private void EnsureBits(int extraBits)
    {
        int need = ((_bitLen + extraBits + 7) >> 3) + 8;
        if (need <= _buf.Length) return;
        int samples = Count;
        long size;
        if (samples < SamplesToPredict) size = Math.Max(need, _buf.Length * 2L);
        else if (samples < TypicalSamples)
        {
            // The first two samples (header, full timestamp and value, first delta) take about FirstBytes; the rate
            // of the rest predicts the remaining samples.
            const int FirstBytes = 20;
            long rest = Math.Max(need - FirstBytes, 1);
            size = Math.Min(FirstBytes + rest * (TypicalSamples - 2) / (samples - 2) + 8, (long)need * 8);
        }
        else size = need + (long)need / 4;
        // A prediction that fell short grows by a quarter at least, so the last samples do not reallocate one by one.
        size = Math.Max(size, _buf.Length + _buf.Length / 4L);
        var grown = new byte[(int)Math.Max(size, need)];
        _buf.AsSpan(0, ByteLength).CopyTo(grown);
        _buf = grown;
    }

    private void WriteVarint(long v) => WriteUvarint((ulong)((v << 1) ^ (v >> 63)));

    private void WriteUvarint(ulong v)
    {
        while (v >= 0x80) { WriteBits((v & 0x7f) | 0x80, 8); v >>= 7; }
        WriteBits(v, 8);
    }

    /// <summary>
    /// Writes the low <paramref name="n"/> bits of <paramref name="bits"/>, most significant first. Relies on
    /// every byte past the written bits being zero and on 8 bytes of slack (see <see cref="EnsureBits"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteBits(ulong bits, int n)
    {
        if (n == 0) return;
        if (n > 56)
        {
            WriteBits(bits >> 32, n - 32);
            n = 32;
        }
        bits &= (1UL << n) - 1;
        int byteIdx = _bitLen >> 3;
        int off = _bitLen & 7;
        var span = _buf.AsSpan(byteIdx, 8);
        ulong cur = BinaryPrimitives.ReadUInt64BigEndian(span);
        BinaryPrimitives.WriteUInt64BigEndian(span, cur | (bits << (64 - n - off)));
        _bitLen += n;
    }
}

/// <summary>
/// Decodes an XOR chunk. A struct-free class so it can be pooled; reset it with <see cref="Reset"/>.
/// Not thread-safe. The chunk bytes must stay unchanged while iterating.
/// </summary>
public sealed class XorIterator
{
    private ReadOnlyMemory<byte> _mem;
    private int _bitPos;
    private int _total;
    private int _read;
    private long _t;
    private ulong _v;
    private ulong _tDelta;
    private byte _leading;
    private byte _trailing;

    public XorIterator() { }
    public XorIterator(ReadOnlyMemory<byte> chunk) => Reset(chunk);

    public Exception? Error { get; private set; }

    public long T => _t;
    public double V => BitConverter.UInt64BitsToDouble(_v);
    public ulong VBits => _v;

    public void Reset(ReadOnlyMemory<byte> chunk)
    {
        _mem = chunk;
        _bitPos = 16;
        _total = chunk.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(chunk.Span) : 0;
        _read = 0;
        _t = 0; _v = 0; _tDelta = 0; _leading = 0; _trailing = 0;
        Error = null;
    }

    /// <summary>Number of samples the chunk holds.</summary>
    public static int SampleCount(ReadOnlySpan<byte> chunk) => chunk.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(chunk) : 0;

    /// <summary>Advances; false at the end or on a decoding error (see <see cref="Error"/>).</summary>
    public bool Next()
    {
        if (Error is not null || _read >= _total) return false;
        var s = _mem.Span;
        try
        {
            if (_read == 0)
            {
                _t = ReadVarint(s);
                _v = ReadBits(s, 64);
            }
            else if (_read == 1)
            {
                _tDelta = ReadUvarint(s);
                _t += (long)_tDelta;
                ReadValue(s);
            }
            else
            {
                int prefix = 0;
                int i = 0;
                for (; i < 4; i++)
                {
                    prefix <<= 1;
                    ulong bit = ReadBits(s, 1);
                    if (bit == 0) break;
                    prefix |= 1;
                }
                int sz = i switch { 0 => 0, 1 => 14, 2 => 17, 3 => 20, _ => 64 };
                long dod = 0;
                if (sz == 64) dod = (long)ReadBits(s, 64);
                else if (sz != 0)
                {
                    ulong bits = ReadBits(s, sz);
                    if (bits > 1UL << (sz - 1)) dod = (long)bits - (1L << sz);
                    else dod = (long)bits;
                }
                _tDelta = (ulong)((long)_tDelta + dod);
                _t += (long)_tDelta;
                ReadValue(s);
            }
        }
        catch (CorruptChunk)
        {
            Error = new Encoding.CorruptionException("XOR chunk is truncated");
            return false;
        }
        _read++;
        return true;
    }

    private void ReadValue(ReadOnlySpan<byte> s)
    {
        if (ReadBits(s, 1) == 0) return;
        if (ReadBits(s, 1) != 0)
        {
            _leading = (byte)ReadBits(s, 5);
            int sig = (int)ReadBits(s, 6);
            if (sig == 0) sig = 64;
            _trailing = (byte)(64 - _leading - sig);
        }
        int mbits = 64 - _leading - _trailing;
        ulong bits = ReadBits(s, mbits);
        _v ^= bits << _trailing;
    }

    private sealed class CorruptChunk : Exception;

    private long ReadVarint(ReadOnlySpan<byte> s)
    {
        ulong u = ReadUvarint(s);
        long x = (long)(u >> 1);
        return (u & 1) != 0 ? ~x : x;
    }

    private ulong ReadUvarint(ReadOnlySpan<byte> s)
    {
        ulong x = 0;
        int shift = 0;
        for (int i = 0; i < 10; i++)
        {
            ulong b = ReadBits(s, 8);
            if (b < 0x80) return x | b << shift;
            x |= (b & 0x7f) << shift;
            shift += 7;
        }
        throw new CorruptChunk();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadBits(ReadOnlySpan<byte> s, int n)
    {
        if (n == 0) return 0;
        if (_bitPos + n > s.Length * 8) throw new CorruptChunk();
        ulong result = 0;
        int byteIdx = _bitPos >> 3;
        int bitOff = _bitPos & 7;
        if (byteIdx + 8 <= s.Length && n <= 56)
        {
            ulong w = BinaryPrimitives.ReadUInt64BigEndian(s.Slice(byteIdx));
            result = (w << bitOff) >> (64 - n);
            _bitPos += n;
            return result;
        }
        int left = n;
        while (left > 0)
        {
            byteIdx = _bitPos >> 3;
            bitOff = _bitPos & 7;
            int avail = 8 - bitOff;
            int take = Math.Min(avail, left);
            ulong part = (ulong)((s[byteIdx] >> (avail - take)) & ((1 << take) - 1));
            result = (result << take) | part;
            _bitPos += take;
            left -= take;
        }
        return result;
    }
}

/// <summary>Helpers over encoded chunks.</summary>
public static class ChunkUtil
{
    /// <summary>Decodes every sample of an XOR chunk (for tests and tools).</summary>
    public static List<Sample> Decode(ReadOnlyMemory<byte> chunk)
    {
        var it = new XorIterator(chunk);
        var list = new List<Sample>();
        while (it.Next()) list.Add(new Sample(it.T, it.V));
        if (it.Error is not null) throw it.Error;
        return list;
    }

    /// <summary>Encodes samples into XOR chunks of at most <paramref name="maxSamples"/> each.</summary>
    public static List<(long MinT, long MaxT, byte[] Data)> Encode(IReadOnlyList<Sample> samples, int maxSamples = 120)
    {
        var result = new List<(long, long, byte[])>();
        XorChunk? c = null;
        long min = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            if (c is null || c.Count >= maxSamples)
            {
                if (c is not null) result.Add((min, c.LastT, c.ToArray()));
                c = new XorChunk(Math.Min(maxSamples, samples.Count - i) * 2 + 16);
                min = samples[i].T;
            }
            c.Append(samples[i].T, samples[i].V);
        }
        if (c is not null) result.Add((min, c.LastT, c.ToArray()));
        return result;
    }

    /// <summary>
    /// Encodes samples into as few XOR chunks as <paramref name="maxSamples"/> allows, sharing the samples out evenly
    /// (1,000 samples with a limit of 480 make chunks of 333, 333 and 334, not 480, 480 and 40), so no chunk is a
    /// short tail that costs a chunk's fixed start for few samples. Each chunk is written by <see cref="EncodePlanned"/>.
    /// </summary>
    public static List<(long MinT, long MaxT, byte[] Data)> EncodeEvenly(IReadOnlyList<Sample> samples, int maxSamples)
    {
        var result = new List<(long, long, byte[])>();
        int chunks = (samples.Count + maxSamples - 1) / maxSamples;
        int start = 0;
        for (int k = 0; k < chunks; k++)
        {
            int end = (int)((long)samples.Count * (k + 1) / chunks);
            result.Add((samples[start].T, samples[end - 1].T, EncodePlanned(samples, start, end)));
            start = end;
        }
        return result;
    }

    /// <summary>
    /// Encodes samples [<paramref name="start"/>, <paramref name="end"/>) into one XOR chunk with the value windows
    /// <see cref="XorWindowPlanner"/> chooses: the fewest bits the format allows, decodable by any reader of it.
    /// </summary>
    public static byte[] EncodePlanned(IReadOnlyList<Sample> samples, int start, int end)
    {
        int n = end - start;
        var values = System.Buffers.ArrayPool<ulong>.Shared.Rent(n);
        var windows = System.Buffers.ArrayPool<XorWindow>.Shared.Rent(n);
        try
        {
            for (int i = 0; i < n; i++) values[i] = BitConverter.DoubleToUInt64Bits(samples[start + i].V);
            long valueBits = XorWindowPlanner.Plan(values.AsSpan(0, n), windows.AsSpan(0, n));
            var c = new XorChunk((int)((valueBits + 2 * n + 7) / 8) + 24);
            for (int i = 0; i < n; i++) c.Append(samples[start + i].T, samples[start + i].V, windows[i]);
            return c.ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<ulong>.Shared.Return(values);
            System.Buffers.ArrayPool<XorWindow>.Shared.Return(windows);
        }
    }
}
