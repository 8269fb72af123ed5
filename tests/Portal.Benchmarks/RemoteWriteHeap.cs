using System.Globalization;
using Portal.Ingest.RemoteWrite;
using Portal.Tenancy;

namespace Portal.Benchmarks;

/// <summary>
/// Managed heap per series taken by remote write ingest, in process: the payloads of <c>remote-write-load</c> are
/// written through the tenant's real appender stack (limits, storage) with the tenant's series cache, then the heap
/// is measured after a full compacting collection, once with the cache filled and once with it emptied; also prints
/// the bytes allocated while writing (what the garbage collector has to reclaim).
/// Usage: <c>remote-write-heap [SERIES] [ROUNDS]</c>.
/// </summary>
public static class RemoteWriteHeap
{
    public static int Run(string[] args)
    {
        int series = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var payloads = RemoteWriteLoad.BuildPayloads(series, rounds);
        var dir = Path.Combine(Path.GetTempPath(), "portal-rw-heap-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var registry = new TenantEngineRegistry(dir, _ => new TenantLimits
            {
                IngestionRate = 1e12, IngestionBurstSize = int.MaxValue, MaxGlobalSeriesPerUser = 100_000_000,
            });
            var engine = registry.Get("load");
            var receiver = new RemoteWriteReceiver();
            var cache = new RemoteWriteSeriesCache();
            long heap0 = ProcessStats.HeapAfterFullCollection();
            int refused = 0;
            long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            foreach (var p in payloads)
                if (!receiver.Write(RemoteWriteMessage.V1, p, 1L << 30, engine.Appendable, cache).Success) refused++;
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
            long withCache = ProcessStats.HeapAfterFullCollection();
            int cached = cache.Count;
            cache.Clear();
            long withoutCache = ProcessStats.HeapAfterFullCollection();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"series={series} rounds={rounds} refused_requests={refused} cached={cached}: heap/series {(withCache - heap0) / (double)series:0} B, of which the remote write cache {(withCache - withoutCache) / (double)series:0} B; allocated {allocated / (double)series:0} B/series, {allocated / ((double)series * rounds):0.0} B/sample"));
            GC.KeepAlive(payloads);
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
