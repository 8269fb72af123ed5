using Portal.PromQL.PromqlTest;

namespace Portal.Cli;

/// <summary>`portal promql ...` commands.</summary>
public static class PromqlCommands
{
    private const string Usage = "usage: portal promql test FILE...";

    /// <summary>
    /// <c>promql test FILE...</c>: runs promqltest scripts, prints each failing case as
    /// <c>file:line: query: reason</c> and ends with <c>N passed, N failed, N skipped</c>.
    /// Exit code 0 when nothing failed, 1 when a case failed, 2 on usage errors.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] != "test")
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        if (args.Length < 2)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        var report = new RunReport();
        var runner = new Runner();
        foreach (var path in args[1..])
        {
            if (!File.Exists(path))
            {
                stderr.WriteLine($"portal promql test: {path}: no such file");
                return 2;
            }
            runner.RunFile(path, report);
        }
        foreach (var c in report.Cases)
            if (c.Outcome == CaseOutcome.Failed)
                stdout.WriteLine($"{c.File}:{c.Line}: {c.Query}: {c.Message}");
        stdout.WriteLine(report.Summary);
        return report.Failed == 0 ? 0 : 1;
    }
}
