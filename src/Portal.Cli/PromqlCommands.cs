namespace Portal.Cli;

/// <summary>`portal promql ...` commands.</summary>
public static class PromqlCommands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("portal promql: no such command yet");
        return 2;
    }
}
