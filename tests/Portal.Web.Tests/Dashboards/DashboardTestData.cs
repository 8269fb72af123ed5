namespace Portal.Web.Tests.Dashboards;

/// <summary>The Grafana dashboards under testdata/ and the seed's node-dashboard.json in ../shared.</summary>
public static class DashboardTestData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string SeedDashboard => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "seed", "node-dashboard.json"));

    public static bool SeedAvailable => File.Exists(SeedDashboard);

    public static readonly string[] Files = ["legacy-rows-v14.json", "rows-graph-v16.json", "panels-v27.json", "full-v39.json"];

    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(RepoRoot, "tests", "Portal.Web.Tests", "Dashboards", "testdata", name));

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var f in Files) data.Add(f);
        return data;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    internal const string SkipReason = "needs ../shared/seed/node-dashboard.json, absent here";
}

/// <summary>A fact skipped (with the reason) when the seed dashboard in ../shared is missing.</summary>
public sealed class SeedFactAttribute : FactAttribute
{
    public SeedFactAttribute()
    {
        if (!DashboardTestData.SeedAvailable) Skip = DashboardTestData.SkipReason;
    }
}
