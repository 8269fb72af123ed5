using Portal.Model;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;

namespace Portal.Tsdb.Tools;

/// <summary>
/// <c>create-blocks-from openmetrics</c>: turns OpenMetrics text into blocks aligned to
/// <paramref name="blockRangeMs"/> (2h by default), as promtool's backfill does.
/// </summary>
public static class BackfillTool
{
    /// <summary>Reads <paramref name="input"/> and writes blocks under <paramref name="outputDir"/>; returns the block directories.</summary>
    public static List<string> CreateBlocksFromOpenMetrics(TextReader input, string outputDir, long blockRangeMs = 2 * 3600 * 1000)
    {
        Directory.CreateDirectory(outputDir);
        var bySeries = new Dictionary<Labels, List<Sample>>();
        foreach (var s in OpenMetricsReader.Read(input))
        {
            var reason = LabelNames.Validate(s.Labels);
            if (reason is not null) throw new FormatException($"invalid series {s.Labels}: {reason}");
            if (!bySeries.TryGetValue(s.Labels, out var list)) bySeries[s.Labels] = list = new List<Sample>();
            list.Add(new Sample(s.T, s.V));
        }
        var byBlock = new SortedDictionary<long, List<SeriesChunks>>();
        var keys = bySeries.Keys.ToList();
        keys.Sort((a, b) => a.CompareTo(b));
        foreach (var l in keys)
        {
            var samples = bySeries[l];
            samples.Sort((a, b) => a.T.CompareTo(b.T));
            int i = 0;
            while (i < samples.Count)
            {
                long start = MemSeries.RangeForTimestamp(samples[i].T, blockRangeMs) - blockRangeMs;
                var part = new List<Sample>();
                for (; i < samples.Count && samples[i].T < start + blockRangeMs; i++)
                    if (part.Count == 0 || part[^1].T != samples[i].T) part.Add(samples[i]);
                var chunks = new List<ChunkData>();
                foreach (var (mn, mx, data) in ChunkUtil.EncodeEvenly(part, TsdbOptions.DefaultMaxSamplesPerBlockChunk)) chunks.Add(new ChunkData(mn, mx, data));
                if (!byBlock.TryGetValue(start, out var list)) byBlock[start] = list = new List<SeriesChunks>();
                list.Add(new SeriesChunks(l, chunks));
            }
        }
        var dirs = new List<string>();
        foreach (var (start, series) in byBlock)
        {
            var dir = BlockWriter.Write(outputDir, start, start + blockRangeMs, series, 1, null, null);
            if (dir is not null) dirs.Add(dir);
        }
        return dirs;
    }
}
