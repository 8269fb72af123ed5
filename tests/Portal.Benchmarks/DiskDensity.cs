using System.Diagnostics;
using System.Globalization;
using Portal.Ingest.Scrape;
using Portal.Model;
using Portal.Tsdb;
using Portal.Tsdb.Blocks;
using Portal.Tsdb.Chunks;
using Portal.Tsdb.Head;

namespace Portal.Benchmarks;

/// <summary>
/// Bytes per sample on disk for real node_exporter data, side by side with Prometheus. Debian's
/// prometheus-node-exporter is started on loopback; a real <see cref="ScrapeManager"/> appending into a
/// <see cref="TsdbDatabase"/> and Debian's Prometheus both scrape it at the same interval, with the same short block
/// range so each cuts blocks within minutes. When both have written their second block (the first one to span a whole
/// range), its chunk and index bytes are divided by the samples its meta.json counts. Our XOR chunks follow Prometheus's bit layout, so the
/// two should agree to within what differs in the scraped values; the figure to read is the portal's own.
/// </summary>
internal static class DiskDensity
{
    public static int Run(string[] args)
    {
        var interval = args.Length > 0 ? PromDuration.ParseTimeSpan(args[0]) : TimeSpan.FromSeconds(1);
        var blockRange = args.Length > 1 ? PromDuration.ParseTimeSpan(args[1]) : TimeSpan.FromMinutes(5);
        const string exporter = "/usr/bin/prometheus-node-exporter";
        if (!File.Exists(exporter))
        {
            Console.Error.WriteLine("disk-density needs Debian's prometheus-node-exporter (apt-get install prometheus-node-exporter)");
            return 2;
        }
        bool withPrometheus = File.Exists("/usr/bin/prometheus");
        var work = Path.Combine(Path.GetTempPath(), "disk-density-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        int exporterPort = RemoteWriteLoad.FreePort();
        Process? node = null, prometheus = null;
        try
        {
            node = RemoteWriteLoad.Start(exporter, $"--web.listen-address=127.0.0.1:{exporterPort}");
            RemoteWriteLoad.WaitReady($"http://127.0.0.1:{exporterPort}/metrics");
            string iv = PromDuration.Format(interval);
            string config = $"global:\n  scrape_interval: {iv}\n  scrape_timeout: {iv}\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:{exporterPort}']\n";
            Console.WriteLine($"disk-density: node_exporter scraped every {iv}, block range {PromDuration.Format(blockRange)}; the first whole-range block appears after {PromDuration.Format(blockRange * 2.5)} at most");

            if (withPrometheus)
            {
                File.WriteAllText(Path.Combine(work, "prometheus.yml"), config);
                int promPort = RemoteWriteLoad.FreePort();
                string range = PromDuration.Format(blockRange);
                prometheus = RemoteWriteLoad.Start("/usr/bin/prometheus", $"--config.file={Path.Combine(work, "prometheus.yml")}",
                    $"--storage.tsdb.path={Path.Combine(work, "prom")}", $"--web.listen-address=127.0.0.1:{promPort}",
                    $"--storage.tsdb.min-block-duration={range}", $"--storage.tsdb.max-block-duration={range}", "--log.level=warn");
            }
            else Console.WriteLine("prometheus: /usr/bin/prometheus absent, only the portal is measured");

            var portalDir = Path.Combine(work, "portal");
            using var db = TsdbDatabase.Open(portalDir, new TsdbOptions
            {
                BlockRangeMs = (long)blockRange.TotalMilliseconds,
                CompactionInterval = TimeSpan.FromSeconds(10),
            });
            using var manager = new ScrapeManager(db);
            manager.ApplyConfig(config);

            var deadline = Stopwatch.StartNew();
            var limit = blockRange * 3.5;
            Figures? ours = null, theirs = null;
            while (deadline.Elapsed < limit && (ours is null || (withPrometheus && theirs is null)))
            {
                Thread.Sleep(5000);
                ours ??= SecondBlock(portalDir);
                if (withPrometheus) theirs ??= SecondBlock(Path.Combine(work, "prom"));
                Console.WriteLine($"  {deadline.Elapsed.TotalMinutes:0.0} min: portal block {(ours is null ? "not yet" : "written")}" +
                                  (withPrometheus ? $", prometheus block {(theirs is null ? "not yet" : "written")}" : ""));
            }
            Print("portal", ours);
            if (withPrometheus) Print("prometheus", theirs);
            return ours is null ? 1 : 0;
        }
        finally
        {
            if (prometheus is not null) RemoteWriteLoad.Stop(prometheus);
            if (node is not null) RemoteWriteLoad.Stop(node);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Figures(string Ulid, ulong Samples, ulong Series, ulong Chunks, long ChunkBytes, long IndexBytes, Scan Scan);

    /// <param name="IrregularTimestamps">Samples whose delta-of-delta is not 0.</param>
    /// <param name="ValueBits">Bits the chunks' values take with Prometheus's window rule.</param>
    /// <param name="BestValueBits">Bits they take with the fewest-bits window choices (<see cref="XorWindowPlanner"/>).</param>
    private sealed record Scan(long IrregularTimestamps, long ValueBits, long BestValueBits);

    /// <summary>The second-oldest finished block of a data directory (a ULID folder with meta.json), or null.</summary>
    private static Figures? SecondBlock(string dataDir)
    {
        if (!Directory.Exists(dataDir)) return null;
        var blocks = Directory.GetDirectories(dataDir)
            .Where(d => Path.GetFileName(d).Length == 26 && File.Exists(Path.Combine(d, "meta.json")))
            .Select(d => (Dir: d, Meta: BlockMeta.Read(d)))
            .OrderBy(b => b.Meta.MinTime)
            .ToList();
        if (blocks.Count < 2) return null;
        var (dir, meta) = blocks[1];
        long chunkBytes = Directory.GetFiles(Path.Combine(dir, "chunks")).Sum(f => new FileInfo(f).Length);
        return new Figures(Path.GetFileName(dir), meta.Stats.NumSamples, meta.Stats.NumSeries, meta.Stats.NumChunks, chunkBytes,
            new FileInfo(Path.Combine(dir, "index")).Length, ScanChunks(dir));
    }

    /// <summary>
    /// Reads every chunk of a block: counts samples whose distance to the previous sample differs from the distance
    /// before (a delta-of-delta other than 0, which costs the XOR encoding 16 or more bits instead of 1: the scrape
    /// timestamps' jitter), and the bits the values take with Prometheus's window rule and with planned windows.
    /// </summary>
    private static Scan ScanChunks(string blockDir)
    {
        var block = Block.Open(blockDir);
        try
        {
            long irregular = 0, valueBits = 0, bestBits = 0;
            var chunks = new List<ChunkData>();
            var samples = new List<Sample>();
            var values = new List<ulong>();
            var it = new XorIterator();
            foreach (int sref in block.AllPostings())
            {
                chunks.Clear();
                block.Series(sref, long.MinValue, long.MaxValue, chunks);
                samples.Clear();
                foreach (var c in chunks)
                {
                    it.Reset(c.Data);
                    values.Clear();
                    while (it.Next())
                    {
                        values.Add(it.VBits);
                        samples.Add(new Sample(it.T, it.V));
                    }
                    var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values);
                    var windows = new XorWindow[span.Length];
                    valueBits += XorWindowPlanner.PlanLikePrometheus(span, windows);
                    bestBits += XorWindowPlanner.Plan(span, windows);
                }
                irregular += ChunkLengths.Irregular(samples);
            }
            return new Scan(irregular, valueBits, bestBits);
        }
        finally
        {
            block.Close();
        }
    }

    private static void Print(string who, Figures? f)
    {
        if (f is null)
        {
            Console.WriteLine($"{who}: no block was written in time");
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{who}: block {f.Ulid}: {f.Samples} samples, {f.Series} series, {f.Chunks} chunks ({(double)f.Samples / f.Chunks:0.0} samples/chunk); " +
            $"chunks {f.ChunkBytes} B = {(double)f.ChunkBytes / f.Samples:0.000} B/sample, index {f.IndexBytes} B, " +
            $"chunks+index {(double)(f.ChunkBytes + f.IndexBytes) / f.Samples:0.000} B/sample; timestamps off the regular step: {100.0 * f.Scan.IrregularTimestamps / f.Samples:0.00} %; " +
            $"values {(double)f.Scan.ValueBits / f.Samples:0.000} bits/sample with Prometheus's window rule, {(double)f.Scan.BestValueBits / f.Samples:0.000} with planned windows"));
    }
}
