namespace Portal.Ingest.Tests;

/// <summary>Locates the repository root and the read-only ../shared reference folder.</summary>
public static class SharedData
{
    public const string SkipReason = "needs ../shared (upstream test data), absent here";

    public static string RepoRoot { get; } = FindRoot();

    public static string Dir { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool Available => Directory.Exists(Dir);

    public static string Path_(params string[] parts) => Path.Combine([Dir, .. parts]);

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Portal.sln"))) d = d.Parent;
        return d?.FullName ?? AppContext.BaseDirectory;
    }
}

/// <summary>A fact that is skipped, with the reason, when ../shared is missing.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that is skipped, with the reason, when ../shared is missing.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}
