using System.Numerics;

namespace Portal.Benchmarks;

/// <summary>
/// How many bits a chunk's values take in Prometheus's XOR encoding, as its encoder writes them and with the best
/// choice of windows any encoder of the same format could make. After the first value (64 bits raw) each value is
/// XORed with the previous: 0 costs 1 bit; otherwise the encoder either reuses the current window of meaningful bits
/// ('10' + the window's bits, possible when the XOR's leading and trailing zeros are at least the window's) or opens
/// a new one ('11', 5 bits of leading zeros (at most 31), 6 of length, then the bits). Prometheus reuses whenever it
/// can and opens the tightest window otherwise; an optimal encoder may open a new window when it could reuse, and make
/// it wider than needed so later values fit. Any such choice decodes with the standard decoder, so the optimum is the
/// floor for this data in this format.
/// </summary>
internal static class XorWindowBound
{
    /// <summary>Value bits of one chunk (<paramref name="values"/> as IEEE bits, in order): as written and optimal.</summary>
    public static (long Written, long Best) ValueBits(ReadOnlySpan<ulong> values)
    {
        if (values.IsEmpty) return (0, 0);
        long written = 64;
        int wl = -1, wt = -1;
        var leading = new List<int>();
        var trailing = new List<int>();
        for (int i = 1; i < values.Length; i++)
        {
            ulong x = values[i] ^ values[i - 1];
            if (x == 0) { written++; continue; }
            int l = Math.Min(BitOperations.LeadingZeroCount(x), 31), t = BitOperations.TrailingZeroCount(x);
            leading.Add(l);
            trailing.Add(t);
            if (wl >= 0 && l >= wl && t >= wt) written += 2 + 64 - wl - wt;
            else
            {
                written += 13 + 64 - l - t;
                wl = l;
                wt = t;
            }
        }
        return (written, Optimal(values, leading.Distinct().Order().ToArray(), trailing.Distinct().Order().ToArray()));
    }

    /// <summary>
    /// Dynamic programming over the window in force: a window worth considering has the leading zeros of some XOR of
    /// the chunk and the trailing zeros of some XOR, so the states are those pairs plus "no window yet".
    /// </summary>
    private static long Optimal(ReadOnlySpan<ulong> values, int[] ls, int[] ts)
    {
        const long Inf = long.MaxValue / 4;
        int n = ls.Length * ts.Length;
        var cur = new long[n];
        var next = new long[n];
        Array.Fill(cur, Inf);
        long none = 64;
        for (int i = 1; i < values.Length; i++)
        {
            ulong x = values[i] ^ values[i - 1];
            if (x == 0)
            {
                none = none >= Inf ? Inf : none + 1;
                for (int k = 0; k < n; k++) if (cur[k] < Inf) cur[k]++;
                continue;
            }
            int l = Math.Min(BitOperations.LeadingZeroCount(x), 31), t = BitOperations.TrailingZeroCount(x);
            long best = none;
            for (int k = 0; k < n; k++) best = Math.Min(best, cur[k]);
            for (int a = 0; a < ls.Length; a++)
                for (int b = 0; b < ts.Length; b++)
                {
                    int k = a * ts.Length + b;
                    if (ls[a] > l || ts[b] > t)
                    {
                        next[k] = Inf;
                        continue;
                    }
                    int sig = 64 - ls[a] - ts[b];
                    long reuse = cur[k] < Inf ? cur[k] + 2 + sig : Inf;
                    next[k] = Math.Min(reuse, best + 13 + sig);
                }
            none = Inf;
            (cur, next) = (next, cur);
        }
        long result = none;
        foreach (var c in cur) result = Math.Min(result, c);
        return result;
    }
}
