using System.Buffers;
using Snappier;

namespace Portal.Ingest.RemoteWrite;

/// <summary>
/// Snappy block format (never the framed format) as remote write and remote read use it.
/// Stateless and thread-safe.
/// </summary>
public static class SnappyBlock
{
    /// <summary>
    /// Decompresses <paramref name="compressed"/>, refusing output larger than <paramref name="maxDecodedBytes"/>
    /// before allocating it. Throws <see cref="InvalidDataException"/> for truncated or corrupt input.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<byte> compressed, long maxDecodedBytes)
    {
        int length = DecodedLength(compressed, maxDecodedBytes);
        var output = length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length);
        DecodeInto(compressed, output, length);
        return output;
    }

    /// <summary>
    /// Like <see cref="Decode"/>, into an array rented from <see cref="ArrayPool{T}.Shared"/> (decoded request bodies
    /// are often past the large-object threshold); the caller returns it. The decoded bytes are the first
    /// <paramref name="length"/> of the array.
    /// </summary>
    public static byte[] DecodeRented(ReadOnlySpan<byte> compressed, long maxDecodedBytes, out int length)
    {
        length = DecodedLength(compressed, maxDecodedBytes);
        var output = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            DecodeInto(compressed, output, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
        return output;
    }

    private static int DecodedLength(ReadOnlySpan<byte> compressed, long maxDecodedBytes)
    {
        int length;
        try
        {
            length = Snappy.GetUncompressedLength(compressed);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException("snappy: corrupt input (bad length header): " + e.Message, e);
        }
        if (length < 0 || length > maxDecodedBytes)
            throw new InvalidDataException($"snappy: decoded length {length} exceeds the limit of {maxDecodedBytes} bytes");
        return length;
    }

    private static void DecodeInto(ReadOnlySpan<byte> compressed, byte[] output, int length)
    {
        int n;
        try
        {
            n = Snappy.Decompress(compressed, output.AsSpan(0, length));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException("snappy: corrupt input: " + e.Message, e);
        }
        if (n != length) throw new InvalidDataException("snappy: corrupt input (decoded length differs from header)");
    }

    /// <summary>Compresses <paramref name="data"/> into a new array in block format.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data) => Snappy.CompressToArray(data);
}
