using Portal.Ingest.TextParse;

namespace Portal.Cli;

/// <summary>
/// <c>portal check metrics [--openmetrics] &lt; FILE</c>: parses an exposition payload from standard input with the
/// scrape parsers and reports problems like promtool. Exit codes: 0 clean, 1 malformed (the first error, with
/// line and column), 2 usage error, 3 well-formed but with lint warnings.
/// </summary>
public static class MetricsCheckCommand
{
    private const string Usage = "usage: portal check metrics [--openmetrics] < FILE";

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        bool openMetrics = false;
        foreach (var a in args)
        {
            if (a is "--openmetrics" or "--open-metrics") openMetrics = true;
            else if (a is "-h" or "--help")
            {
                stdout.WriteLine(Usage);
                return 0;
            }
            else
            {
                stderr.WriteLine($"portal check metrics: unexpected argument \"{a}\"");
                stderr.WriteLine(Usage);
                return 2;
            }
        }
        var text = stdin.ReadToEnd();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var result = ExpositionChecker.Check(bytes, bytes.Length, openMetrics);
        var format = openMetrics ? "OpenMetrics" : "Prometheus text";
        foreach (var p in result.Problems)
        {
            if (p.IsError) stderr.WriteLine($"error while checking {format} metrics: line {p.Line}, column {p.Column}: {p.Message}");
            else stderr.WriteLine(p.Message);
        }
        if (result.HasErrors) return 1;
        if (result.Problems.Count > 0) return 3;
        stdout.WriteLine($"SUCCESS: {result.Samples} samples in {result.Families} metric families ({format})");
        return 0;
    }
}
