namespace Portal.Tsdb.Head;

/// <summary>A closed time interval [MinT, MaxT] in milliseconds, as a tombstone records deleted samples.</summary>
public readonly record struct Interval(long MinT, long MaxT)
{
    public bool Contains(long t) => t >= MinT && t <= MaxT;
}

/// <summary>Helpers over sorted, non-overlapping interval arrays. Pure functions, thread-safe.</summary>
public static class IntervalOps
{
    /// <summary>Adds <paramref name="add"/> to <paramref name="list"/>, merging overlapping or adjacent intervals. Returns a new array.</summary>
    public static Interval[] Add(Interval[]? list, Interval add)
    {
        var result = new List<Interval>((list?.Length ?? 0) + 1);
        bool placed = false;
        foreach (var iv in list ?? [])
        {
            if (placed) { Merge(result, iv); continue; }
            if (iv.MinT > add.MinT) { Merge(result, add); placed = true; }
            Merge(result, iv);
        }
        if (!placed) Merge(result, add);
        return result.ToArray();
    }

    private static void Merge(List<Interval> list, Interval iv)
    {
        if (list.Count > 0)
        {
            var last = list[^1];
            if (iv.MinT <= (last.MaxT == long.MaxValue ? long.MaxValue : last.MaxT + 1))
            {
                list[^1] = new Interval(last.MinT, Math.Max(last.MaxT, iv.MaxT));
                return;
            }
        }
        list.Add(iv);
    }

    public static bool IsDeleted(Interval[]? list, long t)
    {
        if (list is null) return false;
        foreach (var iv in list)
        {
            if (t < iv.MinT) return false;
            if (t <= iv.MaxT) return true;
        }
        return false;
    }

    public static bool Overlaps(Interval[]? list, long mint, long maxt)
    {
        if (list is null) return false;
        foreach (var iv in list)
            if (iv.MinT <= maxt && iv.MaxT >= mint) return true;
        return false;
    }

    /// <summary>True when [mint,maxt] lies wholly inside one interval.</summary>
    public static bool Covers(Interval[]? list, long mint, long maxt)
    {
        if (list is null) return false;
        foreach (var iv in list)
            if (iv.MinT <= mint && iv.MaxT >= maxt) return true;
        return false;
    }
}
