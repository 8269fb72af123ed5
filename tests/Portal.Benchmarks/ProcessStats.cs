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

    /// <summary>Resident set size now and its high-water mark, in KiB, from /proc/PID/status.</summary>
    public static (long RssKb, long HwmKb) Memory(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return (rss, hwm);
    }

    /// <summary>The resident set split by kind (anonymous, file-mapped, shared), as "anon A, file F, shmem S MiB".</summary>
    public static string RssParts(int pid)
    {
        long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        long anon = 0, file = 0, shmem = 0;
        foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = Kb(line);
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = Kb(line);
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal)) shmem = Kb(line);
        }
        return string.Create(CultureInfo.InvariantCulture, $"anon {anon / 1024}, file {file / 1024}, shmem {shmem / 1024} MiB");
    }
}
