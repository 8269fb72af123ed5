namespace Portal.Web.Components.Shared;

/// <summary>What happened to one line between two texts.</summary>
public enum DiffKind
{
    Same,
    Removed,
    Added,
}

/// <summary>One line of a diff with its 1-based line number in the old and/or new text (0 where absent).</summary>
public readonly record struct DiffLine(DiffKind Kind, string Text, int OldLine, int NewLine);

/// <summary>
/// A line diff by longest common subsequence (with the common head and tail trimmed first, so typical
/// edits of configuration files cost little). Stateless, thread-safe.
/// </summary>
public static class LineDiff
{
    /// <summary>Above this many differing lines on each side the middle is shown as removed-then-added instead of aligned.</summary>
    public const int MaxAlignedLines = 4000;

    public static IReadOnlyList<DiffLine> Compute(string? oldText, string? newText)
    {
        var a = Split(oldText);
        var b = Split(newText);
        int head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head]) head++;
        int tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail]) tail++;

        var result = new List<DiffLine>(Math.Max(a.Length, b.Length) + 8);
        for (int i = 0; i < head; i++) result.Add(new(DiffKind.Same, a[i], i + 1, i + 1));

        int n = a.Length - head - tail, m = b.Length - head - tail;
        if (n > MaxAlignedLines || m > MaxAlignedLines)
        {
            for (int i = 0; i < n; i++) result.Add(new(DiffKind.Removed, a[head + i], head + i + 1, 0));
            for (int j = 0; j < m; j++) result.Add(new(DiffKind.Added, b[head + j], 0, head + j + 1));
        }
        else
        {
            // lcs[i, j] = length of the LCS of a[head+i..] and b[head+j..] within the middle part.
            var lcs = new int[n + 1, m + 1];
            for (int i = n - 1; i >= 0; i--)
                for (int j = m - 1; j >= 0; j--)
                    lcs[i, j] = a[head + i] == b[head + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[head + x] == b[head + y])
                {
                    result.Add(new(DiffKind.Same, a[head + x], head + x + 1, head + y + 1));
                    x++; y++;
                }
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
                {
                    result.Add(new(DiffKind.Removed, a[head + x], head + x + 1, 0));
                    x++;
                }
                else
                {
                    result.Add(new(DiffKind.Added, b[head + y], 0, head + y + 1));
                    y++;
                }
            }
        }
        for (int k = tail; k > 0; k--)
            result.Add(new(DiffKind.Same, a[a.Length - k], a.Length - k + 1, b.Length - k + 1));
        return result;
    }

    /// <summary>True when the diff has any added or removed line.</summary>
    public static bool HasChanges(IReadOnlyList<DiffLine> diff)
    {
        foreach (var d in diff) if (d.Kind != DiffKind.Same) return true;
        return false;
    }

    private static string[] Split(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }
}
