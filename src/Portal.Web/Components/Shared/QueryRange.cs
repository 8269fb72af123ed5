using System.Globalization;
using Portal.Model;

namespace Portal.Web.Components.Shared;

/// <summary>
/// A graph's time range: a relative one ending now (<c>5m</c>, <c>1h</c>, <c>7d</c>, …) or an absolute
/// one (<c>start~end</c> as Unix seconds in URLs). Immutable.
/// </summary>
public sealed record QueryRange(string? Relative, DateTimeOffset? AbsStart, DateTimeOffset? AbsEnd)
{
    /// <summary>Choices offered in the picker.</summary>
    public static readonly IReadOnlyList<string> Presets = ["5m", "15m", "1h", "6h", "24h", "7d"];

    /// <summary>Points per series the automatic step aims for.</summary>
    public const int TargetPoints = 250;

    /// <summary>Prometheus refuses range queries of more than this many points per series.</summary>
    public const int MaxPoints = 11_000;

    public static QueryRange Default { get; } = new("1h", null, null);

    public bool IsAbsolute => Relative is null;

    /// <summary>Start and end (milliseconds) as of <paramref name="now"/>.</summary>
    public (long StartMs, long EndMs) Resolve(DateTimeOffset now)
    {
        if (Relative is not null)
        {
            long end = now.ToUnixTimeMilliseconds();
            return (end - PromDuration.Parse(Relative), end);
        }
        return (AbsStart!.Value.ToUnixTimeMilliseconds(), AbsEnd!.Value.ToUnixTimeMilliseconds());
    }

    /// <summary>The URL form: the preset (<c>1h</c>) or <c>start~end</c> in Unix seconds.</summary>
    public string ToQueryString() => Relative ??
        string.Create(CultureInfo.InvariantCulture, $"{AbsStart!.Value.ToUnixTimeSeconds()}~{AbsEnd!.Value.ToUnixTimeSeconds()}");

    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds(), MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>Reads the URL form; null when it is neither a positive duration nor an ordered <c>start~end</c>.</summary>
    public static QueryRange? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        int sep = text.IndexOf('~');
        if (sep > 0)
        {
            if (!long.TryParse(text.AsSpan(0, sep), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ||
                !long.TryParse(text.AsSpan(sep + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) || e <= s
                || s < MinUnixSeconds || e > MaxUnixSeconds)
                return null;
            return Absolute(DateTimeOffset.FromUnixTimeSeconds(s), DateTimeOffset.FromUnixTimeSeconds(e));
        }
        return PromDuration.TryParse(text, out var ms, out _) && ms > 0 ? new QueryRange(text, null, null) : null;
    }

    public static QueryRange Absolute(DateTimeOffset start, DateTimeOffset end) =>
        end <= start ? throw new ArgumentException("the end must be after the start") : new(null, start, end);

    /// <summary>
    /// The step for a range of <paramref name="rangeMs"/>: <paramref name="requestedMs"/> when given, else
    /// range / 250 rounded down to whole seconds, at least 1 s; then raised so the query stays within
    /// <see cref="MaxPoints"/> points per series.
    /// </summary>
    public static long StepMs(long rangeMs, long? requestedMs = null)
    {
        long step = requestedMs is > 0 ? requestedMs.Value : Math.Max(1000, rangeMs / TargetPoints / 1000 * 1000);
        long min = (rangeMs + MaxPoints - 1) / MaxPoints;
        return Math.Max(step, min);
    }
}
