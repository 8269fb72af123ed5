namespace Portal.Rules.Tests;

/// <summary>Locates the read-only shared folder (<c>../shared</c> beside the repository root).</summary>
internal static class SharedData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        if (dir is null) return null;
        var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }

    public static string Path_(params string[] parts) => Path.Combine([Root!, .. parts]);
}

/// <summary>A fact that is skipped when ../shared (upstream test data) is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedData.Root is null) Skip = "needs ../shared (upstream test data), absent here";
    }
}

/// <summary>A theory that is skipped when ../shared (upstream test data) is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedData.Root is null) Skip = "needs ../shared (upstream test data), absent here";
    }
}
