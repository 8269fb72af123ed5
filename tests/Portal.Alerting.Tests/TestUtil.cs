using Portal.Config.Alertmanager;
using Portal.Model;

namespace Portal.Alerting.Tests;

internal static class TestUtil
{
    public static AlertmanagerConfig Load(string yaml)
    {
        var r = AlertmanagerConfigLoader.Load(yaml, "alertmanager.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return r.Config!;
    }

    /// <summary>Labels from "a=1,b=2".</summary>
    public static Labels L(string s)
    {
        var b = new LabelsBuilder();
        foreach (var part in s.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            b.Set(kv[0].Trim(), kv[1].Trim());
        }
        return b.Build();
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "portal-am-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
