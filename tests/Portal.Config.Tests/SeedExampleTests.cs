using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;

namespace Portal.Config.Tests;

/// <summary>Every configuration, rule and alert example of the course text (testdata/seed).</summary>
public class SeedExampleTests
{
    private static string Dir => SharedData.TestData("seed");

    public static TheoryData<string> ValidExamples() => new()
    {
        "configuration-default.prometheus.yml",
        "configuration-scrape-prometheus.prometheus.yml",
        "install-node-exporter.prometheus.yml",
        "service-discovery-static.prometheus.yml",
        "service-discovery-ec2.prometheus.yml",
        "service-discovery-ec2-prod.prometheus.yml",
        "service-discovery-dns.prometheus.yml",
        "service-discovery-files.prometheus.yml",
        "exporters-node.prometheus.yml",
        "alerting-rule-files.prometheus.yml",
        "alerting-rules-instance-down.rules.yml",
        "alertmanager-basic.alertmanager.yml",
        "alertmanager-install.alertmanager.yml",
        "alertmanager-multiple-destinations-with-global.alertmanager.yml",
        "use-case-flask.prometheus.yml",
        "use-case-cloudwatch.prometheus.yml",
        "use-case-consul.prometheus.yml",
        "use-case-ec2.prometheus.yml",
    };

    /// <summary>Examples with a typo (or written for an older Prometheus) and the exact errors Portal must give.</summary>
    public static TheoryData<string, string[]> InvalidExamples() => new()
    {
        {
            "alerting-rules-cpu-usage.rules.yml",
            ["alerting-rules-cpu-usage.rules.yml:5:84: could not parse expression: "]
        },
        {
            "alerting-rules-format.rules.yml",
            ["alerting-rules-format.rules.yml:1:1: this is the Prometheus 1.x rule format (ALERT ... IF ...)"]
        },
        {
            "service-discovery-kubernetes.prometheus.yml",
            [
                "service-discovery-kubernetes.prometheus.yml:5:7: field api_servers not found in type kubernetes_sd_config (did you mean api_server?)",
                "service-discovery-kubernetes.prometheus.yml:7:7: field in_cluster not found in type kubernetes_sd_config",
                "service-discovery-kubernetes.prometheus.yml:11:7: field retry_interval not found in type kubernetes_sd_config",
                "service-discovery-kubernetes.prometheus.yml:16:7: field api_servers not found in type kubernetes_sd_config (did you mean api_server?)",
            ]
        },
        {
            "alertmanager-prometheus-alerting.prometheus.yml",
            ["alertmanager-prometheus-alerting.prometheus.yml:4:1: YAML syntax error: "]
        },
        {
            "alertmanager-install-prometheus.prometheus.yml",
            ["alertmanager-install-prometheus.prometheus.yml:5:7: \"localhost:9093\"\" is not a valid target address: it contains the character \""]
        },
        {
            "security-tls-scrape.prometheus.yml",
            ["security-tls-scrape.prometheus.yml:10:38: YAML syntax error: "]
        },
        {
            "alertmanager-multiple-destinations.alertmanager.yml",
            [
                "alertmanager-multiple-destinations.alertmanager.yml:8:5: no global SMTP smarthost set",
                "alertmanager-multiple-destinations.alertmanager.yml:8:5: no global SMTP from set",
            ]
        },
    };

    private static IReadOnlyList<ConfigError> Errors(string name, out IReadOnlyList<ConfigError> notes)
    {
        var text = File.ReadAllText(Path.Combine(Dir, name));
        if (name.EndsWith(".rules.yml", StringComparison.Ordinal))
        {
            var r = RuleFileLoader.Load(text, name);
            notes = r.Notes;
            return r.Errors;
        }
        if (name.EndsWith(".alertmanager.yml", StringComparison.Ordinal))
        {
            var r = AlertmanagerConfigLoader.Load(text, name);
            notes = r.Notes;
            return r.Errors;
        }
        var p = PrometheusConfigLoader.Load(text, name);
        notes = p.Notes;
        return p.Errors;
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public void ValidExampleLoads(string name)
    {
        var errors = Errors(name, out _);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void TypoIsPointedAt(string name, string[] expected)
    {
        var errors = Errors(name, out _).Select(e => e.ToString()).ToList();
        Assert.Equal(expected.Length, errors.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.StartsWith(expected[i], errors[i]);
    }

    [Fact]
    public void EveryExampleFileIsListed()
    {
        var listed = new HashSet<string>(ValidExamples().Select<object[], string>(r => (string)r[0]).Concat(InvalidExamples().Select<object[], string>(r => (string)r[0])));
        foreach (var f in Directory.GetFiles(Dir, "*.yml")) Assert.Contains(Path.GetFileName(f), listed);
    }

    [Fact]
    public void MismatchedQuoteIsNamed()
    {
        var e = Errors("alerting-rules-cpu-usage.rules.yml", out _)[0];
        Assert.Contains("mismatched quotes", e.Message);
        var line = File.ReadAllLines(Path.Combine(Dir, "alerting-rules-cpu-usage.rules.yml"))[e.Line - 1];
        Assert.Equal('\'', line[e.Column - 1]);
    }

    [Fact]
    public void ElisionAndStrayQuoteGetHints()
    {
        Assert.Contains("elision", Errors("alertmanager-prometheus-alerting.prometheus.yml", out _)[0].Message);
        Assert.Contains("never closed", Errors("security-tls-scrape.prometheus.yml", out _)[0].Message);
    }

    [Fact]
    public void ShellEscapedReplacementLoadsWithNotes()
    {
        var errors = Errors("use-case-consul.prometheus.yml", out var notes);
        Assert.Empty(errors);
        Assert.Equal(3, notes.Count(n => n.Message.Contains("\\$", StringComparison.Ordinal)));
    }
}
