using System.Globalization;
using System.Text;

namespace Portal.Rules.Templates;

/// <summary>
/// A point in time as templates see Go's <c>time.Time</c>: printed as Go prints it
/// (<c>2015-06-23 13:19:44.128 +0000 UTC</c>), with <see cref="Format"/> taking Go layouts. Immutable.
/// </summary>
public sealed class GoTime : IComparable<GoTime>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The instant with its offset; the offset is the zone the time is shown in.</summary>
    public DateTimeOffset Value { get; }

    /// <summary>What the layout's <c>MST</c> prints: "UTC", else the offset (<c>+0200</c>) as no abbreviations are known.</summary>
    public string ZoneName { get; }

    public GoTime(DateTimeOffset value, string? zoneName = null)
    {
        Value = value;
        ZoneName = zoneName ?? (value.Offset == TimeSpan.Zero ? "UTC" : OffsetName(value.Offset));
    }

    /// <summary>The UTC time of a Unix timestamp in milliseconds.</summary>
    public static GoTime FromUnixMilliseconds(long ms) => new(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    private static string OffsetName(TimeSpan off)
    {
        var sign = off < TimeSpan.Zero ? "-" : "+";
        off = off.Duration();
        return off.Minutes == 0 ? sign + off.Hours.ToString("00", Inv) : sign + off.Hours.ToString("00", Inv) + off.Minutes.ToString("00", Inv);
    }

    /// <summary>The time in the named IANA zone (Go's <c>t.In(loc)</c>); throws when the zone is unknown.</summary>
    public GoTime In(string zone)
    {
        if (zone is "UTC" or "") return new GoTime(Value.ToUniversalTime(), "UTC");
        TimeZoneInfo tz;
        try
        {
            tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException("unknown time zone " + zone, e);
        }
        var t = TimeZoneInfo.ConvertTime(Value, tz);
        return new GoTime(t);
    }

    public GoTime UTC() => new(Value.ToUniversalTime(), "UTC");
    public long Unix() => Value.ToUnixTimeSeconds();
    public long UnixMilli() => Value.ToUnixTimeMilliseconds();
    public long UnixNano() => (Value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    public long Year() => Value.Year;
    public long Day() => Value.Day;
    public long Hour() => Value.Hour;
    public long Minute() => Value.Minute;
    public long Second() => Value.Second;
    public long YearDay() => Value.DayOfYear;
    public string Month() => Value.ToString("MMMM", Inv);
    public string Weekday() => Value.DayOfWeek.ToString();
    public bool IsZero() => Value == DateTimeOffset.MinValue;
    public bool Before(GoTime other) => Value < other.Value;
    public bool After(GoTime other) => Value > other.Value;
    public bool Equal(GoTime other) => Value == other.Value;
    public GoTime Add(GoDuration d) => new(Value.AddTicks(d.Nanoseconds / 100), ZoneName);
    public GoDuration Sub(GoTime other) => new((Value.UtcTicks - other.Value.UtcTicks) * 100);

    public int CompareTo(GoTime? other) => other is null ? 1 : Value.CompareTo(other.Value);

    /// <summary>Go's <c>Time.String()</c>: <c>2006-01-02 15:04:05.999999999 -0700 MST</c>.</summary>
    public override string ToString() => Format("2006-01-02 15:04:05.999999999 -0700 MST");

    public string String() => ToString();

    /// <summary>Formats with a Go reference layout (<c>Mon Jan 2 15:04:05 MST 2006</c>).</summary>
    public string Format(string layout)
    {
        var t = Value;
        var sb = new StringBuilder(layout.Length + 10);
        int i = 0;
        while (i < layout.Length)
        {
            var rest = layout.AsSpan(i);
            if (rest.StartsWith("January")) { sb.Append(t.ToString("MMMM", Inv)); i += 7; }
            else if (rest.StartsWith("Jan")) { sb.Append(t.ToString("MMM", Inv)); i += 3; }
            else if (rest.StartsWith("Monday")) { sb.Append(t.DayOfWeek.ToString()); i += 6; }
            else if (rest.StartsWith("Mon")) { sb.Append(t.DayOfWeek.ToString()[..3]); i += 3; }
            else if (rest.StartsWith("MST")) { sb.Append(ZoneName); i += 3; }
            else if (rest.StartsWith("2006")) { sb.Append(t.Year.ToString("0000", Inv)); i += 4; }
            else if (rest.StartsWith("002")) { sb.Append(t.DayOfYear.ToString("000", Inv)); i += 3; }
            else if (rest.StartsWith("01")) { sb.Append(t.Month.ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("02")) { sb.Append(t.Day.ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("03")) { sb.Append(Hour12(t).ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("04")) { sb.Append(t.Minute.ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("05")) { sb.Append(t.Second.ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("06")) { sb.Append((t.Year % 100).ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("_2")) { sb.Append(t.Day.ToString(Inv).PadLeft(2)); i += 2; }
            else if (rest.StartsWith("15")) { sb.Append(t.Hour.ToString("00", Inv)); i += 2; }
            else if (rest.StartsWith("-07:00:00")) { AppendOffset(sb, t.Offset, ":", true, false); i += 9; }
            else if (rest.StartsWith("-070000")) { AppendOffset(sb, t.Offset, "", true, false); i += 7; }
            else if (rest.StartsWith("-07:00")) { AppendOffset(sb, t.Offset, ":", false, false); i += 6; }
            else if (rest.StartsWith("-0700")) { AppendOffset(sb, t.Offset, "", false, false); i += 5; }
            else if (rest.StartsWith("-07")) { AppendOffset(sb, t.Offset, null, false, false); i += 3; }
            else if (rest.StartsWith("Z07:00")) { AppendOffset(sb, t.Offset, ":", false, true); i += 6; }
            else if (rest.StartsWith("Z0700")) { AppendOffset(sb, t.Offset, "", false, true); i += 5; }
            else if (rest.StartsWith("Z07")) { AppendOffset(sb, t.Offset, null, false, true); i += 3; }
            else if (rest.StartsWith("PM")) { sb.Append(t.Hour >= 12 ? "PM" : "AM"); i += 2; }
            else if (rest.StartsWith("pm")) { sb.Append(t.Hour >= 12 ? "pm" : "am"); i += 2; }
            else if ((rest[0] == '.' || rest[0] == ',') && rest.Length > 1 && (rest[1] == '0' || rest[1] == '9') && FracLen(rest, out int n) && !(rest.Length > n + 1 && char.IsAsciiDigit(rest[n + 1])))
            {
                long nanos = (t.Ticks % TimeSpan.TicksPerSecond) * 100;
                var digits = nanos.ToString("000000000", Inv)[..Math.Min(n, 9)];
                if (rest[1] == '9')
                {
                    digits = digits.TrimEnd('0');
                    if (digits.Length > 0) sb.Append(rest[0]).Append(digits);
                }
                else sb.Append(rest[0]).Append(digits.PadRight(n, '0'));
                i += n + 1;
            }
            else if (rest[0] == '1') { sb.Append(t.Month.ToString(Inv)); i++; }
            else if (rest[0] == '2') { sb.Append(t.Day.ToString(Inv)); i++; }
            else if (rest[0] == '3') { sb.Append(Hour12(t).ToString(Inv)); i++; }
            else if (rest[0] == '4') { sb.Append(t.Minute.ToString(Inv)); i++; }
            else if (rest[0] == '5') { sb.Append(t.Second.ToString(Inv)); i++; }
            else { sb.Append(rest[0]); i++; }
        }
        return sb.ToString();
    }

    private static bool FracLen(ReadOnlySpan<char> rest, out int n)
    {
        char d = rest[1];
        n = 1;
        while (n < rest.Length && rest[n] == d) n++;
        n--;
        return n > 0;
    }

    private static int Hour12(DateTimeOffset t)
    {
        int h = t.Hour % 12;
        return h == 0 ? 12 : h;
    }

    private static void AppendOffset(StringBuilder sb, TimeSpan off, string? sep, bool seconds, bool z)
    {
        if (z && off == TimeSpan.Zero) { sb.Append('Z'); return; }
        sb.Append(off < TimeSpan.Zero ? '-' : '+');
        off = off.Duration();
        sb.Append(off.Hours.ToString("00", Inv));
        if (sep is null) return;
        sb.Append(sep).Append(off.Minutes.ToString("00", Inv));
        if (seconds) sb.Append(sep).Append(off.Seconds.ToString("00", Inv));
    }
}

/// <summary>A span of time as templates see Go's <c>time.Duration</c>, printed as Go does (<c>1h2m0.01s</c>). Immutable.</summary>
public readonly record struct GoDuration(long Nanoseconds) : IComparable<GoDuration>
{
    public static GoDuration FromTimeSpan(TimeSpan t) => new(t.Ticks * 100);

    public double Seconds() => Nanoseconds / 1e9;
    public double Minutes() => Nanoseconds / 6e10;
    public double Hours() => Nanoseconds / 3.6e12;
    public long Milliseconds() => Nanoseconds / 1_000_000;

    public int CompareTo(GoDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public string String() => ToString();

    /// <summary>Go's <c>Duration.String()</c>.</summary>
    public override string ToString()
    {
        long d = Nanoseconds;
        if (d == 0) return "0s";
        bool neg = d < 0;
        ulong u = neg ? (ulong)(-(d + 1)) + 1 : (ulong)d;
        var sb = new StringBuilder();
        if (u < 1_000_000_000UL)
        {
            string unit;
            int prec;
            if (u < 1_000UL) { unit = "ns"; prec = 0; }
            else if (u < 1_000_000UL) { unit = "µs"; prec = 3; }
            else { unit = "ms"; prec = 6; }
            sb.Append(Frac(u, prec)).Append(unit);
        }
        else
        {
            ulong secsTotal = u / 1_000_000_000UL;
            ulong nanos = u % 1_000_000_000UL;
            ulong h = secsTotal / 3600, m = secsTotal / 60 % 60, s = secsTotal % 60;
            if (h > 0) sb.Append(h).Append('h');
            if (h > 0 || m > 0) sb.Append(m).Append('m');
            sb.Append(Frac(s * 1_000_000_000UL + nanos, 9)).Append('s');
        }
        return neg ? "-" + sb : sb.ToString();
    }

    private static string Frac(ulong v, int prec)
    {
        if (prec == 0) return v.ToString(CultureInfo.InvariantCulture);
        ulong pow = 1;
        for (int i = 0; i < prec; i++) pow *= 10;
        ulong whole = v / pow, frac = v % pow;
        if (frac == 0) return whole.ToString(CultureInfo.InvariantCulture);
        return whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString(new string('0', prec), CultureInfo.InvariantCulture).TrimEnd('0');
    }
}
