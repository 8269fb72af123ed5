namespace Portal.Cli;

/// <summary>Dispatches `portal &lt;group&gt; &lt;command&gt; ...` to the command groups. Writers are injected so tests can run commands in-process.</summary>
public static class CliApp
{
    public const string Usage = """
        usage: portal <command> [arguments]

          check config FILE...                      validate Prometheus configuration files
          check rules FILE...                       validate rule files
          check alertmanager FILE...                validate Alertmanager configuration files
          check metrics [--openmetrics] < FILE      validate an exposition payload
          promql test FILE...                       run PromQL test scripts
          tsdb create-blocks-from openmetrics IN OUT  backfill blocks from an OpenMetrics file
          tsdb analyze DIR                          blocks, series, chunks and label cardinality
          tsdb dump DIR [--match SELECTOR] [--min-time T] [--max-time T]
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var rest = args[1..];
        switch (args[0])
        {
            case "check": return CheckCommands.Run(rest, stdout, stderr);
            case "promql": return PromqlCommands.Run(rest, stdout, stderr);
            case "tsdb": return TsdbCommands.Run(rest, stdout, stderr);
            default:
                stderr.WriteLine($"portal: unknown command \"{args[0]}\"");
                stderr.WriteLine(Usage);
                return 2;
        }
    }
}
