using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

/// <summary>Secrets in tenants' configuration are encrypted in the metadata database and never shown back in full.</summary>
public class SecretsTests : IAsyncLifetime
{
    private const string Tenant = "secret-team";
    private const string SmtpPassword = "smtp-Pa55-shown-nowhere";
    private const string SlackUrl = "https://hooks.slack.com/services/T1/B1/slack-shown-nowhere";
    private const string WebhookUrl = "http://127.0.0.1:9/webhook-shown-nowhere";
    private const string ScrapePassword = "scrape-Pa55-shown-nowhere";
    private const string Bearer = "bearer-shown-nowhere";

    private readonly PortalFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _client = _factory.ClientWithToken(await _factory.TokenAsync(Tenant, TokenScopes.Read | TokenScopes.Alerts));

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static readonly string[] Secrets = [SmtpPassword, "slack-shown-nowhere", "webhook-shown-nowhere", ScrapePassword, Bearer];

    private async Task<string> GetAsync(string path)
    {
        var r = await _client.GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {(int)r.StatusCode} {body}");
        return body;
    }

    [Fact]
    public async Task ConfigurationSecretsAreEncryptedAtRestAndMaskedWhereverConfigurationIsShown()
    {
        var configs = _factory.Services.GetRequiredService<TenantConfigService>();
        var alertmanager = $"""
            global:
              smtp_smarthost: 'mail.example.com:587'
              smtp_from: 'portal@example.com'
              smtp_auth_username: 'portal'
              smtp_auth_password: '{SmtpPassword}'
              slack_api_url: '{SlackUrl}'
            route:
              receiver: ops
            receivers:
              - name: ops
                email_configs:
                  - to: 'ops@example.com'
                slack_configs:
                  - channel: '#ops'
                webhook_configs:
                  - url: '{WebhookUrl}'
            """;
        var am = await configs.ApplyAsync(Tenant, ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument, alertmanager, "test");
        Assert.True(am.Applied, string.Join("\n", am.Errors));
        var prometheus = $"""
            scrape_configs:
              - job_name: basic
                basic_auth:
                  username: scraper
                  password: '{ScrapePassword}'
                static_configs:
                  - targets: ['127.0.0.1:9']
              - job_name: bearer
                authorization:
                  credentials: '{Bearer}'
                static_configs:
                  - targets: ['127.0.0.1:9']
            """;
        var prom = await configs.ApplyAsync(Tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, prometheus, "test");
        Assert.True(prom.Applied, string.Join("\n", prom.Errors));

        // Shown back: the Alertmanager status API and the Prometheus config status, masked.
        var amStatus = JsonDocument.Parse(await GetAsync("/alertmanager/api/v2/status")).RootElement;
        var original = amStatus.GetProperty("config").GetProperty("original").GetString()!;
        Assert.Contains("receiver: ops", original);
        Assert.Contains("<secret>", original);
        var promStatus = JsonDocument.Parse(await GetAsync("/api/v1/status/config")).RootElement;
        var shown = promStatus.GetProperty("data").GetProperty("yaml").GetString()!;
        Assert.Contains("job_name: bearer", shown);
        Assert.Contains("<secret>", shown);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, original);
            Assert.DoesNotContain(secret, shown);
        }

        // At rest: the stored YAML is ciphertext, and the portal reads it back intact.
        var store = _factory.Services.GetRequiredService<ConfigRevisionStore>();
        var current = await store.CurrentAsync(Tenant, ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument);
        Assert.Equal(alertmanager, current!.Yaml);
        var stored = await RawYamlAsync();
        Assert.Equal(2, stored.Count);
        foreach (var raw in stored)
        {
            Assert.StartsWith(ProtectedColumns.Prefix, raw);
            foreach (var secret in Secrets) Assert.DoesNotContain(secret, raw);
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_factory.StoragePath, "keys", "dataprotection"), "*.xml"));
    }

    /// <summary>The tenant's stored configuration documents exactly as the database holds them.</summary>
    private async Task<List<string>> RawYamlAsync()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        DbConnection conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"Yaml\" FROM \"ConfigRevisions\" WHERE \"TenantId\" = @t";
        var p = cmd.CreateParameter();
        p.ParameterName = "@t";
        p.Value = Tenant;
        cmd.Parameters.Add(p);
        var values = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
