using System.Globalization;
using Portal.Model;

namespace Portal.Config;

/// <summary>
/// A secret value (password, token, key, webhook URL). <see cref="ToString"/> and masked serialization show
/// <c>&lt;secret&gt;</c>; the real text is only available through <see cref="Value"/>. Immutable.
/// </summary>
public sealed class Secret : IEquatable<Secret>
{
    public const string Mask = "<secret>";

    public Secret(string value) => Value = value;

    /// <summary>The clear text. Callers must not log or display it.</summary>
    public string Value { get; }

    public override string ToString() => Mask;
    public bool Equals(Secret? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);
    public override bool Equals(object? obj) => Equals(obj as Secret);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
}

/// <summary>A Prometheus duration (<c>1h30m</c>) held as milliseconds; printed the way Prometheus prints it.</summary>
public readonly record struct Duration(long Milliseconds) : IComparable<Duration>
{
    public static Duration FromSeconds(long s) => new(s * 1000);
    public static Duration FromMinutes(long m) => new(m * 60_000);
    public TimeSpan ToTimeSpan() => TimeSpan.FromMilliseconds(Milliseconds);
    public bool IsZero => Milliseconds == 0;
    public int CompareTo(Duration other) => Milliseconds.CompareTo(other.Milliseconds);
    public static bool operator >(Duration a, Duration b) => a.Milliseconds > b.Milliseconds;
    public static bool operator <(Duration a, Duration b) => a.Milliseconds < b.Milliseconds;
    public static Duration Min(Duration a, Duration b) => a < b ? a : b;
    public override string ToString() => PromDuration.Format(Milliseconds);

    public static bool TryParse(string text, out Duration value, out string? error)
    {
        bool ok = PromDuration.TryParse(text, out long ms, out error);
        value = new Duration(ms);
        return ok;
    }
}

/// <summary>A byte size in Prometheus's base-2 notation (<c>512KB</c>, <c>15MiB</c>, <c>1GB</c>; KB means KiB).</summary>
public readonly record struct ByteSize(long Bytes)
{
    private static readonly (string Unit, long Factor)[] Units =
    [
        ("EiB", 1L << 60), ("PiB", 1L << 50), ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("EB", 1L << 60), ("PB", 1L << 50), ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1),
    ];

    public static bool TryParse(string text, out ByteSize value, out string? error)
    {
        value = default;
        error = null;
        var s = text.Trim();
        long total = 0;
        int pos = 0;
        if (s.Length == 0 || s[0] == '-')
        {
            error = $"units: invalid size \"{text}\" (must be a non-negative number with a unit such as B, KB, MB, GB)";
            return false;
        }
        while (pos < s.Length)
        {
            int start = pos;
            while (pos < s.Length && (char.IsAsciiDigit(s[pos]) || s[pos] == '.')) pos++;
            if (pos == start)
            {
                error = $"units: invalid size \"{text}\"";
                return false;
            }
            var number = double.Parse(s.AsSpan(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            int ustart = pos;
            while (pos < s.Length && char.IsAsciiLetter(s[pos])) pos++;
            var unit = s[ustart..pos];
            long factor = 0;
            foreach (var (u, f) in Units)
                if (u == unit) { factor = f; break; }
            if (factor == 0)
            {
                error = $"units: unknown unit {unit} in {text} (use B, KB, MB, GB, TB, PB or EB)";
                return false;
            }
            total += (long)(number * factor);
        }
        value = new ByteSize(total);
        return true;
    }

    /// <summary>Largest exact unit, e.g. <c>15MiB</c>; <c>0B</c> for zero.</summary>
    public override string ToString()
    {
        if (Bytes == 0) return "0B";
        foreach (var (u, f) in Units)
        {
            if (!u.EndsWith("iB", StringComparison.Ordinal) && u != "B") continue;
            if (Bytes % f == 0) return (Bytes / f).ToString(CultureInfo.InvariantCulture) + u;
        }
        return Bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }
}
