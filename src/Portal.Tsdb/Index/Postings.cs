namespace Portal.Tsdb.Index;

/// <summary>Operations on sorted, duplicate-free arrays of series refs. Thread-safe (pure functions).</summary>
public static class PostingsOps
{
    public static readonly int[] Empty = [];

    /// <summary>Refs present in every list. Starts from the shortest and gallops through the others.</summary>
    public static int[] Intersect(List<int[]> lists)
    {
        if (lists.Count == 0) return Empty;
        if (lists.Count == 1) return lists[0];
        lists.Sort((a, b) => a.Length.CompareTo(b.Length));
        int[] cur = lists[0];
        for (int i = 1; i < lists.Count && cur.Length > 0; i++) cur = Intersect(cur, lists[i]);
        return cur;
    }

    public static int[] Intersect(int[] a, int[] b)
    {
        if (a.Length == 0 || b.Length == 0) return Empty;
        if (a.Length > b.Length) (a, b) = (b, a);
        var result = new int[a.Length];
        int n = 0, j = 0;
        bool gallop = b.Length > a.Length * 16;
        for (int i = 0; i < a.Length && j < b.Length; i++)
        {
            int x = a[i];
            if (gallop)
            {
                int idx = Array.BinarySearch(b, j, b.Length - j, x);
                if (idx >= 0) { result[n++] = x; j = idx + 1; }
                else j = ~idx;
            }
            else
            {
                while (j < b.Length && b[j] < x) j++;
                if (j < b.Length && b[j] == x) { result[n++] = x; j++; }
            }
        }
        if (n == result.Length) return result;
        Array.Resize(ref result, n);
        return result;
    }

    /// <summary>Refs present in any list (k-way merge via pairwise merging).</summary>
    public static int[] Union(List<int[]> lists)
    {
        if (lists.Count == 0) return Empty;
        if (lists.Count == 1) return lists[0];
        var work = new List<int[]>(lists);
        while (work.Count > 1)
        {
            var next = new List<int[]>((work.Count + 1) / 2);
            for (int i = 0; i < work.Count; i += 2)
                next.Add(i + 1 < work.Count ? Union(work[i], work[i + 1]) : work[i]);
            work = next;
        }
        return work[0];
    }

    public static int[] Union(int[] a, int[] b)
    {
        if (a.Length == 0) return b;
        if (b.Length == 0) return a;
        var result = new int[a.Length + b.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) result[n++] = a[i++];
            else if (a[i] > b[j]) result[n++] = b[j++];
            else { result[n++] = a[i++]; j++; }
        }
        while (i < a.Length) result[n++] = a[i++];
        while (j < b.Length) result[n++] = b[j++];
        Array.Resize(ref result, n);
        return result;
    }

    /// <summary>Refs of <paramref name="a"/> not in <paramref name="b"/>.</summary>
    public static int[] Without(int[] a, int[] b)
    {
        if (a.Length == 0 || b.Length == 0) return a;
        var result = new int[a.Length];
        int n = 0, j = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int x = a[i];
            while (j < b.Length && b[j] < x) j++;
            if (j < b.Length && b[j] == x) continue;
            result[n++] = x;
        }
        Array.Resize(ref result, n);
        return result;
    }
}

/// <summary>The index operations queries need, implemented by the head and by persisted blocks.</summary>
public interface IIndexSource
{
    /// <summary>Sorted label names.</summary>
    IReadOnlyList<string> LabelNames();

    /// <summary>Sorted values of a label name.</summary>
    IReadOnlyList<string> LabelValues(string name);

    /// <summary>Sorted refs of series with <c>name="value"</c>.</summary>
    int[] Postings(string name, string value);

    /// <summary>Sorted refs of every series.</summary>
    int[] AllPostings();

    /// <summary>
    /// Sorted refs of the series whose value of <paramref name="name"/> satisfies <paramref name="keep"/> (the union
    /// of those values' postings). Values are visited in no particular order; sources with many values override this
    /// to avoid sorting them.
    /// </summary>
    int[] PostingsForValues(string name, Func<string, bool> keep)
    {
        var lists = new List<int[]>();
        foreach (var v in LabelValues(name))
            if (keep(v)) lists.Add(Postings(name, v));
        return PostingsOps.Union(lists);
    }
}

/// <summary>Resolves label matchers to postings, with Prometheus's handling of matchers that match the empty string.</summary>
public static class PostingsForMatchers
{
    public static int[] Resolve(IIndexSource ix, IReadOnlyList<Portal.Model.Matcher> ms)
    {
        var its = new List<int[]>();
        var notIts = new List<int[]>();
        var mustBeSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in ms)
            if (!m.MatchesEmpty) mustBeSet.Add(m.Name);
        bool anyAll = false;
        foreach (var m in ms)
        {
            if (m.Name.Length == 0 && m.Value.Length == 0) { its.Add(ix.AllPostings()); anyAll = true; continue; }
            if (mustBeSet.Contains(m.Name))
            {
                bool isNot = m.Type is Portal.Model.MatchType.NotEqual or Portal.Model.MatchType.NotRegex;
                bool matchesEmpty = m.MatchesEmpty;
                if (isNot && matchesEmpty) notIts.Add(ForMatcher(ix, Inverse(m)));
                else if (isNot && !matchesEmpty) its.Add(InverseForMatcher(ix, Inverse(m)));
                else its.Add(ForMatcher(ix, m));
            }
            else
            {
                notIts.Add(InverseForMatcher(ix, m));
            }
        }
        if (its.Count == 0)
        {
            if (notIts.Count == 0 && !anyAll) return ix.AllPostings();
            its.Add(ix.AllPostings());
        }
        var result = PostingsOps.Intersect(its);
        foreach (var n in notIts)
        {
            if (result.Length == 0) break;
            result = PostingsOps.Without(result, n);
        }
        return result;
    }

    private static Portal.Model.Matcher Inverse(Portal.Model.Matcher m) => m.Type switch
    {
        Portal.Model.MatchType.Equal => new(Portal.Model.MatchType.NotEqual, m.Name, m.Value),
        Portal.Model.MatchType.NotEqual => new(Portal.Model.MatchType.Equal, m.Name, m.Value),
        Portal.Model.MatchType.Regex => new(Portal.Model.MatchType.NotRegex, m.Name, m.Value),
        _ => new(Portal.Model.MatchType.Regex, m.Name, m.Value),
    };

    /// <summary>Union of postings of values of m.Name that m matches.</summary>
    private static int[] ForMatcher(IIndexSource ix, Portal.Model.Matcher m)
    {
        if (m.Type == Portal.Model.MatchType.Equal) return ix.Postings(m.Name, m.Value);
        var set = m.SetMatches;
        if (set is not null)
        {
            var lists = new List<int[]>(set.Count);
            foreach (var v in set)
            {
                var p = ix.Postings(m.Name, v);
                if (p.Length > 0) lists.Add(p);
            }
            return PostingsOps.Union(lists);
        }
        return ix.PostingsForValues(m.Name, m.Matches);
    }

    /// <summary>Union of postings of values of m.Name that m does not match.</summary>
    private static int[] InverseForMatcher(IIndexSource ix, Portal.Model.Matcher m) =>
        ix.PostingsForValues(m.Name, v => !m.Matches(v));
}
