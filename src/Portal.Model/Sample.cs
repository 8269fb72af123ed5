using System.Runtime.CompilerServices;

namespace Portal.Model;

/// <summary>A float sample: milliseconds since the Unix epoch and a value.</summary>
public readonly record struct Sample(long T, double V);

/// <summary>What a sample iterator is positioned on. Histogram kinds are reserved for native histograms.</summary>
public enum ValueKind : byte
{
    None = 0,
    Float = 1,
    Histogram = 2,
    FloatHistogram = 3,
}

/// <summary>Special float values with Prometheus's exact bit patterns.</summary>
public static class SampleValue
{
    /// <summary>The staleness marker's bits: a NaN that is never produced by arithmetic.</summary>
    public const ulong StaleNaNBits = 0x7ff0000000000002UL;

    /// <summary>The NaN Prometheus produces for ordinary NaN values.</summary>
    public const ulong NormalNaNBits = 0x7ff8000000000001UL;

    public static readonly double StaleNaN = BitConverter.UInt64BitsToDouble(StaleNaNBits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsStaleNaN(double v) => BitConverter.DoubleToUInt64Bits(v) == StaleNaNBits;
}

/// <summary>Millisecond timestamps, as Prometheus keeps them.</summary>
public static class Timestamp
{
    public static long FromDateTime(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static DateTimeOffset ToDateTime(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
