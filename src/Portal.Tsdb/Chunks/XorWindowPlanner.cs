using System.Buffers;
using System.Numerics;

namespace Portal.Tsdb.Chunks;

/// <summary>
/// The window of meaningful bits a value's XOR with the previous value is written in: <see cref="Leading"/> zero
/// bits above it (at most 31, the format's 5 bits) and <see cref="Trailing"/> below it.
/// </summary>
public readonly record struct XorWindow(byte Leading, byte Trailing)
{
    /// <summary>Bits the window holds: what writing one value in it costs beyond its control bits.</summary>
    public int Width => 64 - Leading - Trailing;
}

/// <summary>
/// Chooses the windows of a chunk's values so that they take the fewest bits Prometheus's XOR format allows. After the
/// first value each value is XORed with the previous one: 0 costs 1 bit; otherwise it is written in the current
/// window ('10' + the window's bits, possible when the XOR's leading and trailing zeros are at least the window's) or
/// in a newly opened one ('11', 5 bits of leading zeros, 6 of width, then the bits). Prometheus's encoder reuses the
/// window whenever it can and otherwise opens the tightest one, so a wide window opened once (a jump, a staleness
/// marker) is kept for every later value that fits, however narrow. Here the choice is a dynamic program over the
/// window in force: worth considering are windows whose leading zeros are those of some XOR of the chunk and whose
/// trailing zeros are those of some XOR, so the states are those pairs. Any plan decodes with the standard decoder.
/// Cost: values × states (states ≤ 32 × 64, typically tens); used where chunks are written once, into blocks.
/// Thread-safe (stateless).
/// </summary>
public static class XorWindowPlanner
{
    private const long Unreachable = long.MaxValue / 4;

    /// <summary>Largest plan (changes × states) worked out; beyond it (very long chunks of very varied values) Prometheus's rule is used.</summary>
    private const long MaxPlanCells = 1 << 22;

