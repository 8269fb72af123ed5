using Portal.Config.Prometheus;
using Xunit;

namespace Portal.Config.Tests;

public class ScrapeJobEditorTests
{
    private const string Base = """
        # Global settings for every job.
        global:
          scrape_interval: 15s # the default

        scrape_configs:
          # The portal itself.
          - job_name: portal
            static_configs:
              - targets: ['localhost:9090']

          - job_name: nodes
            file_sd_configs:
              - files: [nodes.json]

        rule_files: []
        """;

    private static SimpleScrapeJob Node(string name = "node") => new()
    {
        JobName = name,
        Targets = ["127.0.0.1:9100", "10.0.0.2:9100"],
        ScrapeInterval = "5s",
        Labels = { ["env"] = "prod" },
    };

    private static PrometheusConfig Load(string yaml)
    {
        var r = PrometheusConfigLoader.Load(yaml, "prometheus.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return r.Config!;
    }

    [Fact]
    public void FindsJobsWithTheirSpansAndWhetherTheFormCanEditThem()
    {
        var jobs = ScrapeJobEditor.FindJobs(Base);
        Assert.Equal(["portal", "nodes"], jobs.Select(j => j.JobName));
        Assert.True(jobs[0].FormEditable);
        Assert.False(jobs[1].FormEditable);
        Assert.StartsWith("  - job_name: portal", Base[jobs[0].Start..]);
        Assert.EndsWith("['localhost:9090']\n", Base[jobs[0].Start..jobs[0].End]);
        Assert.EndsWith("[nodes.json]\n", Base[jobs[1].Start..jobs[1].End]);
    }

    [Fact]
    public void AddingAJobKeepsCommentsAndOtherSectionsAndLoads()
    {
        var yaml = ScrapeJobEditor.AddJob(Base, Node());
        Assert.Contains("# Global settings for every job.", yaml);
        Assert.Contains("scrape_interval: 15s # the default", yaml);
        Assert.Contains("rule_files: []", yaml);
        var cfg = Load(yaml);
        Assert.Equal(["portal", "nodes", "node"], cfg.ScrapeConfigs!.Select(s => s.JobName));
        var node = cfg.ScrapeConfigs![2];
        Assert.Equal(5000, node.ScrapeInterval.Milliseconds);
        var st = Assert.Single(node.ServiceDiscovery.Static!);
        Assert.Equal(["127.0.0.1:9100", "10.0.0.2:9100"], st.Targets);
        Assert.Equal("prod", st.Labels!["env"]);
        Assert.True(ScrapeJobEditor.FindJobs(yaml)[2].FormEditable);
    }

    [Theory]
    [InlineData("")]
    [InlineData("global:\n  scrape_interval: 1m\n")]
    [InlineData("scrape_configs:\n")]
    [InlineData("scrape_configs: []\nrule_files: []\n")]
    [InlineData("global:\n  scrape_interval: 1m")]
    public void AddingToAFileWithoutJobsCreatesTheSection(string yaml)
    {
        var cfg = Load(ScrapeJobEditor.AddJob(yaml, Node()));
        Assert.Equal("node", Assert.Single(cfg.ScrapeConfigs!).JobName);
    }

    [Fact]
    public void ReplacingAJobRewritesOnlyItsItem()
    {
        var yaml = ScrapeJobEditor.AddJob(Base, Node());
        var edited = Node();
        edited.Targets = ["127.0.0.1:9200"];
        edited.MetricsPath = "/probe";
        edited.Scheme = "https";
        edited.BasicAuthUsername = "u";
        edited.BasicAuthPassword = "p: with # odd chars";
        edited.TlsInsecureSkipVerify = true;
        edited.TlsServerName = "example.org";
        var after = ScrapeJobEditor.ReplaceJob(yaml, "node", edited);
        var cfg = Load(after);
        var node = cfg.ScrapeConfigs!.Single(s => s.JobName == "node");
        Assert.Equal("/probe", node.MetricsPath);
        Assert.Equal("https", node.Scheme);
        Assert.Equal("p: with # odd chars", node.HttpClientConfig.BasicAuth!.Password!.Value);
        Assert.True(node.HttpClientConfig.TlsConfig!.InsecureSkipVerify);
        Assert.Equal(["127.0.0.1:9200"], node.ServiceDiscovery.Static![0].Targets);
        Assert.Equal(yaml[..ScrapeJobEditor.FindJobs(yaml)[2].Start], after[..ScrapeJobEditor.FindJobs(after)[2].Start]);

        var read = ScrapeJobEditor.Read(node);
        Assert.Equal("/probe", read.MetricsPath);
        Assert.Equal("5s", read.ScrapeInterval);
        Assert.Equal("", read.ScrapeTimeout);
        Assert.Equal("u", read.BasicAuthUsername);
        Assert.Equal("example.org", read.TlsServerName);
    }

    [Fact]
    public void RemovingJobsKeepsTheRest()
    {
        var yaml = ScrapeJobEditor.RemoveJob(Base, "portal");
        var cfg = Load(yaml);
        Assert.Equal("nodes", Assert.Single(cfg.ScrapeConfigs!).JobName);
        Assert.Contains("rule_files: []", yaml);
        var empty = ScrapeJobEditor.RemoveJob(yaml, "nodes");
        Assert.Empty(Load(empty).ScrapeConfigs ?? []);
        Assert.Contains("rule_files: []", empty);
        Assert.Contains("# Global settings for every job.", empty);
        Assert.Throws<KeyNotFoundException>(() => ScrapeJobEditor.RemoveJob(Base, "absent"));
    }

    [Fact]
    public void AJobUsingKeysTheFormDoesNotKnowIsNotFormEditable()
    {
        const string yaml = """
            scrape_configs:
              - job_name: a
                static_configs:
                  - targets: [x:1]
                relabel_configs:
                  - target_label: foo
                    replacement: bar
              - job_name: b
                tls_config:
                  ca_file: /etc/ca.pem
                static_configs:
                  - targets: [x:1]
              - job_name: c
                basic_auth: {username: u, password: p}
                static_configs:
                  - targets: [x:1]
                    labels: {team: db}
            """;
        var jobs = ScrapeJobEditor.FindJobs(yaml);
        Assert.Equal([false, false, true], jobs.Select(j => j.FormEditable));
    }

    [Fact]
    public void PemBlocksSurviveAsLiteralBlocks()
    {
        var job = Node();
        job.TlsCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var cfg = Load(ScrapeJobEditor.AddJob(Base, job));
        Assert.Equal(job.TlsCa, cfg.ScrapeConfigs![2].HttpClientConfig.TlsConfig!.Ca);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("true")]
    [InlineData("123")]
    [InlineData("a: b")]
    [InlineData("-dash")]
    [InlineData(" spaced ")]
    [InlineData("quote\"and\\back")]
    [InlineData("")]
    public void QuotedScalarsReadBackUnchanged(string value)
    {
        var job = Node();
        job.Labels["v"] = value;
        var cfg = Load(ScrapeJobEditor.AddJob(Base, job));
        Assert.Equal(value, cfg.ScrapeConfigs![2].ServiceDiscovery.Static![0].Labels!["v"]);
    }

    [Fact]
    public void TheValidatorTakesSchemeAndPathFromUrlTargets()
    {
        var job = new SimpleScrapeJob { JobName = " web ", Targets = ["https://a.example:8443/probe", "https://b.example/probe", ""] };
        Assert.Empty(SimpleScrapeJobValidator.Normalize(job, ["portal"]));
        Assert.Equal("web", job.JobName);
        Assert.Equal(["a.example:8443", "b.example:443"], job.Targets);
        Assert.Equal("https", job.Scheme);
        Assert.Equal("/probe", job.MetricsPath);
    }

    [Theory]
    [InlineData("", "x:1", "", "", "job")]
    [InlineData("portal", "x:1", "", "", "job")]
    [InlineData("j", "", "", "", "targets")]
    [InlineData("j", "x", "", "", "targets")]
    [InlineData("j", "x:99999", "", "", "targets")]
    [InlineData("j", "ftp://x:1/", "", "", "targets")]
    [InlineData("j", "x:1", "fast", "", "interval")]
    [InlineData("j", "x:1", "10s", "20s", "timeout")]
    public void TheValidatorNamesTheFieldAtFault(string name, string target, string interval, string timeout, string field)
    {
        var job = new SimpleScrapeJob { JobName = name, Targets = [target], ScrapeInterval = interval, ScrapeTimeout = timeout };
        var errors = SimpleScrapeJobValidator.Normalize(job, ["portal"]);
        Assert.Contains(field, errors.Keys);
        Assert.False(string.IsNullOrWhiteSpace(errors[field]));
    }

    [Fact]
    public void TheValidatorAcceptsIpv6AndHostNames()
    {
        var job = new SimpleScrapeJob { JobName = "j", Targets = ["[::1]:9100", "node-1.internal:9100", "10.0.0.5:9100"] };
        Assert.Empty(SimpleScrapeJobValidator.Normalize(job, []));
        Assert.Equal(3, job.Targets.Count);
    }
}
