using Portal.Config.Alertmanager;

namespace Portal.Config.Tests;

public sealed class TeamRoutingTreeTests
{
    private const string HandWritten = """
        global:
          smtp_smarthost: smtp.example.com:25
          smtp_from: am@example.com
          smtp_require_tls: false
        route:
          receiver: ops
          group_by: [alertname]
          routes:
            - matchers: ['severity="info"']
              receiver: ops
        receivers:
          - name: ops
            webhook_configs:
              - url: http://ops.example.com/hook
        """;

    private static TeamRouting Payments(params TeamReceiverSpec[] receivers) =>
        new("payments", receivers, new TeamRouteSpec([], ["alertname", "instance"], "10s", "1m", "3h"));

    [Fact]
    public void TeamRoutesComeBeforeHandWrittenRoutesAndRoundTripThroughTheLoader()
    {
        var r = TeamRoutingTree.Generate(HandWritten,
        [
            Payments(new TeamReceiverSpec("hook", "webhook_configs", """{"url":"http://127.0.0.1:9/hook","send_resolved":true}"""),
                     new TeamReceiverSpec("mail", "email_configs", """{"to":"pay@example.com"}""")),
            new("search", [new("slack", "slack_configs", """{"api_url":"https://hooks.slack.com/services/X","channel":"#search","title":"{{ .CommonLabels.alertname }}"}""")],
                new TeamRouteSpec(["service=~\"search|index\"", "severity!=\"info\""])),
            new("idle", [], new TeamRouteSpec([])),
        ]);
        Assert.True(r.Success, string.Join("\n", r.Errors) + "\n" + r.Yaml);
        var c = r.Config!;
        Assert.Equal("ops", c.Route!.Receiver);
        var routes = c.Route.Routes!;
        Assert.Equal(3, routes.Count);

        var pay = routes[0];
        Assert.Equal(["team=\"payments\""], pay.Matchers);
        Assert.Equal("team=\"payments\"", pay.AllMatchers.Single().ToString());
        Assert.Equal(["alertname", "instance"], pay.GroupBy);
        Assert.Equal("10s", pay.GroupWait.ToString());
        Assert.Equal("1m", pay.GroupInterval.ToString());
        Assert.Equal("3h", pay.RepeatInterval.ToString());
        Assert.False(pay.Continue);
        Assert.Equal("payments/hook", pay.Receiver);
        Assert.Equal(["payments/hook", "payments/mail"], pay.Routes!.Select(x => x.Receiver));
        Assert.All(pay.Routes!, x => Assert.True(x.Continue));
        Assert.All(pay.Routes!, x => Assert.Empty(x.AllMatchers));

        var search = routes[1];
        Assert.Equal(2, search.AllMatchers.Count);
        Assert.Equal("search/slack", search.Routes!.Single().Receiver);
        Assert.Equal(["severity=\"info\""], routes[2].Matchers);

        var receivers = c.Receivers!.ToDictionary(x => x.Name!);
        Assert.Equal(["ops", "payments/hook", "payments/mail", "search/slack"], receivers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("http://127.0.0.1:9/hook", receivers["payments/hook"].WebhookConfigs!.Single().Url!.Value);
        Assert.True(receivers["payments/hook"].WebhookConfigs!.Single().SendResolved);
        var mail = receivers["payments/mail"].EmailConfigs!.Single();
        Assert.Equal("pay@example.com", mail.To);
        Assert.Equal("smtp.example.com:25", mail.Smarthost);
        Assert.Equal("{{ .CommonLabels.alertname }}", receivers["search/slack"].SlackConfigs!.Single().Title);

        // The generated text is a plain alertmanager.yml: loading it again gives the same tree.
        var again = AlertmanagerConfigLoader.Load(r.Yaml, "again");
        Assert.True(again.Success, string.Join("\n", again.Errors));
        Assert.Equal(ConfigSerializer.ToYaml(c, maskSecrets: false), ConfigSerializer.ToYaml(again.Config!, maskSecrets: false));
    }

    [Fact]
    public void WithoutHandWrittenConfigurationTheDefaultRootReceivesTheRest()
    {
        var r = TeamRoutingTree.Generate(null, [Payments(new TeamReceiverSpec("hook", "webhook_configs", """{"url":"http://127.0.0.1:9/"}"""))]);
        Assert.True(r.Success, string.Join("\n", r.Errors));
        Assert.Equal("default", r.Config!.Route!.Receiver);
        Assert.Equal("payments/hook", r.Config.Route.Routes!.Single().Receiver);
        Assert.Contains("- name: \"payments/hook\"", r.Yaml);
    }

    [Fact]
    public void TeamNamesWithQuotesAreQuotedInTheDefaultMatcher()
    {
        var r = TeamRoutingTree.Generate(null, [new("a \"b\"", [new("x", "webhook_configs", """{"url":"http://127.0.0.1:9/"}""")], new TeamRouteSpec([]))]);
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var m = r.Config!.Route!.Routes!.Single().AllMatchers.Single();
        Assert.Equal("team", m.Name);
        Assert.Equal("a \"b\"", m.Value);
    }

    [Fact]
    public void ProblemsNameTheTeamAndReceiver()
    {
        var clash = TeamRoutingTree.Generate("route:\n  receiver: p/x\nreceivers:\n  - name: p/x\n",
            [new("p", [new("x", "webhook_configs", """{"url":"http://127.0.0.1:9/"}""")], new TeamRouteSpec([]))]);
        Assert.False(clash.Success);
        Assert.Contains(clash.Errors, e => e.Message.Contains("team \"p\"") && e.Message.Contains("already used"));

        var badJson = TeamRoutingTree.Generate(null, [new("p", [new("x", "webhook_configs", "{not json")], new TeamRouteSpec([]))]);
        Assert.Contains(badJson.Errors, e => e.Message.Contains("receiver \"x\"") && e.Message.Contains("not valid JSON"));

        var badUrl = TeamRoutingTree.Generate(null, [new("p", [new("x", "webhook_configs", """{"url":"not a url"}""")], new TeamRouteSpec([]))]);
        Assert.False(badUrl.Success);

        var badMatcher = TeamRoutingTree.Generate(null, [new("p", [new("x", "webhook_configs", """{"url":"http://127.0.0.1:9/"}""")], new TeamRouteSpec(["team=~\"(\""]))]);
        Assert.False(badMatcher.Success);

        var badDuration = TeamRoutingTree.Generate(null, [new("p", [new("x", "webhook_configs", """{"url":"http://127.0.0.1:9/"}""")], new TeamRouteSpec([], null, "soon"))]);
        Assert.False(badDuration.Success);
    }

    [Fact]
    public void NoTeamsLeavesTheHandWrittenDocumentAsItIs()
    {
        var r = TeamRoutingTree.Generate(HandWritten, [new("idle", [], new TeamRouteSpec([]))]);
        Assert.True(r.Success);
        Assert.Equal(HandWritten, r.Yaml);
        Assert.Equal("payments", TeamRoutingTree.TeamOf("payments/hook"));
        Assert.Null(TeamRoutingTree.TeamOf("ops"));
    }
}
