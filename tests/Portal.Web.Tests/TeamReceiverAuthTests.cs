using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Web.Alerting;

namespace Portal.Web.Tests;

/// <summary>A team webhook receiver's basic auth or bearer token, saved through the Teams service, reaches the webhook; other tenants cannot use it.</summary>
public sealed class TeamReceiverAuthTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static string NewTenant(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task TestNotificationsCarryTheReceiversCredentialsAndTheEffectiveYamlMasksThem()
    {
        using var hook = new LocalWebhook();
        var tenant = NewTenant("auth");
        var other = NewTenant("auth");
        await factory.TokenAsync(tenant, TokenScopes.Read);
        await factory.TokenAsync(other, TokenScopes.Read);
        var svc = factory.Services.GetRequiredService<TeamAlertingService>();
        var team = await svc.CreateTeamAsync(tenant, "payments", "test");
        Assert.True(team.Ok, string.Join("; ", team.Errors));

        var basic = new ReceiverForm { Name = "basic", Url = hook.Url, Auth = WebhookAuth.Basic, AuthUsername = "am", AuthSecret = "basic-pass-hidden" };
        var bearer = new ReceiverForm { Name = "bearer", Url = hook.Url, Auth = WebhookAuth.Bearer, AuthSecret = "bearer-token-hidden" };
        var saved = new List<long>();
        foreach (var f in new[] { basic, bearer })
        {
            var r = await svc.SaveReceiverAsync(tenant, team.Id, 0, f.Name, ReceiverKind.Webhook, f.ToJson(), "test");
            Assert.True(r.Ok, string.Join("; ", r.Errors));
            saved.Add(r.Id);
        }

        foreach (var id in saved)
        {
            var result = await svc.TestAsync(tenant, id);
            Assert.True(result.Single().Success, result.Single().Error);
        }
        Assert.Equal(["Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("am:basic-pass-hidden")), "Bearer bearer-token-hidden"], hook.Authorizations.ToArray());

        var (yaml, errors) = await svc.EffectiveYamlAsync(tenant);
        Assert.Empty(errors);
        Assert.Contains("basic_auth:", yaml);
        Assert.Contains("<secret>", yaml);
        Assert.DoesNotContain("basic-pass-hidden", yaml);
        Assert.DoesNotContain("bearer-token-hidden", yaml);

        // Another tenant can neither send through these receivers nor see them in its own tree.
        var foreign = await svc.TestAsync(other, saved[0]);
        Assert.False(foreign.Single().Success);
        Assert.Contains("no such receiver in this tenant", foreign.Single().Error);
        var (otherYaml, _) = await svc.EffectiveYamlAsync(other);
        Assert.DoesNotContain("payments", otherYaml);
        Assert.Equal(2, hook.Authorizations.Count);
    }

    [Fact]
    public async Task AnAlertmanagerYmlWhoseHttpConfigCannotBeUsedIsRefusedAtApply()
    {
        var tenant = NewTenant("ca");
        await factory.TokenAsync(tenant, TokenScopes.Read);
        const string yaml = """
            route:
              receiver: hook
            receivers:
              - name: hook
                webhook_configs:
                  - url: https://hooks.example/x
                    http_config:
                      tls_config:
                        ca: not a certificate
            """;
        var configs = factory.Services.GetRequiredService<Portal.Web.Hosting.TenantConfigService>();
        var r = await configs.ApplyAsync(tenant, ConfigKind.Alertmanager, Portal.Web.Hosting.TenantConfigService.AlertmanagerDocument, yaml, "test");
        Assert.False(r.Applied);
        var e = Assert.Single(r.Errors);
        Assert.Contains("receiver \"hook\": webhook_configs http_config (line 8, column 11)", e.Message);
        Assert.Contains("CA", e.Message);
        Assert.Null(await factory.Services.GetRequiredService<ConfigRevisionStore>().CurrentAsync(tenant, ConfigKind.Alertmanager, Portal.Web.Hosting.TenantConfigService.AlertmanagerDocument));
    }
}
