using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;

namespace Portal.Config.Tests;

/// <summary>Load, serialize, load gives the same model (compared through its serialization), for every valid upstream file.</summary>
public class RoundTripTests
{
    public static TheoryData<string, string> ValidFiles()
    {
        var data = new TheoryData<string, string>();
        if (!SharedData.Available) { data.Add("none", "(shared data absent)"); return data; }
        foreach (var f in Directory.GetFiles(SharedData.Path_("upstream", "prometheus", "config", "testdata"), "*.good.yml"))
            data.Add("prometheus", f);
        foreach (var f in Directory.GetFiles(SharedData.Path_("upstream", "prometheus", "rules", "fixtures")))
            if (!f.EndsWith("invalid_rules.yaml", StringComparison.Ordinal)) data.Add("rules", f);
        foreach (var row in AlertmanagerUpstreamTests.Files())
            if (row[1] is null) data.Add("alertmanager", SharedData.Path_("upstream", "alertmanager", "config", "testdata", (string)row[0]));
        foreach (var f in Directory.GetFiles(SharedData.TestData("seed"), "*.yml"))
            data.Add(f.EndsWith(".rules.yml", StringComparison.Ordinal) ? "rules" : f.EndsWith(".alertmanager.yml", StringComparison.Ordinal) ? "alertmanager" : "prometheus", f);
        return data;
    }

    private static (ConfigObject? Model, IReadOnlyList<ConfigError> Errors) Load(string kind, string yaml, string name) => kind switch
    {
        "prometheus" => Wrap(PrometheusConfigLoader.Load(yaml, name)),
        "rules" => Wrap(RuleFileLoader.Load(yaml, name)),
        _ => Wrap(AlertmanagerConfigLoader.Load(yaml, name)),
    };

    private static (ConfigObject?, IReadOnlyList<ConfigError>) Wrap<T>(ConfigLoadResult<T> r) where T : ConfigObject => (r.Config, r.Errors);

    [SharedTheory]
    [MemberData(nameof(ValidFiles))]
    public void LoadSerializeLoadIsStable(string kind, string path)
    {
        var (first, errors) = Load(kind, File.ReadAllText(path), path);
        if (first is null) return; // invalid seed examples are covered elsewhere
        Assert.Empty(errors);
        var yaml1 = ConfigSerializer.ToYaml(first, maskSecrets: false);
        var (second, errors2) = Load(kind, yaml1, "serialized");
        Assert.True(errors2.Count == 0, yaml1 + "\n" + string.Join("\n", errors2));
        var yaml2 = ConfigSerializer.ToYaml(second!, maskSecrets: false);
        Assert.Equal(yaml1, yaml2);
    }

    [SharedFact]
    public void MaskedOutputHidesEverySecret()
    {
        var r = PrometheusConfigLoader.LoadFile(SharedData.Path_("upstream", "prometheus", "config", "testdata", "conf.good.yml"));
        var masked = ConfigSerializer.ToYaml(r.Config!, maskSecrets: true);
        Assert.DoesNotContain("mysecret", masked);
        Assert.Contains("<secret>", masked);
        var kept = ConfigSerializer.ToYaml(r.Config!, maskSecrets: false);
        Assert.Contains("mysecret", kept);
        Assert.Equal("<secret>", new Secret("x").ToString());
    }

    [Fact]
    public void DefaultsAreLeftOutAndValuesKept()
    {
        var r = PrometheusConfigLoader.Load("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        replacement: ''\n", "p.yml");
        var yaml = ConfigSerializer.ToYaml(r.Config!, maskSecrets: false);
        Assert.DoesNotContain("follow_redirects", yaml);
        Assert.Contains("replacement: \"\"", yaml);
        Assert.Contains("scrape_interval: 1m", yaml);
        var again = PrometheusConfigLoader.Load(yaml, "again.yml");
        Assert.True(again.Success, string.Join("\n", again.Errors));
        Assert.Equal("", again.Config!.ScrapeConfigs![0].RelabelConfigs![0].Replacement);
    }
}
