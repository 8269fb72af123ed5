using System.Globalization;
using Portal.Tsdb.Blocks;

namespace Portal.Tsdb.Tools;

/// <summary><c>analyze</c>: block statistics and cardinality, in the shape of <c>promtool tsdb analyze</c>.</summary>
public static class AnalyzeTool
{
    /// <summary>Analyzes <paramref name="blockId"/> (or the newest block) in <paramref name="dir"/>.</summary>
    public static void Analyze(string dir, string? blockId, int limit, TextWriter output)
    {
        var blockDirs = Directory.EnumerateDirectories(dir).Where(d => Ulid.IsUlid(Path.GetFileName(d)) && File.Exists(Path.Combine(d, "meta.json")))
            .Select(d => (Dir: d, Meta: BlockMeta.Read(d))).OrderBy(x => x.Meta.MinTime).ToList();
        if (blockDirs.Count == 0) throw new InvalidOperationException($"no blocks found in {dir}");
        var chosen = blockId is null ? blockDirs[^1] : blockDirs.FirstOrDefault(b => b.Meta.Ulid == blockId);
        if (chosen.Dir is null) throw new InvalidOperationException($"block {blockId} not found in {dir}");
        var block = Block.Open(chosen.Dir);
        try
        {
            var m = block.Meta;
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"Block ID: {m.Ulid}");
            output.WriteLine($"Duration: {TimeSpan.FromMilliseconds(m.MaxTime - m.MinTime).ToString("c", inv)}");
            output.WriteLine($"Total Series: {m.Stats.NumSeries}");
            output.WriteLine($"Total Samples: {m.Stats.NumSamples}");
            output.WriteLine($"Total Chunks: {m.Stats.NumChunks}");
            long size = block.SizeBytes;
            output.WriteLine($"Size: {size} bytes ({(m.Stats.NumSamples == 0 ? 0 : (double)size / m.Stats.NumSamples).ToString("0.###", inv)} bytes/sample)");
            var names = block.LabelNames();
            output.WriteLine($"Label names: {names.Count}");
            long postings = 0, entries = 0;
            var valueLength = new List<(string, long)>();
            var cardinality = new List<(string, long)>();
            var pairs = new List<(string, long)>();
            foreach (var n in names)
            {
                var vals = block.LabelValues(n);
                long len = 0;
                foreach (var v in vals)
                {
                    int c = block.Postings(n, v).Length;
                    postings++;
                    entries += c;
                    len += System.Text.Encoding.UTF8.GetByteCount(v);
                    pairs.Add(($"{n}={v}", c));
                }
                valueLength.Add((n, len));
                cardinality.Add((n, vals.Count));
            }
            output.WriteLine($"Postings (unique label pairs): {postings}");
            output.WriteLine($"Postings entries (total label pairs): {entries}");
            Print(output, "Label names with highest cumulative label value length:", valueLength, limit);
            Print(output, "Highest cardinality labels:", cardinality, limit);
            Print(output, "Most common label pairs:", pairs, limit);
            var metrics = new List<(string, long)>();
            foreach (var v in block.LabelValues("__name__")) metrics.Add((v, block.Postings("__name__", v).Length));
            Print(output, "Highest cardinality metric names:", metrics, limit);
        }
        finally
        {
            block.Close();
        }
    }

    private static void Print(TextWriter o, string title, List<(string Name, long N)> list, int limit)
    {
        o.WriteLine();
        o.WriteLine(title);
        foreach (var (n, c) in list.OrderByDescending(x => x.N).ThenBy(x => x.Name, StringComparer.Ordinal).Take(limit))
            o.WriteLine($"{c.ToString(CultureInfo.InvariantCulture)} {n}");
    }
}
