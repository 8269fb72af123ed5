using System.Collections.Concurrent;
using System.Buffers.Binary;
using Portal.Model;

namespace Portal.Ingest.RemoteWrite;

/// <summary>
/// Remembers, per tenant, the label sets remote write requests carried before: the encoded label bytes of a series
/// map to its validated <see cref="Labels"/> and the storage's series ref, so a known series costs no string
/// decoding, no label validation and no lookup by labels. Refs are hints the storage checks, so a stale entry is
/// harmless. An entry keeps the storage's label set rather than its own copy once the series is stored. Bounded:
/// cleared when it holds more than <see cref="MaxEntries"/>. Thread-safe.
/// </summary>
public sealed class RemoteWriteSeriesCache
{
    public const int MaxEntries = 2_000_000;

    internal sealed class Entry(byte[] key, Labels labels)
    {
        public readonly byte[] Key = key;

        /// <summary>The series' labels; replaced once by the storage's own (equal) instance after the first append.</summary>
        public Labels Labels = labels;

        public ulong Ref;
    }

    private readonly ConcurrentDictionary<ulong, Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>Forgets every entry (they are hints; the next request of each series decodes its labels again).</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Chosen per process, so that label bytes cannot be crafted to collide.</summary>
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>
    /// A fast 64-bit hash of the key bytes (multiply-xorshift over 8-byte words from a per-process seed); equality is
    /// always checked on the bytes. Also the scrape loops' series-cache hash.
    /// </summary>
    internal static ulong Hash(ReadOnlySpan<byte> key)
    {
        ulong h = Seed ^ (ulong)key.Length;
        while (key.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            key = key[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < key.Length; i++) tail |= (ulong)key[i] << (8 * i);
        h = (h ^ tail) * 0x94D049BB133111EBUL;
        return h ^ (h >> 29);
    }

    internal Entry? Get(ulong hash, ReadOnlySpan<byte> key) =>
        _entries.TryGetValue(hash, out var e) && key.SequenceEqual(e.Key) ? e : null;

    internal Entry Add(ulong hash, ReadOnlySpan<byte> key, Labels labels)
    {
        if (_entries.Count >= MaxEntries) _entries.Clear();
        var e = new Entry(key.ToArray(), labels);
        _entries[hash] = e;
        return e;
    }
}
