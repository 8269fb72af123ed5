using Portal.Model;

namespace Portal.Ingest.Scrape;

/// <summary>What a scrape loop remembers about one series as written by the target.</summary>
internal sealed class CacheEntry(byte[] key, Labels? labels)
{
    public readonly byte[] Key = key;
    /// <summary>
    /// Labels after target labels and metric relabeling; null when relabeling drops the series. Replaced once by the
    /// storage's own (equal) instance after the series' first append.
    /// </summary>
    public Labels? Labels = labels;
    public SeriesRef Ref;
    /// <summary>Scrape iteration in which the series was last seen.</summary>
    public long LastSeen = -1;
    /// <summary>Whether its last sample carried its own timestamp (no staleness for those unless tracked).</summary>
    public bool ExplicitTimestamp;
}

/// <summary>Compares byte arrays by content and lets a dictionary be probed with a span (no allocation per lookup).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));
    public int GetHashCode(byte[] obj) => Hash(obj);
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> s)
    {
        ulong h = Portal.Ingest.RemoteWrite.RemoteWriteSeriesCache.Hash(s);
        return (int)h ^ (int)(h >> 32);
    }
}