    /// <summary>
    /// Fills <paramref name="windows"/>[i] for every i ≥ 1 whose value differs from value i − 1 (the others are not
    /// read) and returns the bits all values then take, the first value's 64 included.
    /// </summary>
    public static long Plan(ReadOnlySpan<ulong> values, Span<XorWindow> windows)
    {
        if (windows.Length < values.Length) throw new ArgumentException("one window per value is needed", nameof(windows));
        if (values.IsEmpty) return 0;
        Span<bool> seenLeading = stackalloc bool[32];
        Span<bool> seenTrailing = stackalloc bool[64];
        int changes = 0;
        for (int i = 1; i < values.Length; i++)
        {
            ulong x = values[i] ^ values[i - 1];
            if (x == 0) continue;
            changes++;
            seenLeading[Math.Min(BitOperations.LeadingZeroCount(x), 31)] = true;
            seenTrailing[BitOperations.TrailingZeroCount(x)] = true;
        }
        long bits = 64 + (values.Length - 1 - changes);
        if (changes == 0) return bits;

        Span<byte> ls = stackalloc byte[32];
        Span<byte> ts = stackalloc byte[64];
        int nl = 0, nt = 0;
        for (int i = 0; i < 32; i++) if (seenLeading[i]) ls[nl++] = (byte)i;
        for (int i = 0; i < 64; i++) if (seenTrailing[i]) ts[nt++] = (byte)i;
        int states = nl * nt;
        if ((long)changes * states > MaxPlanCells) return PlanLikePrometheus(values, windows);
        Span<byte> fitL = stackalloc byte[32]; // candidates of leading zeros ≤ l
        Span<byte> fitT = stackalloc byte[64]; // candidates of trailing zeros ≤ t
        for (int i = 0, n = 0; i < 32; i++) fitL[i] = (byte)(n += seenLeading[i] ? 1 : 0);
        for (int i = 0, n = 0; i < 64; i++) fitT[i] = (byte)(n += seenTrailing[i] ? 1 : 0);

        // cost[k]: fewest bits of the changes so far ending with state k = a × nt + b (window ls[a], ts[b]) in force.
        // reused[s * states + k]: whether the best way to be in k at change s kept k from change s − 1 (else it was
        // opened after the best state of change s − 1, which is bestBefore[s]; −1 = before any window).
        var pool = ArrayPool<long>.Shared;
        long[] cost = pool.Rent(states), next = pool.Rent(states);
        int[] bestBefore = ArrayPool<int>.Shared.Rent(changes);
        bool[] reused = ArrayPool<bool>.Shared.Rent(changes * states);
        int[] changeAt = ArrayPool<int>.Shared.Rent(changes);
        try
        {
            long best = 0;
            int bestState = -1;
            int s = 0, prevNa = 0, prevNb = 0;
            for (int i = 1; i < values.Length; i++)
            {
                ulong x = values[i] ^ values[i - 1];
                if (x == 0) continue;
                int l = Math.Min(BitOperations.LeadingZeroCount(x), 31), t = BitOperations.TrailingZeroCount(x);
                changeAt[s] = i;
                bestBefore[s] = bestState;
                long openBase = best + 13;
                long nextBest = Unreachable;
                int nextBestState = -1;
                int row = s * states;
                // The windows holding this XOR are the rectangle a < fitL[l], b < fitT[t] of the sorted candidates; those
                // in force after the previous change (the previous rectangle) may be reused, the rest only opened.
                int na = fitL[l], nb = fitT[t];
                for (int a = 0; a < na; a++)
                {
                    int k = a * nt;
                    int rowWidth = 64 - ls[a];
                    int reachable = a < prevNa ? Math.Min(nb, prevNb) : 0;
                    int b = 0;
                    for (; b < reachable; b++, k++)
                    {
                        int width = rowWidth - ts[b];
                        long reuse = cost[k] + 2 + width, open = openBase + width;
                        bool keep = reuse <= open;
                        long c = keep ? reuse : open;
                        next[k] = c;
                        reused[row + k] = keep;
                        if (c < nextBest) { nextBest = c; nextBestState = k; }
                    }
                    for (; b < nb; b++, k++)
                    {
                        long c = openBase + rowWidth - ts[b];
                        next[k] = c;
                        reused[row + k] = false;
                        if (c < nextBest) { nextBest = c; nextBestState = k; }
                    }
                }
                prevNa = na;
                prevNb = nb;
                (cost, next) = (next, cost);
                best = nextBest;
                bestState = nextBestState;
                s++;
            }

            int state = bestState;
            for (s = changes - 1; s >= 0; s--)
            {
                windows[changeAt[s]] = new XorWindow(ls[state / nt], ts[state % nt]);
                if (!reused[s * states + state]) state = bestBefore[s];
            }
            return bits + best;
        }
        finally
        {
            pool.Return(cost);
            pool.Return(next);
            ArrayPool<int>.Shared.Return(bestBefore);
            ArrayPool<bool>.Shared.Return(reused);
            ArrayPool<int>.Shared.Return(changeAt);
        }
    }

    /// <summary>
    /// Fills <paramref name="windows"/> as Prometheus's encoder chooses them (reuse whenever the XOR fits, else the
    /// tightest window) and returns the bits the values then take, the first value's 64 included.
    /// </summary>
    public static long PlanLikePrometheus(ReadOnlySpan<ulong> values, Span<XorWindow> windows)
    {
        if (values.IsEmpty) return 0;
        long bits = 64;
        var window = new XorWindow(0xff, 0);
        for (int i = 1; i < values.Length; i++)
        {
            ulong x = values[i] ^ values[i - 1];
            if (x == 0) { bits++; continue; }
            int l = Math.Min(BitOperations.LeadingZeroCount(x), 31), t = BitOperations.TrailingZeroCount(x);
            if (window.Leading != 0xff && l >= window.Leading && t >= window.Trailing) bits += 2 + window.Width;
            else
            {
                window = new XorWindow((byte)l, (byte)t);
                bits += 13 + window.Width;
            }
            windows[i] = window;
        }
        return bits;
    }
}
