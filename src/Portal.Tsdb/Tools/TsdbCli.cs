using System.Globalization;
using Portal.Model;

namespace Portal.Tsdb.Tools;

/// <summary>
/// The <c>portal tsdb</c> commands: <c>create-blocks-from openmetrics INPUT OUTPUT_DIR</c>,
/// <c>analyze DIR [BLOCK_ID] [--limit N]</c> and <c>dump DIR [--match SELECTOR]... [--min-time T] [--max-time T]</c>.
/// Returns a process exit code (0 ok, 1 failure, 2 usage error).
/// </summary>
public static class TsdbCli
{
    public const string Usage = """
        usage: portal tsdb <command>
          create-blocks-from openmetrics INPUT OUTPUT_DIR   backfill blocks from OpenMetrics text (INPUT "-" = stdin)
          analyze DIR [BLOCK_ID] [--limit N]                block statistics and cardinality
          dump DIR [--match SELECTOR]... [--min-time T] [--max-time T]
                                                            print samples as promtool tsdb dump does (T: ms or RFC 3339)
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0) { stderr.WriteLine(Usage); return 2; }
            switch (args[0])
            {
                case "create-blocks-from":
                    if (args.Length != 4 || args[1] != "openmetrics") { stderr.WriteLine(Usage); return 2; }
                    using (var reader = args[2] == "-" ? Console.In : new StreamReader(args[2]))
                    {
                        var dirs = BackfillTool.CreateBlocksFromOpenMetrics(reader, args[3]);
                        foreach (var d in dirs) stdout.WriteLine($"BLOCK ULID: {Path.GetFileName(d)}");
                    }
                    return 0;
                case "analyze":
                {
                    if (args.Length < 2) { stderr.WriteLine(Usage); return 2; }
                    string? block = null;
                    int limit = 20;
                    for (int i = 2; i < args.Length; i++)
                    {
                        if (args[i] == "--limit" && i + 1 < args.Length) limit = int.Parse(args[++i], CultureInfo.InvariantCulture);
                        else if (block is null && !args[i].StartsWith("--", StringComparison.Ordinal)) block = args[i];
                        else { stderr.WriteLine(Usage); return 2; }
                    }
                    AnalyzeTool.Analyze(args[1], block, limit, stdout);
                    return 0;
                }
                case "dump":
                {
                    if (args.Length < 2) { stderr.WriteLine(Usage); return 2; }
                    long mint = long.MinValue, maxt = long.MaxValue;
                    var matchers = new List<Matcher[]>();
                    for (int i = 2; i < args.Length; i++)
                    {
                        string a = args[i];
                        string? val = null;
                        int eq = a.IndexOf('=');
                        string flag = a.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? a[..eq] : a;
                        if (flag != a) val = a[(eq + 1)..];
                        else if (i + 1 < args.Length) val = args[++i];
                        if (val is null) { stderr.WriteLine(Usage); return 2; }
                        switch (flag)
                        {
                            case "--match": matchers.Add(SelectorParser.Parse(val)); break;
                            case "--min-time": mint = ParseTime(val); break;
                            case "--max-time": maxt = ParseTime(val); break;
                            default: stderr.WriteLine($"unknown flag {flag}"); stderr.WriteLine(Usage); return 2;
                        }
                    }
                    if (matchers.Count == 0) matchers.Add([]);
                    if (!Directory.Exists(args[1])) throw new DirectoryNotFoundException($"no such directory: {args[1]}");
                    using var db = TsdbDatabase.Open(args[1], new TsdbOptions { CompactionInterval = TimeSpan.Zero, RetentionMs = 0 });
                    foreach (var m in matchers) DumpTool.Dump(db, mint, maxt, m, stdout);
                    return 0;
                }
                default:
                    stderr.WriteLine($"unknown command {args[0]}");
                    stderr.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidOperationException or UnauthorizedAccessException or Encoding.CorruptionException)
        {
            stderr.WriteLine("error: " + e.Message);
            return 1;
        }
    }

    private static long ParseTime(string s)
    {
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms)) return ms;
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dt)) return dt.ToUnixTimeMilliseconds();
        throw new FormatException($"invalid time {s}: use milliseconds since the epoch or RFC 3339");
    }
}
