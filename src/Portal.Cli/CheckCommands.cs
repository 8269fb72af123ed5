using Portal.Config;

namespace Portal.Cli;

/// <summary>`portal check ...` commands.</summary>
public static class CheckCommands
{
    private const string Usage = "usage: portal check config|rules|alertmanager FILE...  |  portal check metrics [--openmetrics] < FILE";

    /// <summary>
    /// <c>check config|rules|alertmanager FILE...</c>: validates each file and lists every error as
    /// <c>file:line:col: message</c> on stderr. Exit code 0 when all files are valid, 1 when one is not,
    /// 2 on usage errors. <c>check metrics</c> reads standard input (see <see cref="MetricsCheckCommand"/>).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        ConfigFileKind kind;
        switch (args[0])
        {
            case "config": kind = ConfigFileKind.Prometheus; break;
            case "rules": kind = ConfigFileKind.Rules; break;
            case "alertmanager": kind = ConfigFileKind.Alertmanager; break;
            case "metrics":
                return MetricsCheckCommand.Run(args[1..], Console.In, stdout, stderr);
            default:
                stderr.WriteLine($"portal check: unknown command \"{args[0]}\"");
                stderr.WriteLine(Usage);
                return 2;
        }
        if (args.Length < 2)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        return ConfigChecker.CheckFiles(kind, args[1..], stdout, stderr) ? 0 : 1;
    }
}
