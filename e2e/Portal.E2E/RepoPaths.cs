namespace Portal.E2E;

/// <summary>Locations inside the clone the tests run from.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding Portal.sln, found by walking up from the test assembly.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Portal.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The Portal.Web build output of the same configuration as these tests (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string PortalWebDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(Root(), "src", "Portal.Web", "bin", configuration, "net10.0", "Portal.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("build src/Portal.Web first", dll);
        return dll;
    }

    /// <summary>Where the run saves screenshots: artifacts/screenshots at the clone root.</summary>
    public static string Screenshots()
    {
        var dir = Path.Combine(Root(), "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
