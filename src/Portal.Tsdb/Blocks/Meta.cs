using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Tsdb.Blocks;

/// <summary>A block's meta.json, with Prometheus's field names. MaxTime is exclusive.</summary>
public sealed class BlockMeta
{
    [JsonPropertyName("ulid")] public string Ulid { get; set; } = "";
    [JsonPropertyName("minTime")] public long MinTime { get; set; }
    [JsonPropertyName("maxTime")] public long MaxTime { get; set; }
    [JsonPropertyName("stats")] public BlockStats Stats { get; set; } = new();
    [JsonPropertyName("compaction")] public BlockCompaction Compaction { get; set; } = new();
    [JsonPropertyName("version")] public int Version { get; set; } = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static BlockMeta Read(string dir)
    {
        var meta = JsonSerializer.Deserialize<BlockMeta>(File.ReadAllBytes(Path.Combine(dir, "meta.json")), Json)
            ?? throw new InvalidDataException($"empty meta.json in {dir}");
        if (meta.Version != 1) throw new InvalidDataException($"unsupported meta.json version {meta.Version} in {dir}");
        return meta;
    }
}

public sealed class BlockStats
{
    [JsonPropertyName("numSamples")] public ulong NumSamples { get; set; }
    [JsonPropertyName("numSeries")] public ulong NumSeries { get; set; }
    [JsonPropertyName("numChunks")] public ulong NumChunks { get; set; }
    [JsonPropertyName("numTombstones")] public ulong? NumTombstones { get; set; }
}

public sealed class BlockCompaction
{
    [JsonPropertyName("level")] public int Level { get; set; } = 1;
    [JsonPropertyName("sources")] public List<string> Sources { get; set; } = new();
    [JsonPropertyName("parents")] public List<BlockDesc>? Parents { get; set; }
    [JsonPropertyName("deletable")] public bool? Deletable { get; set; }
}

public sealed class BlockDesc
{
    [JsonPropertyName("ulid")] public string Ulid { get; set; } = "";
    [JsonPropertyName("minTime")] public long MinTime { get; set; }
    [JsonPropertyName("maxTime")] public long MaxTime { get; set; }
}

/// <summary>ULIDs (Crockford base32, 48-bit millisecond time + 80 random bits), as block directory names.</summary>
public static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(long unixMs)
    {
        Span<byte> b = stackalloc byte[16];
        RandomNumberGenerator.Fill(b[6..]);
        for (int i = 0; i < 6; i++) b[i] = (byte)(unixMs >> (8 * (5 - i)));
        UInt128 v = 0;
        foreach (byte x in b) v = (v << 8) | x;
        Span<char> c = stackalloc char[26];
        for (int i = 25; i >= 0; i--)
        {
            c[i] = Alphabet[(int)(v & 31)];
            v >>= 5;
        }
        return new string(c);
    }

    public static bool IsUlid(string name)
    {
        if (name.Length != 26) return false;
        foreach (char ch in name) if (Alphabet.IndexOf(char.ToUpperInvariant(ch)) < 0) return false;
        return true;
    }
}
