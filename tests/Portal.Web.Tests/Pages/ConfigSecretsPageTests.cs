using Bunit;
using MudBlazor;
using Portal.Data;
using Portal.Web.Hosting;
using ConfigPage = Portal.Web.Components.Pages.Config;

namespace Portal.Web.Tests.Pages;

/// <summary>
/// /config against the real portal: viewers see every stored document, its revisions and its diff with the secrets
/// masked; editors see and edit the real text; another tenant sees none of it.
/// </summary>
public sealed class ConfigSecretsPageTests(AlertingAppFixture f) : IClassFixture<AlertingAppFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private const string SlackUrl = "https://hooks.slack.com/services/T1/B1/slack-hidden-from-viewers";
    private const string SmtpPassword = "smtp-hidden-from-viewers";
    private const string BasicPassword = "basic-hidden-from-viewers";
    private const string Bearer = "bearer-hidden-from-viewers";
    private const string WebhookUrl = "http://hooks.example/webhook-hidden-from-viewers";

    private static readonly string[] Secrets =
        ["slack-hidden-from-viewers", SmtpPassword, BasicPassword, Bearer, "webhook-hidden-from-viewers"];

    private static string Email(string tenant, TenantRole role) => $"{role.ToString().ToLowerInvariant()}@{tenant}.example";

    private static string Prometheus(string interval) => $"""
        # Jobs of the secret team.
        global:
          scrape_interval: {interval}
        scrape_configs:
          - job_name: basic
            basic_auth:
              username: scraper
              password: '{BasicPassword}'
            static_configs:
              - targets: ['127.0.0.1:9']
          - job_name: bearer
            authorization:
              credentials: {Bearer}
            static_configs:
              - targets: ['127.0.0.1:9']
        """;

    private const string Alertmanager = $"""
        route:
          receiver: ops
        receivers:
          - name: ops
            slack_configs:
              - api_url: '{SlackUrl}'
                channel: '#ops'
            email_configs:
              - to: ops@example.com
                smarthost: mail.example.com:587
                from: portal@example.com
                auth_username: portal
                auth_password: "{SmtpPassword}"
            webhook_configs:
              - url: {WebhookUrl}
        """;

    private async Task ApplyAsync(string tenant)
    {
        var configs = f.Get<TenantConfigService>();
        foreach (var (kind, name, yaml) in new[]
                 {
                     (ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, Prometheus("30s")),
                     (ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, Prometheus("1m")),
                     (ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument, Alertmanager),
                 })
        {
            var r = await configs.ApplyAsync(tenant, kind, name, yaml, "setup@example.com");
            Assert.True(r.Applied, string.Join("; ", r.Errors));
        }
    }

    private static string Editor(IRenderedComponent<ConfigPage> page) => page.Find("[data-testid=config-editor]").GetAttribute("value") ?? "";

    private static async Task ShowAlertmanagerAsync(IRenderedComponent<ConfigPage> page)
    {
        var select = page.FindComponent<MudSelect<ConfigKind>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(ConfigKind.Alertmanager));
        page.WaitForAssertion(() => Assert.Contains("receiver: ops", Editor(page)), Wait);
    }

    [Fact]
    public async Task ViewersSeeEveryStoredDocumentRevisionAndDiffWithSecretsMasked()
    {
        var a = await f.TenantAsync("config-secrets-a", withRule: false);
        var b = await f.TenantAsync("config-secrets-b", withRule: false);
        await ApplyAsync("config-secrets-a");

        await using (var viewer = f.View(a[TenantRole.Viewer], Email("config-secrets-a", TenantRole.Viewer)))
        {
            var page = viewer.Render<ConfigPage>();
            page.WaitForAssertion(() => Assert.Contains("job_name: bearer", Editor(page)), Wait);
            var text = Editor(page);
            Assert.Contains("# Jobs of the secret team.", text);
            Assert.Contains("password: <secret>", text);
            Assert.Contains("credentials: <secret>", text);
            Assert.True(page.Find("[data-testid=config-editor]").HasAttribute("readonly"));

            // The older revision, opened from the history, and its diff against the running one: masked too.
            page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=history] tbody tr").Count), Wait);
            page.FindAll("[data-testid=history] tbody tr").Last().QuerySelector("button")!.Click();
            page.WaitForAssertion(() => Assert.Contains("scrape_interval: 30s", Editor(page)), Wait);
            Assert.Contains("+   scrape_interval: 30s", page.Find("[data-testid=diff]").TextContent);
            foreach (var s in Secrets) Assert.DoesNotContain(s, page.Markup);

            await ShowAlertmanagerAsync(page);
            text = Editor(page);
            Assert.Contains("api_url: <secret>", text);
            Assert.Contains("auth_password: <secret>", text);
            Assert.Contains("url: <secret>", text);
            Assert.Contains("auth_username: portal", text);
            foreach (var s in Secrets) Assert.DoesNotContain(s, page.Markup);
        }

        await using (var editor = f.View(a[TenantRole.Editor], Email("config-secrets-a", TenantRole.Editor)))
        {
            var page = editor.Render<ConfigPage>();
            page.WaitForAssertion(() => Assert.Contains(BasicPassword, Editor(page)), Wait);
            Assert.Contains(Bearer, Editor(page));
            Assert.False(page.Find("[data-testid=config-editor]").HasAttribute("readonly"));
            await ShowAlertmanagerAsync(page);
            foreach (var s in new[] { SlackUrl, SmtpPassword, WebhookUrl }) Assert.Contains(s, Editor(page));
        }

        await using (var other = f.View(b[TenantRole.Owner], Email("config-secrets-b", TenantRole.Owner)))
        {
            var page = other.Render<ConfigPage>();
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=config-empty]")), Wait);
            Assert.Empty(page.FindAll("[data-testid=history]"));
            var select = page.FindComponent<MudSelect<ConfigKind>>();
            await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(ConfigKind.Alertmanager));
            page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=config-empty]")), Wait);
            Assert.DoesNotContain("receiver: ops", page.Markup);
            Assert.DoesNotContain("job_name: bearer", page.Markup);
            foreach (var s in Secrets) Assert.DoesNotContain(s, page.Markup);
        }
    }
}
