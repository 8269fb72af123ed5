using System.Globalization;
using System.Text;
using Portal.Model;

namespace Portal.Alerting;

/// <summary>
/// One alert as the Alertmanager holds it: labels (its identity), annotations, when it started and ends,
/// and when it was last updated. Immutable; "changes" produce new instances with <c>with</c>, so instances
/// are safe to share between threads. A zero <see cref="EndsAt"/> (<c>default</c>) means "no end known".
/// </summary>
public sealed record Alert
{
    public required Labels Labels { get; init; }
    public Labels Annotations { get; init; } = Labels.Empty;
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string GeneratorUrl { get; init; } = "";

    /// <summary>True when <see cref="EndsAt"/> was set by the Alertmanager (resolve_timeout), not by the sender.</summary>
    public bool Timeout { get; init; }

    /// <summary>The alert's identity: <see cref="Fingerprints.Of"/> of its labels.</summary>
    public ulong Fingerprint => Fingerprints.Of(Labels);

    /// <summary>Resolved at <paramref name="t"/>: it has an end and the end is not after <paramref name="t"/>.</summary>
    public bool ResolvedAt(DateTimeOffset t) => EndsAt != default && EndsAt <= t;

    /// <summary>"firing" or "resolved" at <paramref name="t"/>.</summary>
    public string StatusAt(DateTimeOffset t) => ResolvedAt(t) ? "resolved" : "firing";

    /// <summary>
    /// Merges this alert with a newer report of the same alert, as Alertmanager does: the later update wins, the
    /// earliest start is kept, and an explicit (non-timeout) later end is kept.
    /// </summary>
    public Alert Merge(Alert other, DateTimeOffset now)
    {
        if (other.UpdatedAt < UpdatedAt) return other.Merge(this, now);
        var res = other;
        if (StartsAt < other.StartsAt) res = res with { StartsAt = StartsAt };
        if (other.ResolvedAt(now))
        {
            if (ResolvedAt(now) && EndsAt > other.EndsAt) res = res with { EndsAt = EndsAt };
        }
        else if (EndsAt > other.EndsAt && !Timeout)
        {
            res = res with { EndsAt = EndsAt };
        }
        return res;
    }
}

/// <summary>Alertmanager's label-set fingerprints (FNV-1a 64 over sorted name/value pairs separated by 0xff) and label-set text.</summary>
public static class Fingerprints
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>The fingerprint of a label set, equal to Prometheus common's <c>LabelSet.Fingerprint()</c>.</summary>
    public static ulong Of(Labels labels)
    {
        ulong h = Offset;
        Span<byte> buf = stackalloc byte[256];
        foreach (var l in labels.AsSpan())
        {
            h = Add(h, l.Name, buf);
            h = (h ^ 0xff) * Prime;
            h = Add(h, l.Value, buf);
            h = (h ^ 0xff) * Prime;
        }
        return h;
    }

    private static ulong Add(ulong h, string s, Span<byte> buf)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        var bytes = max <= buf.Length ? buf : new byte[max];
        int n = Encoding.UTF8.GetBytes(s, bytes);
        for (int i = 0; i < n; i++) h = (h ^ bytes[i]) * Prime;
        return h;
    }

    /// <summary>A fingerprint as Alertmanager prints it: 16 lower-case hex digits.</summary>
    public static string ToHex(ulong fp) => fp.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>A label set as Go's <c>model.LabelSet.String()</c> prints it: <c>{a="1", b="2"}</c>.</summary>
    public static string LabelSetString(Labels labels)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < labels.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(labels[i].Name).Append('=');
            GoQuote(sb, labels[i].Value);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Appends <paramref name="s"/> quoted as Go's <c>%q</c> does for printable text.</summary>
    public static void GoQuote(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// Alertmanager's alert order: by <c>job</c>, then <c>instance</c> (alerts having the label first), then by label set.
    /// </summary>
    public static int CompareAlerts(Alert a, Alert b)
    {
        foreach (var key in OrderKeys)
        {
            int ia = a.Labels.IndexOf(key), ib = b.Labels.IndexOf(key);
            if (ia < 0 && ib < 0) continue;
            if (ia < 0) return 1;
            if (ib < 0) return -1;
            int c = string.CompareOrdinal(a.Labels[ia].Value, b.Labels[ib].Value);
            if (c != 0) return c;
        }
        return CompareLabelSets(a.Labels, b.Labels);
    }

    private static readonly string[] OrderKeys = ["job", "instance"];

    /// <summary>Go's <c>LabelSet.Before</c>: smaller sets first; then over the sorted union of names, a missing name or a smaller value first.</summary>
    public static int CompareLabelSets(Labels a, Labels b)
    {
        if (a.Count != b.Count) return a.Count.CompareTo(b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            if (i >= a.Count) return -1;
            if (j >= b.Count) return 1;
            int c = string.CompareOrdinal(a[i].Name, b[j].Name);
            if (c < 0) return 1;
            if (c > 0) return -1;
            c = string.CompareOrdinal(a[i].Value, b[j].Value);
            if (c != 0) return c;
            i++;
            j++;
        }
        return 0;
    }

    /// <summary>Formats a time as Go's RFC3339Nano (UTC, trailing zeros trimmed); the zero time as <c>0001-01-01T00:00:00Z</c>.</summary>
    public static string Rfc3339Nano(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        var s = u.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        long frac = u.Ticks % TimeSpan.TicksPerSecond;
        if (frac != 0) s += "." + (frac * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return s + "Z";
    }
}
