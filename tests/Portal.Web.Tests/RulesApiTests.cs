using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Model;
using Portal.Rules;
using Portal.Tenancy;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

/// <summary>/api/v1/rules and /api/v1/alerts over rules applied as configuration revisions.</summary>
public sealed class RulesApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string AlertsFile = """
        groups:
          - name: node
            rules:
              - alert: NodeDown
                expr: up{job="node"} == 0
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.instance }} is down"
              - record: job:up:sum
                expr: sum by (job) (up)
          - name: other
            interval: 30s
            limit: 10
            rules:
              - record: one
                expr: vector(1)
                labels:
                  team: core
        """;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<(string Tenant, HttpClient Client, TenantEngine Engine)> TenantWithRulesAsync()
    {
        var tenant = "r" + Guid.NewGuid().ToString("N")[..10];
        var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var result = await configs.ApplyAsync(tenant, ConfigKind.Rules, "alerts.yml", AlertsFile, "test");
        Assert.True(result.Applied, string.Join("; ", result.Errors));
        var engine = factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        var now = DateTimeOffset.UtcNow;
        factory.Append(tenant, Labels.FromStrings("__name__", "up", "job", "node", "instance", "h1:9100"), (now.ToUnixTimeMilliseconds() - 1000, 0));
        foreach (var g in engine.Rules.Groups) g.Evaluate(now);
        return (tenant, client, engine);
    }

    private static List<string> Names(JsonElement o) => o.EnumerateObject().Select(p => p.Name).ToList();

    [Fact]
    public async Task RulesAnswerInPrometheusShape()
    {
        var (_, client, _) = await TenantWithRulesAsync();
        var r = await client.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var json = await JsonAsync(r);
        Assert.Equal("success", json.GetProperty("status").GetString());
        var groups = json.GetProperty("data").GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["node", "other"], groups.Select(g => g.GetProperty("name").GetString()));
        var node = groups[0];
        Assert.Equal(["name", "file", "rules", "interval", "limit", "evaluationTime", "lastEvaluation"], Names(node));
        Assert.Equal("alerts.yml", node.GetProperty("file").GetString());
        Assert.Equal(60, node.GetProperty("interval").GetDouble());
        Assert.Equal(0, node.GetProperty("limit").GetInt32());
        Assert.Equal(30, groups[1].GetProperty("interval").GetDouble());
        Assert.Equal(10, groups[1].GetProperty("limit").GetInt32());

        var alerting = node.GetProperty("rules")[0];
        Assert.Equal(["state", "name", "query", "duration", "keepFiringFor", "labels", "annotations", "alerts", "health", "evaluationTime", "lastEvaluation", "type"], Names(alerting));
        Assert.Equal("pending", alerting.GetProperty("state").GetString());
        Assert.Equal("NodeDown", alerting.GetProperty("name").GetString());
        Assert.Equal("up{job=\"node\"} == 0", alerting.GetProperty("query").GetString());
        Assert.Equal(300, alerting.GetProperty("duration").GetDouble());
        Assert.Equal("{\"severity\":\"page\"}", alerting.GetProperty("labels").GetRawText());
        Assert.Equal("{\"summary\":\"{{ $labels.instance }} is down\"}", alerting.GetProperty("annotations").GetRawText());
        Assert.Equal("ok", alerting.GetProperty("health").GetString());
        Assert.Equal("alerting", alerting.GetProperty("type").GetString());
        var alert = Assert.Single(alerting.GetProperty("alerts").EnumerateArray());
        Assert.Equal(["labels", "annotations", "state", "activeAt", "value"], Names(alert));
        Assert.Equal("{\"alertname\":\"NodeDown\",\"instance\":\"h1:9100\",\"job\":\"node\",\"severity\":\"page\"}", alert.GetProperty("labels").GetRawText());
        Assert.Equal("{\"summary\":\"h1:9100 is down\"}", alert.GetProperty("annotations").GetRawText());
        Assert.Equal("0e+00", alert.GetProperty("value").GetString());
        Assert.EndsWith("Z", alert.GetProperty("activeAt").GetString());

        var recording = node.GetProperty("rules")[1];
        Assert.Equal(["name", "query", "health", "evaluationTime", "lastEvaluation", "type"], Names(recording));
        Assert.Equal("sum by (job) (up)", recording.GetProperty("query").GetString());
        Assert.Equal("recording", recording.GetProperty("type").GetString());
        var withLabels = groups[1].GetProperty("rules")[0];
        Assert.Equal("{\"team\":\"core\"}", withLabels.GetProperty("labels").GetRawText());
    }

    [Theory]
    [InlineData("type=alert", "node:NodeDown")]
    [InlineData("type=record", "node:job:up:sum,other:one")]
    [InlineData("rule_name[]=one&rule_name[]=NodeDown", "node:NodeDown,other:one")]
    [InlineData("rule_group[]=other", "other:one")]
    [InlineData("file[]=nope.yml", "")]
    [InlineData("file[]=alerts.yml&type=record&rule_group[]=node", "node:job:up:sum")]
    [InlineData("match[]={severity=\"page\"}", "node:NodeDown")]
    [InlineData("match[]={team=\"core\"}&match[]={severity=~\"p.*\"}", "node:NodeDown,other:one")]
    public async Task RulesFilters(string query, string expected)
    {
        var (_, client, _) = await TenantWithRulesAsync();
        var json = await JsonAsync(await client.GetAsync("/api/v1/rules?" + query));
        var got = json.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray().Select(r => g.GetProperty("name").GetString() + ":" + r.GetProperty("name").GetString()));
        Assert.Equal(expected, string.Join(",", got));
    }

    [Fact]
    public async Task ExcludeAlertsLeavesAlertsNull()
    {
        var (_, client, _) = await TenantWithRulesAsync();
        var json = await JsonAsync(await client.GetAsync("/api/v1/rules?type=alert&exclude_alerts=true"));
        var rule = json.GetProperty("data").GetProperty("groups")[0].GetProperty("rules")[0];
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("alerts").ValueKind);
    }

    [Fact]
    public async Task GroupsArePaged()
    {
        var (_, client, engine) = await TenantWithRulesAsync();
        var first = await JsonAsync(await client.GetAsync("/api/v1/rules?group_limit=1"));
        var data = first.GetProperty("data");
        Assert.Equal("node", Assert.Single(data.GetProperty("groups").EnumerateArray()).GetProperty("name").GetString());
        var token = data.GetProperty("groupNextToken").GetString()!;
        Assert.Equal(Portal.Web.Api.RulesApi.NextToken(engine.Rules.Groups[1]), token);
        var second = await JsonAsync(await client.GetAsync("/api/v1/rules?group_limit=1&group_next_token=" + token));
        Assert.Equal("other", Assert.Single(second.GetProperty("data").GetProperty("groups").EnumerateArray()).GetProperty("name").GetString());
        Assert.False(second.GetProperty("data").TryGetProperty("groupNextToken", out _));
    }

    [Theory]
    [InlineData("type=bogus", "invalid parameter \"type\": not supported value \"bogus\"")]
    [InlineData("exclude_alerts=maybe", "invalid parameter \"exclude_alerts\"")]
    [InlineData("group_limit=0", "group_limit needs to be greater than 0")]
    [InlineData("group_next_token=abc", "group_limit needs to be present")]
    [InlineData("group_limit=1&group_next_token=abc", "invalid group_next_token 'abc'. were rule groups changed?")]
    [InlineData("match[]={a=~\".*\"}", "at least one non-empty matcher")]
    public async Task BadRulesParametersAreBadData(string query, string reason)
    {
        var (_, client, _) = await TenantWithRulesAsync();
        var r = await client.GetAsync("/api/v1/rules?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var json = await JsonAsync(r);
        Assert.Equal("bad_data", json.GetProperty("errorType").GetString());
        Assert.Contains(reason, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AlertsListsActiveAlerts()
    {
        var (_, client, _) = await TenantWithRulesAsync();
        var json = await JsonAsync(await client.GetAsync("/api/v1/alerts"));
        Assert.Equal("success", json.GetProperty("status").GetString());
        var alert = Assert.Single(json.GetProperty("data").GetProperty("alerts").EnumerateArray());
        Assert.Equal("pending", alert.GetProperty("state").GetString());
        Assert.Equal("NodeDown", alert.GetProperty("labels").GetProperty("alertname").GetString());
    }

    [Fact]
    public async Task TenantsSeeOnlyTheirOwnRules()
    {
        await TenantWithRulesAsync();
        var other = "o" + Guid.NewGuid().ToString("N")[..10];
        using var client = factory.ClientWithToken(await factory.TokenAsync(other, TokenScopes.Read));
        var json = await JsonAsync(await client.GetAsync("/api/v1/rules"));
        Assert.Equal(0, json.GetProperty("data").GetProperty("groups").GetArrayLength());
        json = await JsonAsync(await client.GetAsync("/api/v1/alerts"));
        Assert.Equal("{\"alerts\":[]}", json.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task InvalidRuleFilesAreRefusedAndTheRunningRulesStay()
    {
        var (tenant, _, engine) = await TenantWithRulesAsync();
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var bad = await configs.ApplyAsync(tenant, ConfigKind.Rules, "alerts.yml", "groups:\n  - name: x\n    rules:\n      - record: a\n        expr: 'sum('\n", "test");
        Assert.False(bad.Applied);
        Assert.True(bad.Errors[0].Line >= 1);
        Assert.Equal(["node", "other"], engine.Rules.Groups.Select(g => g.Name));
    }

    [Fact]
    public async Task RulesSurviveTheEngineReopening()
    {
        var (tenant, _, _) = await TenantWithRulesAsync();
        var registry = factory.Services.GetRequiredService<TenantEngineRegistry>();
        Assert.Equal(1, registry.CloseIdle(TimeSpan.FromTicks(-1), e => e.TenantId != tenant));
        var engine = registry.Get(tenant);
        Assert.Equal(["node", "other"], engine.Rules.Groups.Select(g => g.Name));
    }
}
