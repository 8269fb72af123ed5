using System.Text;

namespace Portal.Ingest.TextParse;

/// <summary>
/// Maps raw (escaped) label bytes to their decoded strings so that repeated scrapes of the same target reuse one
/// string per distinct name or value instead of allocating. Bounded: when it holds <see cref="MaxEntries"/>
/// entries it starts over. Not thread-safe: one per scrape loop (or per parser).
/// </summary>
public sealed class StringInterner
{
    public const int MaxEntries = 1 << 16;

    private byte[][] _keys;
    private string[] _values;
    private int[] _hashes;
    private int _count;

    public StringInterner(int capacity = 256)
    {
        int n = 16;
        while (n < capacity * 2) n <<= 1;
        _keys = new byte[n][];
        _values = new string[n];
        _hashes = new int[n];
    }

    /// <summary>Number of cached strings.</summary>
    public int Count => _count;

    /// <summary>The decoded string for <paramref name="raw"/>; escapes (<c>\\</c>, <c>\"</c>, <c>\n</c>) are resolved when <paramref name="unescape"/>.</summary>
    public string Get(ReadOnlySpan<byte> raw, bool unescape)
    {
        if (raw.IsEmpty) return "";
        int h = Hash(raw);
        int mask = _keys.Length - 1;
        int i = h & mask;
        while (true)
        {
            var k = _keys[i];
            if (k is null) break;
            if (_hashes[i] == h && raw.SequenceEqual(k)) return _values[i];
            i = (i + 1) & mask;
        }
        var s = unescape && raw.IndexOf((byte)'\\') >= 0 ? Unescape(raw, true) : Encoding.UTF8.GetString(raw);
        if (_count >= MaxEntries) Clear();
        else if ((_count + 1) * 2 > _keys.Length) Grow();
        Insert(raw.ToArray(), s, h);
        return s;
    }

    public void Clear()
    {
        Array.Clear(_keys);
        Array.Clear(_values);
        _count = 0;
    }

    private void Insert(byte[] key, string value, int h)
    {
        int mask = _keys.Length - 1;
        int i = h & mask;
        while (_keys[i] is not null) i = (i + 1) & mask;
        _keys[i] = key;
        _values[i] = value;
        _hashes[i] = h;
        _count++;
    }

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        var hashes = _hashes;
        _keys = new byte[keys.Length * 2][];
        _values = new string[keys.Length * 2];
        _hashes = new int[keys.Length * 2];
        _count = 0;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] is not null) Insert(keys[i], values[i], hashes[i]);
    }

    private static int Hash(ReadOnlySpan<byte> raw)
    {
        var hc = new HashCode();
        hc.AddBytes(raw);
        return hc.ToHashCode();
    }

    /// <summary>
    /// Resolves <c>\\</c> and <c>\n</c>, and <c>\"</c> when <paramref name="quotes"/>; any other backslash sequence is kept
    /// as written, as Prometheus does.
    /// </summary>
    public static string Unescape(ReadOnlySpan<byte> raw, bool quotes)
    {
        var buf = raw.Length <= 512 ? stackalloc byte[raw.Length] : new byte[raw.Length];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte c = raw[i];
            if (c == '\\' && i + 1 < raw.Length)
            {
                byte d = raw[i + 1];
                if (d == '\\') { buf[n++] = (byte)'\\'; i++; continue; }
                if (d == 'n') { buf[n++] = (byte)'\n'; i++; continue; }
                if (d == '"' && quotes) { buf[n++] = (byte)'"'; i++; continue; }
            }
            buf[n++] = c;
        }
        return Encoding.UTF8.GetString(buf[..n]);
    }
}
