using System.Globalization;
using Portal.Config.Alertmanager;

namespace Portal.Alerting;

/// <summary>
/// Named time intervals (<c>time_intervals</c> and <c>mute_time_intervals</c>) compiled for evaluation, with
/// Alertmanager's semantics: a spec contains an instant when every field it sets contains it (times are
/// [start, end) in minutes of the day, days of month may count from the end, ranges are inclusive).
/// Immutable; thread-safe.
/// </summary>
public sealed class TimeIntervals
{
    private readonly Dictionary<string, List<Spec>> _byName = new(StringComparer.Ordinal);

    public static readonly TimeIntervals Empty = new([]);

    public TimeIntervals(IEnumerable<TimeIntervalSet> sets)
    {
        foreach (var set in sets)
        {
            if (set?.Name is null) continue;
            var specs = new List<Spec>();
            foreach (var t in set.TimeIntervals ?? []) specs.Add(Spec.From(t));
            _byName[set.Name] = specs;
        }
    }

    /// <summary>True when the named interval exists and one of its specs contains <paramref name="t"/>.</summary>
    public bool Contains(string name, DateTimeOffset t)
    {
        if (!_byName.TryGetValue(name, out var specs)) return false;
        foreach (var s in specs)
            if (s.Contains(t)) return true;
        return false;
    }

    /// <summary>True when any of <paramref name="names"/> contains <paramref name="t"/>.</summary>
    public bool AnyContains(IReadOnlyList<string> names, DateTimeOffset t)
    {
        foreach (var n in names)
            if (Contains(n, t)) return true;
        return false;
    }

    private sealed class Spec
    {
        private List<(int Start, int End)>? _times, _weekdays, _days, _months, _years;
        private TimeZoneInfo? _zone;

        public static Spec From(TimeIntervalSpec t)
        {
            var s = new Spec();
            if (t.Times is not null)
            {
                s._times = [];
                foreach (var r in t.Times) s._times.Add((Minutes(r.StartTime), Minutes(r.EndTime)));
            }
            if (t.WeekdayRanges is not null) s._weekdays = Ranges(t.WeekdayRanges, v => Named(v, Weekdays, 0));
            if (t.DaysOfMonth is not null) s._days = Ranges(t.DaysOfMonth, v => int.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            if (t.MonthRanges is not null) s._months = Ranges(t.MonthRanges, v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int m) ? m : Named(v, Months, 1));
            if (t.Years is not null) s._years = Ranges(t.Years, v => int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(t.Location))
                s._zone = t.Location == "Local" ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(t.Location);
            return s;
        }

        private static readonly string[] Weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
        private static readonly string[] Months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

        private static int Named(string v, string[] names, int offset) => Array.IndexOf(names, v.ToLowerInvariant()) + offset;

        private static int Minutes(string? hhmm)
        {
            var p = (hhmm ?? "00:00").Split(':');
            return int.Parse(p[0], CultureInfo.InvariantCulture) * 60 + int.Parse(p[1], CultureInfo.InvariantCulture);
        }

        private static List<(int, int)> Ranges(List<string> items, Func<string, int> parse)
        {
            var list = new List<(int, int)>();
            foreach (var item in items)
            {
                var parts = item.Trim().Split(':');
                int a = parse(parts[0].Trim());
                int b = parts.Length > 1 ? parse(parts[1].Trim()) : a;
                list.Add((a, b));
            }
            return list;
        }

        public bool Contains(DateTimeOffset instant)
        {
            var t = _zone is null ? instant.UtcDateTime : TimeZoneInfo.ConvertTime(instant, _zone).DateTime;
            if (_times is not null)
            {
                int m = t.Hour * 60 + t.Minute;
                if (!In(_times, (s, e) => m >= s && m < e)) return false;
            }
            if (_days is not null)
            {
                int dim = DateTime.DaysInMonth(t.Year, t.Month);
                bool ok = false;
                foreach (var (b0, e0) in _days)
                {
                    int b = b0 < 0 ? dim + b0 + 1 : b0, e = e0 < 0 ? dim + e0 + 1 : e0;
                    if (b > dim) continue;
                    b = Math.Clamp(b, -dim, dim);
                    e = Math.Clamp(e, -dim, dim);
                    if (t.Day >= b && t.Day <= e) { ok = true; break; }
                }
                if (!ok) return false;
            }
            if (_months is not null && !In(_months, (s, e) => t.Month >= s && t.Month <= e)) return false;
            if (_weekdays is not null && !In(_weekdays, (s, e) => (int)t.DayOfWeek >= s && (int)t.DayOfWeek <= e)) return false;
            if (_years is not null && !In(_years, (s, e) => t.Year >= s && t.Year <= e)) return false;
            return true;
        }

        private static bool In(List<(int Start, int End)> ranges, Func<int, int, bool> test)
        {
            foreach (var (s, e) in ranges)
                if (test(s, e)) return true;
            return false;
        }
    }
}
