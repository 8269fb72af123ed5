namespace Portal.Config.Tests;

/// <summary>Locates the repository root and the read-only ../shared folder with upstream test data.</summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool Available => Directory.Exists(SharedDir);

    public static string Path_(params string[] parts) => Path.Combine([SharedDir, .. parts]);

    public static string TestData(params string[] parts) =>
        Path.Combine([RepoRoot, "tests", "Portal.Config.Tests", "testdata", .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    internal const string SkipReason = "needs ../shared (upstream test data), absent here";
}

/// <summary>A fact that is skipped (with the reason) when ../shared is missing.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that is skipped (with the reason) when ../shared is missing.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}
