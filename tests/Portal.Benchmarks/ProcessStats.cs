using System.Globalization;

namespace Portal.Benchmarks;

/// <summary>CPU time and memory of a process, read from Linux's /proc, for the load measurements.</summary>
internal static class ProcessStats
{
    /// <summary>utime + stime of a process from /proc/PID/stat, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    /// <summary>This process's managed heap in bytes after two full, blocking, compacting collections.</summary>
    public static long HeapAfterFullCollection()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(false);
    }

    /// <summary>Resident set size now and its high-water mark, in KiB, from /proc/PID/status.</summary>
    public static (long RssKb, long HwmKb) Memory(int pid)
    {
        var kb = StatusKb(pid);
        return (kb.GetValueOrDefault("VmRSS"), kb.GetValueOrDefault("VmHWM"));
    }

    /// <summary>The resident set split by kind (anonymous, file-mapped, shared), as "anon A, file F, shmem S MiB".</summary>
    public static string RssParts(int pid)
    {
        var kb = StatusKb(pid);
        return string.Create(CultureInfo.InvariantCulture,
            $"anon {kb.GetValueOrDefault("RssAnon") / 1024}, file {kb.GetValueOrDefault("RssFile") / 1024}, shmem {kb.GetValueOrDefault("RssShmem") / 1024} MiB");
    }

    /// <summary>The "Name: N kB" lines of /proc/PID/status, by name, in KiB.</summary>
    private static Dictionary<string, long> StatusKb(int pid)
    {
        var kb = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[2] == "kB" && parts[0].EndsWith(':'))
                kb[parts[0][..^1]] = long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return kb;
    }
}
