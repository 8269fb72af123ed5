using System.Diagnostics;
using System.Globalization;
using Portal.Model;
using Portal.Tenancy;

namespace Portal.Benchmarks;

/// <summary>
/// Measures what tenants cost a node: N tenants each with S active series (one sample each),
/// first with every engine open, then after the registry closes them as idle. Prints managed
/// heap and resident memory per tenant for both states.
/// </summary>
public static class TenantIdleCost
{
    public static int Run(string[] args)
    {
        int tenants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        int series = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var dir = Path.Combine(Path.GetTempPath(), "portal-idle-cost-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (heap0, rss0) = Measure();
            using var registry = new TenantEngineRegistry(dir, _ => new TenantLimits());
            var sw = Stopwatch.StartNew();
            long t = Timestamp.Now();
            for (int i = 0; i < tenants; i++)
            {
                var engine = registry.Get($"tenant-{i:D5}");
                var app = engine.Appendable.Appender();
                for (int s = 0; s < series; s++)
                    app.Append(SeriesRef.None, Labels.FromStrings("__name__", "node_cpu_seconds_total", "cpu", (s % 8).ToString(CultureInfo.InvariantCulture), "mode", "m" + (s / 8).ToString(CultureInfo.InvariantCulture), "instance", "host:9100", "job", "node"), t, s);
                app.Commit();
                if ((i + 1) % 100 == 0) Console.Error.WriteLine($"{i + 1}/{tenants} tenants loaded ({sw.Elapsed.TotalSeconds:0}s)");
            }
            var (heapOpen, rssOpen) = Measure();
            int closed = registry.CloseIdle(TimeSpan.Zero);
            var (heapIdle, rssIdle) = Measure();

            Console.WriteLine($"tenants={tenants} series_per_tenant={series} load_seconds={sw.Elapsed.TotalSeconds:0.0} server_gc={System.Runtime.GCSettings.IsServerGC}");
            Console.WriteLine($"open:   heap/tenant={(heapOpen - heap0) / tenants / 1024.0:0.0} KiB  rss/tenant={(rssOpen - rss0) / tenants / 1024.0:0.0} KiB  heap/series={(heapOpen - heap0) / (double)((long)tenants * series):0} B");
            Console.WriteLine($"closed: {closed} engines closed  heap/tenant={(heapIdle - heap0) / tenants / 1024.0:0.00} KiB  rss/tenant={(rssIdle - rss0) / tenants / 1024.0:0.0} KiB");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static (long Heap, long Rss) Measure()
    {
        long heap = ProcessStats.HeapAfterFullCollection();
        using var p = Process.GetCurrentProcess();
        return (heap, p.WorkingSet64);
    }
}
