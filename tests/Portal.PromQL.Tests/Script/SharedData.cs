namespace Portal.PromQL.Tests.Script;

/// <summary>Locates the read-only upstream reference folder (<c>../shared</c> next to the repository root).</summary>
internal static class SharedData
{
    public const string SkipReason = "needs ../shared (upstream test data), absent here";

    private static readonly Lazy<string?> Root = new(FindShared);

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Folder => Root.Value;

    public static string TestDataDir =>
        Path.Combine(Folder ?? throw new InvalidOperationException(SkipReason), "upstream", "prometheus", "promql", "promqltest", "testdata");

    private static string? FindShared()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        if (dir is null) return null;
        var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }
}

/// <summary>A fact that is skipped when the upstream test data is not available.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedData.Folder is null) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that is skipped when the upstream test data is not available.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedData.Folder is null) Skip = SharedData.SkipReason;
    }
}
