using Bunit;
using Portal.Config.Alertmanager;
using Portal.Data;
using Portal.Web.Alerting;
using Portal.Web.Components.Alerting;

namespace Portal.Web.Tests.Pages;

/// <summary>Basic auth and bearer tokens on team webhook receivers: edited in the form, stored in http_config, hidden from viewers.</summary>
public sealed class ReceiverAuthTests : IAsyncLifetime
{
    private readonly PageTestContext _t = new(alerting: true);

    public Task InitializeAsync() => _t.InitializeAsync();

    public Task DisposeAsync() => _t.DisposeAsync();

    [Fact]
    public void EditorsSetBasicAuthWhichLandsInTheReceiversHttpConfig()
    {
        ReceiverForm? saved = null;
        var form = new ReceiverForm { Auth = WebhookAuth.Basic };
        var cut = _t.Ctx.Render<ReceiverEditor>(p => p
            .Add(c => c.Form, form)
            .Add(c => c.Save, f => { saved = f; return Task.FromResult<IReadOnlyList<string>>([]); }));
        cut.Find("#receiver-name").Input("hook");
        cut.Find("#receiver-url").Input("https://hooks.example.com/am");
        cut.Find("[data-testid=receiver-save]").Click();
        Assert.Contains("User name: basic auth needs a user name", cut.Find("[data-testid=receiver-errors]").TextContent);

        cut.Find("#receiver-auth-username").Input("alertmanager");
        cut.Find("#receiver-auth-secret").Input("s3cret-pass");
        Assert.Equal("password", cut.Find("#receiver-auth-secret").GetAttribute("type"));
        cut.Find("[data-testid=receiver-save]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(saved));
        var json = saved!.ToJson();
        Assert.Equal("""{"send_resolved":true,"url":"https://hooks.example.com/am","http_config":{"basic_auth":{"username":"alertmanager","password":"s3cret-pass"}}}""", json);

        // The generated alertmanager.yml carries it to the webhook notifier.
        var tree = TeamRoutingTree.Generate(null, [new TeamRouting("payments", [new TeamReceiverSpec("hook", "webhook_configs", json)], new TeamRouteSpec([], null, null, null, null))]);
        Assert.True(tree.Success, string.Join("; ", tree.Errors));
        var webhook = tree.Config!.Receivers!.Single(r => r!.Name == "payments/hook")!.WebhookConfigs!.Single()!;
        Assert.Equal("s3cret-pass", webhook.HttpConfig!.BasicAuth!.Password!.Value);
        Assert.DoesNotContain("s3cret-pass", Portal.Config.ConfigSerializer.ToYaml(tree.Config, maskSecrets: true));
    }

    [Fact]
    public void BearerTokensRoundTripAndSwitchingAuthKeepsOtherHttpConfigKeys()
    {
        var stored = new TeamReceiver
        {
            Id = 4, TenantId = "t", Name = "hook", Kind = ReceiverKind.Webhook,
            SettingsJson = """{"url":"https://h.example/x","http_config":{"bearer_token":"legacy-token","follow_redirects":false}}""",
        };
        var form = ReceiverForm.Of(stored);
        Assert.Equal(WebhookAuth.Bearer, form.Auth);
        Assert.Equal("legacy-token", form.AuthSecret);
        form.AuthSecret = "new-token";
        Assert.Equal("""{"url":"https://h.example/x","http_config":{"follow_redirects":false,"authorization":{"type":"Bearer","credentials":"new-token"}},"send_resolved":true}""", form.ToJson());
        form.Auth = WebhookAuth.None;
        Assert.Equal("""{"url":"https://h.example/x","http_config":{"follow_redirects":false},"send_resolved":true}""", form.ToJson());
        Assert.Empty(form.Validate());
        form.Auth = WebhookAuth.Bearer;
        form.AuthSecret = "";
        Assert.Contains(form.Validate(), e => e.StartsWith("Token:", StringComparison.Ordinal));
    }

    [Fact]
    public void ViewersSeeThatASecretIsSetButNotTheSecret()
    {
        var form = ReceiverForm.Of(new TeamReceiver
        {
            Id = 5, TenantId = "t", Name = "hook", Kind = ReceiverKind.Webhook,
            SettingsJson = """{"url":"https://h.example/x","http_config":{"basic_auth":{"username":"am","password":"viewer-must-not-see"}}}""",
        });
        var cut = _t.Ctx.Render<ReceiverEditor>(p => p.Add(c => c.Form, form).Add(c => c.ReadOnly, true));
        Assert.Equal("am", cut.Find("#receiver-auth-username").GetAttribute("value"));
        Assert.Equal("<secret>", cut.Find("#receiver-auth-secret").GetAttribute("value"));
        Assert.True(cut.Find("#receiver-auth-secret").HasAttribute("readonly"));
        Assert.DoesNotContain("viewer-must-not-see", cut.Markup);
    }
}
