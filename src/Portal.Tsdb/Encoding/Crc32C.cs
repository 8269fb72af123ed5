using System.Runtime.Intrinsics.X86;

namespace Portal.Tsdb.Encoding;

/// <summary>
/// CRC-32 with the Castagnoli polynomial (CRC-32C), as Prometheus uses for index sections, chunks and
/// WAL records. Uses SSE4.2 when available, else a slicing table. Thread-safe (stateless).
/// </summary>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256 * 8];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[i] = c;
        }
        for (int i = 0; i < 256; i++)
            for (int s = 1; s < 8; s++)
                t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xff];
        return t;
    }

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a raw (pre-inverted) CRC state; start with 0xFFFFFFFF and invert the result.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        int i = 0;
        if (Sse42.X64.IsSupported)
        {
            ulong c = crc;
            while (i + 8 <= data.Length)
            {
                c = Sse42.X64.Crc32(c, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
                i += 8;
            }
            crc = (uint)c;
            for (; i < data.Length; i++) crc = Sse42.Crc32(crc, data[i]);
            return crc;
        }
        var t = Table;
        while (i + 8 <= data.Length)
        {
            uint lo = crc ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            uint hi = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
            crc = t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >> 8) & 0xff)] ^ t[5 * 256 + ((lo >> 16) & 0xff)] ^ t[4 * 256 + (lo >> 24)]
                ^ t[3 * 256 + (hi & 0xff)] ^ t[2 * 256 + ((hi >> 8) & 0xff)] ^ t[256 + ((hi >> 16) & 0xff)] ^ t[hi >> 24];
            i += 8;
        }
        for (; i < data.Length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        return crc;
    }

    /// <summary>Table-only computation (for testing the fallback path).</summary>
    internal static uint ComputeTable(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return ~crc;
    }
}
