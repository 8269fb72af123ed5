using System.Globalization;
using Portal.Model;

namespace Portal.Tsdb.Tests;

/// <summary>
/// Entry point of this assembly when launched as a child process (<c>dotnet exec Portal.Tsdb.Tests.dll crash-worker DIR SEED</c>):
/// appends batches forever, compacting often, and prints "C n" after each committed batch n so the parent
/// knows what must survive a SIGKILL.
/// </summary>
public static class CrashWorker
{
    public const int SeriesCount = 20;
    public const long Step = 60_000;
    public const int SamplesPerBatch = 7;

    public static int Main(string[] args)
    {
        if (args.Length < 3 || args[0] != "crash-worker") return 2;
        string dir = args[1];
        using var db = TsdbDatabase.Open(dir, Options());
        // Resume after the last batch that survived (the parent tells us where to start).
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture);
        var stdout = Console.Out;
        while (true)
        {
            var app = db.Appender();
            for (int s = 0; s < SeriesCount; s++)
                for (int k = 0; k < SamplesPerBatch; k++)
                {
                    long t = Time(batch, k);
                    app.Append(SeriesRef.None, SeriesLabels(s), t, Value(s, t));
                }
            app.Commit();
            stdout.WriteLine("C " + batch.ToString(CultureInfo.InvariantCulture));
            stdout.Flush();
            if (batch % 5 == 0) db.Compact();
            batch++;
        }
    }

    public static TsdbOptions Options() => new()
    {
        CompactionInterval = TimeSpan.Zero,
        BlockRangeMs = 3_600_000,
        RetentionMs = 0,
        WalSegmentSize = 256 * 1024,
    };

    public static long Time(int batch, int k) => ((long)batch * SamplesPerBatch + k) * Step;
    public static double Value(int s, long t) => s * 1000.0 + t / 1000.0;
    public static Labels SeriesLabels(int s) => Labels.FromStrings("__name__", "crash_metric", "series", s.ToString(CultureInfo.InvariantCulture));
}
