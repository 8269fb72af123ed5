namespace Portal.Web.Hosting;

/// <summary>
/// Finds the folder holding appsettings.json and wwwroot/: the one the user names
/// (<c>--contentRoot</c>), else the working directory when it has appsettings.json (the run
/// command from a clone's root), else the build or publish output, which carries a copy.
/// </summary>
public static class ContentRoot
{
    public static string Locate(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--contentRoot=", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(a["--contentRoot=".Length..]);
            if (a.Equals("--contentRoot", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length) return Path.GetFullPath(args[i + 1]);
        }
        var cwd = Directory.GetCurrentDirectory();
        if (File.Exists(Path.Combine(cwd, "appsettings.json"))) return cwd;
        return AppContext.BaseDirectory;
    }
}
