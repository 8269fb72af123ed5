namespace Portal.Cli;

/// <summary>`portal check ...` commands.</summary>
public static class CheckCommands
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine("portal check: no such command yet");
        return 2;
    }
}
