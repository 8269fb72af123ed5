namespace Portal.Cli;

/// <summary>`portal tsdb ...` commands.</summary>
public static class TsdbCommands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("portal tsdb: no such command yet");
        return 2;
    }
}
