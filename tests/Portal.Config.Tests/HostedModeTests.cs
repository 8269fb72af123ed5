using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;

namespace Portal.Config.Tests;

public class HostedModeTests
{
    private static IReadOnlyList<string> Prom(string yaml, bool allowPrivate = false)
    {
        var r = PrometheusConfigLoader.Load(yaml, "p.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return HostedModeValidator.Validate(r.Config!, new HostedModeOptions { FileName = "p.yml", AllowPrivateNetworks = allowPrivate })
            .Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void PublicConfigPasses()
    {
        Assert.Empty(Prom("""
            global: {scrape_interval: 30s, external_labels: {tenant: a}}
            scrape_configs:
              - job_name: web
                scheme: https
                basic_auth: {username: u, password: p}
                static_configs:
                  - targets: ['example.com:443', '203.0.113.7:9100']
            """));
    }

    [Fact]
    public void ServerFilesAreRefusedWithPositions()
    {
        var errs = Prom("""
            rule_files: ['/etc/prometheus/*.rules']
            scrape_configs:
              - job_name: a
                bearer_token_file: /var/run/secrets/token
                tls_config:
                  ca_file: /etc/ssl/ca.pem
                file_sd_configs:
                  - files: ['/etc/targets/*.json']
                static_configs:
                  - targets: ['example.com:80']
            """);
        Assert.Contains("p.yml:1:13: rule_files names files on the server; in hosted mode upload rule groups to Portal instead", errs);
        Assert.Contains("p.yml:4:24: credentials_file reads a file on the server; in hosted mode give the value inline instead", errs);
        Assert.Contains("p.yml:6:16: ca_file reads a file on the server; in hosted mode give the value inline instead", errs);
        Assert.Contains("p.yml:8:9: file_sd_configs reads target files from the server's disk; in hosted mode use static_configs or http_sd_configs", errs);
        Assert.Equal(4, errs.Count);
    }

    [Theory]
    [InlineData("localhost:9090", "the server itself (localhost)")]
    [InlineData("127.0.0.1:9100", "the server itself (a loopback address)")]
    [InlineData("10.1.2.3:9100", "a private network address")]
    [InlineData("169.254.169.254:80", "a link-local address (cloud metadata services live here)")]
    [InlineData("[::1]:9090", "the server itself (a loopback address)")]
    public void PrivateTargetsAreRefused(string target, string reason)
    {
        var yaml = $"scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['{target}']\n";
        var errs = Prom(yaml);
        Assert.Equal([$"p.yml:4:18: {target} points at {reason}; a hosted tenant may only reach public addresses"], errs);
        Assert.Empty(Prom(yaml, allowPrivate: true));
    }

    [Fact]
    public void ServerWideSettingsAndServerCredentialsAreRefused()
    {
        var errs = Prom("""
            storage: {tsdb: {out_of_order_time_window: 1h}}
            runtime: {gogc: 50}
            scrape_configs:
              - job_name: ec2
                ec2_sd_configs: [{region: eu-west-1}]
              - job_name: k8s
                kubernetes_sd_configs: [{role: pod}]
              - job_name: proxy
                proxy_from_environment: true
            """);
        Assert.Contains(errs, e => e.StartsWith("p.yml:1:10: storage settings apply to the whole server", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.StartsWith("p.yml:2:10: runtime settings", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.Contains("ec2_sd_configs without access_key/secret_key", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.Contains("kubernetes_sd_configs without api_server", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.StartsWith("p.yml:9:29: proxy_from_environment uses the server's environment", StringComparison.Ordinal));
    }

    [Fact]
    public void AlertmanagerFilesTemplatesAndPrivateWebhooksAreRefused()
    {
        var r = AlertmanagerConfigLoader.Load("""
            global:
              smtp_smarthost: 'smtp.example.com:587'
              smtp_from: a@example.com
              smtp_auth_password_file: /etc/am/pass
            templates: ['/etc/alertmanager/*.tmpl']
            route: {receiver: r}
            receivers:
              - name: r
                webhook_configs:
                  - url: http://127.0.0.1:5001/hook
                email_configs:
                  - to: b@example.com
            """, "am.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var errs = HostedModeValidator.Validate(r.Config!, new HostedModeOptions { FileName = "am.yml" }).Select(e => e.ToString()).ToList();
        Assert.Contains("am.yml:4:28: smtp_auth_password_file reads a file on the server; in hosted mode give the value inline instead", errs);
        Assert.Contains("am.yml:5:12: templates names template files on the server; in hosted mode upload templates to Portal instead", errs);
        Assert.Contains("am.yml:10:14: http://127.0.0.1:5001/hook points at the server itself (a loopback address); a hosted tenant may only reach public addresses", errs);
        Assert.Equal(3, errs.Count);
    }

    [SharedFact]
    public void UpstreamGoodConfigHasEveryKindOfRefusal()
    {
        var r = PrometheusConfigLoader.LoadFile(SharedData.Path_("upstream", "prometheus", "config", "testdata", "conf.good.yml"));
        var errs = HostedModeValidator.Validate(r.Config!);
        Assert.Contains(errs, e => e.Message.StartsWith("file_sd_configs", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.Message.StartsWith("password_file", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.Message.StartsWith("rule_files", StringComparison.Ordinal));
        Assert.All(errs, e => Assert.True(e.Line > 1 || e.Column >= 1));
    }
}
