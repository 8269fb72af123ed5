namespace Portal.Cli;

/// <summary>`portal tsdb ...` commands; the logic lives in <see cref="Portal.Tsdb.Tools.TsdbCli"/>.</summary>
public static class TsdbCommands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Portal.Tsdb.Tools.TsdbCli.Run(args, stdout, stderr);
}
