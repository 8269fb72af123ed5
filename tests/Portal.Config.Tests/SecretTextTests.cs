using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;
using Xunit;

namespace Portal.Config.Tests;

public class SecretTextTests
{
    private const string Prometheus = """
        # Scrape settings; keep this comment.
        global:
          scrape_interval: 15s # the default

        scrape_configs:
          - job_name: basic
            basic_auth:
              username: scraper      # not a secret
              password: "pa55-basic"
            static_configs:
              - targets: ['127.0.0.1:9']
          - job_name: bearer
            authorization: { credentials: 'tok-bearer' }
            tls_config:
              key: |
                -----BEGIN PRIVATE KEY-----
                key-body
                -----END PRIVATE KEY-----
              cert: client-cert-is-public
              server_name: example.com
            http_headers:
              X-Token:
                values: [visible]
                secrets: [hdr-secret]
        remote_write:
          - url: http://remote.example/api/v1/write   # a plain URL in Prometheus
            oauth2: { client_id: me, client_secret: oauth-secret, token_url: 'http://t.example' }
        """;

    [Fact]
    public void MasksPrometheusSecretsKeepingCommentsAndLayout()
    {
        var m = SecretText.Mask<PrometheusConfig>(Prometheus);
        foreach (var s in new[] { "pa55-basic", "tok-bearer", "key-body", "hdr-secret", "oauth-secret" })
        {
            Assert.DoesNotContain(s, m.Text);
            Assert.Contains(m.Secrets, v => v.Contains(s, StringComparison.Ordinal));
        }
        Assert.Contains("# Scrape settings; keep this comment.", m.Text);
        Assert.Contains("username: scraper      # not a secret", m.Text);
        Assert.Contains("password: <secret>\n", m.Text);
        Assert.Contains("authorization: { credentials: <secret> }", m.Text);
        Assert.Contains("key: <secret>\n      cert: client-cert-is-public", m.Text);
        Assert.Contains("values: [visible]", m.Text);
        Assert.Contains("url: http://remote.example/api/v1/write   # a plain URL in Prometheus", m.Text);
        Assert.Equal(Prometheus.Split('\n').Length - 3, m.Text.Split('\n').Length);
        var reloaded = PrometheusConfigLoader.Load(m.Text, "p.yml");
        Assert.True(reloaded.Success, string.Join("\n", reloaded.Errors));
    }

    [Fact]
    public void MasksAlertmanagerSecretsByTheirPlaceInTheModel()
    {
        const string yaml = """
            global:
              smtp_smarthost: mail.example.com:587
              smtp_from: am@example.com
              smtp_auth_password: smtp-secret
              slack_api_url: https://hooks.slack.com/services/T/B/global-slack
              http_config:
                basic_auth: { username: u, password: &pw glob-pass }
            route: { receiver: ops }
            receivers:
              - name: ops
                webhook_configs:
                  - url: http://hooks.example/secret-path
                    http_config:
                      authorization:
                        credentials: *pw
                slack_configs:
                  - api_url: 'https://hooks.slack.com/services/T/B/per-receiver'
                    title: not secret
                email_configs:
                  - to: ops@example.com
                    auth_password: "mail-secret"
            """;
        var m = SecretText.Mask<AlertmanagerConfig>(yaml);
        foreach (var s in new[] { "smtp-secret", "global-slack", "glob-pass", "secret-path", "per-receiver", "mail-secret" })
            Assert.DoesNotContain(s, m.Text);
        Assert.Contains("to: ops@example.com", m.Text);
        Assert.Contains("title: not secret", m.Text);
        Assert.Contains("credentials: *pw", m.Text);
        Assert.True(AlertmanagerConfigLoader.Load(m.Text, "am.yml").Success, string.Join("\n", AlertmanagerConfigLoader.Load(m.Text, "am.yml").Errors));
        Assert.Equal("bad url <secret>", m.Redact("bad url http://hooks.example/secret-path"));
    }

    [Fact]
    public void UnknownKeysAndBrokenYamlFallBackToSecretFieldNames()
    {
        var typo = SecretText.Mask<AlertmanagerConfig>("receivers:\n  - name: x\n    webhok_configs:\n      - url: http://h.example/typo-secret\n");
        Assert.DoesNotContain("typo-secret", typo.Text);
        Assert.Contains("webhok_configs", typo.Text);

        var broken = SecretText.Mask<PrometheusConfig>("scrape_configs:\n  - job_name: a\n    basic_auth:\n      password: broken-secret\n    x: [unclosed\n");
        Assert.DoesNotContain("broken-secret", broken.Text);
        Assert.Contains("password: <secret>", broken.Text);
        Assert.Contains("x: [unclosed", broken.Text);
        Assert.Contains("password", SecretText.SecretKeyNames);
        Assert.Contains("api_url", SecretText.SecretKeyNames);
        Assert.DoesNotContain("username", SecretText.SecretKeyNames);
    }

    [Fact]
    public void RuleFilesHaveNothingToMask()
    {
        const string rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations: { password: shown-as-written }\n";
        Assert.Equal(rules, SecretText.Mask<RuleFile>(rules).Text);
    }
}
