using System.Diagnostics;
using System.Globalization;
using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;

namespace Portal.Benchmarks;

/// <summary>
/// What chunk length and window choice do to the bytes of real data. Reads every block of the given data directories
/// (the portal's or Prometheus's), joins each series' samples across them, and, per job, encodes them again in chunks of 120,
/// 240, 480 and 960 samples (shared out evenly), once with Prometheus's window rule and once with
/// <see cref="XorWindowPlanner"/>'s windows (with <c>--align</c>, after moving timestamps onto the series' grid as the
/// portal's scrape loops do). Prints chunk bytes per sample as a chunk segment file stores them (length,
/// encoding and CRC around each chunk), the index's chunk entries per sample, and the encoding time per sample.
/// </summary>
internal static class ChunkLengths
{
    public static int Run(string[] args)
    {
        bool align = args.Contains("--align");
        var dirs = args.Where(a => a != "--align").ToArray();
        if (dirs.Length == 0)
        {
            Console.Error.WriteLine("usage: chunk-lengths [--align] DATA_DIR [DATA_DIR...]");
            return 2;
        }
        var series = new Dictionary<Labels, List<Sample>>();
        foreach (var dataDir in dirs)
            foreach (var dir in Directory.GetDirectories(dataDir).Where(d => File.Exists(Path.Combine(d, "meta.json"))).Order(StringComparer.Ordinal))
                ReadBlock(dir, series);
        if (series.Count == 0)
        {
            Console.Error.WriteLine("chunk-lengths: no block with samples found");
            return 1;
        }
        foreach (var job in series.GroupBy(s => s.Key.Get("job")).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var group = job.Select(s => s.Value).ToList();
            long samples = group.Sum(s => (long)s.Count);
            long irregular = group.Sum(Irregular);
            if (align) foreach (var list in group) Align(list);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"job=\"{job.Key}\": {group.Count} series, {samples} samples ({(double)samples / group.Count:0} per series), " +
                $"timestamps off the regular step {100.0 * irregular / samples:0.00} %{(align ? $", aligned to it: {100.0 * group.Sum(Irregular) / samples:0.00} %" : "")}"));
            foreach (int length in new[] { 120, 240, 480, 960 })
            {
                var (ruleBytes, ruleChunks, ruleTime) = Encode(group, length, planned: false);
                var (planBytes, planChunks, planTime) = Encode(group, length, planned: true);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {length,4} samples/chunk ({ruleChunks} chunks): Prometheus's rule {(double)ruleBytes / samples:0.000} B/sample ({ruleTime.TotalNanoseconds / samples:0} ns/sample), " +
                    $"planned windows {(double)planBytes / samples:0.000} B/sample ({planTime.TotalNanoseconds / samples:0} ns/sample); " +
                    $"plus index chunk entries about {(double)planChunks * IndexEntryBytes / samples:0.000} B/sample"));
            }
            Console.WriteLine("  metric names taking the most bytes at 480 samples/chunk, planned windows:");
            var byName = job.GroupBy(s => s.Key.Get("__name__"))
                .Select(g => (Name: g.Key, Series: g.Count(), Samples: g.Sum(s => (long)s.Value.Count), Bytes: Encode(g.Select(s => s.Value), 480, planned: true).Bytes))
                .OrderByDescending(x => x.Bytes).Take(12);
            foreach (var (name, count, n, bytes) in byName)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {name,-48} {count,4} series {100.0 * bytes / Encode(group, 480, planned: true).Bytes,5:0.0} % of the bytes, {(double)bytes / n:0.00} B/sample"));
        }
        return 0;
    }

    /// <summary>Samples whose distance to the previous one differs from the distance before (a delta-of-delta other than 0).</summary>
    internal static long Irregular(List<Sample> samples)
    {
        long n = 0;
        for (int i = 2; i < samples.Count; i++)
            if (samples[i].T - samples[i - 1].T != samples[i - 1].T - samples[i - 2].T) n++;
        return n;
    }

    /// <summary>
    /// Moves each timestamp within 25 ms of the series' grid (its first timestamp plus whole steps, the step being the
    /// most common distance) onto it, as the portal's scrape loops align scrape timestamps; for data Prometheus scraped,
    /// this shows what the same values take with the portal's timestamps.
    /// </summary>
    private static void Align(List<Sample> samples)
    {
        if (samples.Count < 3) return;
        long step = samples.Zip(samples.Skip(1), (a, b) => b.T - a.T).GroupBy(d => d).MaxBy(g => g.Count())!.Key;
        if (step <= 0) return;
        long origin = samples[0].T;
        for (int i = 1; i < samples.Count; i++)
        {
            long k = (long)Math.Round((double)(samples[i].T - origin) / step);
            long grid = origin + k * step;
            if (Math.Abs(samples[i].T - grid) <= 25 && grid > samples[i - 1].T) samples[i] = new Sample(grid, samples[i].V);
        }
    }

    /// <summary>An index v2 chunk entry: min time delta, time span and reference delta as varints, about 8 bytes.</summary>
    private const int IndexEntryBytes = 8;

    private static void ReadBlock(string dir, Dictionary<Labels, List<Sample>> series)
    {
        var block = Block.Open(dir);
        try
        {
            var chunks = new List<ChunkData>();
            var it = new XorIterator();
            foreach (int sref in block.AllPostings())
            {
                chunks.Clear();
                var labels = block.Series(sref, long.MinValue, long.MaxValue, chunks);
                if (!series.TryGetValue(labels, out var list)) series[labels] = list = [];
                foreach (var c in chunks)
                {
                    it.Reset(c.Data);
                    while (it.Next())
                        if (list.Count == 0 || it.T > list[^1].T) list.Add(new Sample(it.T, it.V));
                }
            }
        }
        finally
        {
            block.Close();
        }
    }

    private static (long Bytes, long Chunks, TimeSpan Time) Encode(IEnumerable<List<Sample>> series, int length, bool planned)
    {
        long bytes = 0, chunks = 0;
        var sw = Stopwatch.StartNew();
        foreach (var samples in series)
        {
            int count = (samples.Count + length - 1) / length;
            int start = 0;
            for (int k = 0; k < count; k++)
            {
                int end = (int)((long)samples.Count * (k + 1) / count);
                int size;
                if (planned) size = ChunkUtil.EncodePlanned(samples, start, end).Length;
                else
                {
                    var c = new XorChunk(2 * (end - start) + 16);
                    for (int i = start; i < end; i++) c.Append(samples[i].T, samples[i].V);
                    size = c.ByteLength;
                }
                bytes += size + UvarintLength(size) + 1 + 4;
                chunks++;
                start = end;
            }
        }
        return (bytes, chunks, sw.Elapsed);
    }

    private static int UvarintLength(int v) => v < 128 ? 1 : v < 16384 ? 2 : 3;
}
