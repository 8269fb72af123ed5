using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Data;
using Portal.Model;

namespace Portal.Web.Tests;

/// <summary>The Prometheus HTTP API: envelopes and encodings as documented upstream, auth, scopes and tenant isolation.</summary>
public sealed class PrometheusApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const long T0 = 1_435_781_430_000; // 2015-07-01T20:10:30Z, the upstream docs' example time

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<(string Tenant, HttpClient Client)> TenantWithDataAsync(string metric = "up")
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var token = await factory.TokenAsync(tenant, TokenScopes.Read);
        factory.Append(tenant, Labels.FromStrings("__name__", metric, "job", "prometheus", "instance", "localhost:9090"), (T0, 1), (T0 + 15_000, 1));
        factory.Append(tenant, Labels.FromStrings("__name__", metric, "job", "node", "instance", "localhost:9100"), (T0, 0), (T0 + 15_000, 1));
        return (tenant, factory.ClientWithToken(token));
    }

    [Fact]
    public async Task InstantQueryAnswersAsTheUpstreamDocsShow()
    {
        var (_, client) = await TenantWithDataAsync();
        var r = await client.GetAsync("/api/v1/query?query=up&time=2015-07-01T20:10:51.781Z");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" +
            "{\"metric\":{\"__name__\":\"up\",\"instance\":\"localhost:9090\",\"job\":\"prometheus\"},\"value\":[1435781451.781,\"1\"]}," +
            "{\"metric\":{\"__name__\":\"up\",\"instance\":\"localhost:9100\",\"job\":\"node\"},\"value\":[1435781451.781,\"1\"]}]}}",
            body);
    }

    [Fact]
    public async Task RangeQueryReturnsAMatrixWithStringValues()
    {
        var (_, client) = await TenantWithDataAsync();
        var r = await client.PostAsync("/api/v1/query_range", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = "up{job=\"node\"}",
            ["start"] = "1435781430",
            ["end"] = "1435781445",
            ["step"] = "15s",
        }));
        var json = await JsonAsync(r);
        Assert.Equal("matrix", json.GetProperty("data").GetProperty("resultType").GetString());
        var series = Assert.Single(json.GetProperty("data").GetProperty("result").EnumerateArray());
        Assert.Equal("node", series.GetProperty("metric").GetProperty("job").GetString());
        Assert.Equal("[[1435781430,\"0\"],[1435781445,\"1\"]]", series.GetProperty("values").GetRawText());
    }

    [Theory]
    [InlineData("/api/v1/query_range?query=up&start=10&end=5&step=1", "end timestamp must not be before start time")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=5&step=0", "zero or negative query resolution step widths are not accepted")]
    [InlineData("/api/v1/query_range?query=up&start=0&end=100000&step=1", "exceeded maximum resolution of 11,000 points")]
    [InlineData("/api/v1/query?query=up&time=yesterday", "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp")]
    [InlineData("/api/v1/query?query=sum(up", "parse error")]
    [InlineData("/api/v1/series", "no match[] parameter provided")]
    [InlineData("/api/v1/series?match[]={job=~\".*\"}", "at least one non-empty matcher")]
    public async Task BadRequestsAreBadDataWithTheReason(string url, string reason)
    {
        var (_, client) = await TenantWithDataAsync();
        var r = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var json = await JsonAsync(r);
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Equal("bad_data", json.GetProperty("errorType").GetString());
        Assert.Contains(reason, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SeriesLabelsAndLabelValues()
    {
        var (_, client) = await TenantWithDataAsync();
        var series = await JsonAsync(await client.GetAsync("/api/v1/series?match[]=up&start=1435781400&end=1435781500"));
        Assert.Equal(2, series.GetProperty("data").GetArrayLength());
        Assert.Equal("localhost:9090", series.GetProperty("data")[0].GetProperty("instance").GetString());

        var labels = await JsonAsync(await client.GetAsync("/api/v1/labels"));
        Assert.Equal("[\"__name__\",\"instance\",\"job\"]", labels.GetProperty("data").GetRawText());

        var values = await JsonAsync(await client.GetAsync("/api/v1/label/job/values"));
        Assert.Equal("[\"node\",\"prometheus\"]", values.GetProperty("data").GetRawText());

        var limited = await JsonAsync(await client.GetAsync("/api/v1/label/job/values?limit=1"));
        Assert.Equal("[\"node\"]", limited.GetProperty("data").GetRawText());
        Assert.Contains("results truncated due to limit", limited.GetProperty("warnings").GetRawText());
    }

    [Fact]
    public async Task ParseQueryReturnsTheDocumentedTree()
    {
        var (_, client) = await TenantWithDataAsync();
        var foo = await JsonAsync(await client.GetAsync("/api/v1/parse_query?query=foo/bar"));
        Assert.Equal("success", foo.GetProperty("status").GetString());
        // The example of docs/querying/api.md, field by field.
        var expected = JsonDocument.Parse("""
            {"bool":false,
             "lhs":{"matchers":[{"name":"__name__","type":"=","value":"foo"}],"name":"foo","offset":0,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},
             "matching":{"card":"one-to-one","include":[],"labels":[],"on":false},
             "op":"/",
             "rhs":{"matchers":[{"name":"__name__","type":"=","value":"bar"}],"name":"bar","offset":0,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},
             "type":"binaryExpr"}
            """).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, foo.GetProperty("data")), foo.GetProperty("data").GetRawText());

        using var form = new FormUrlEncodedContent([new("query", "sum by (job) (rate(x{a=~\"b\"}[5m] offset 1m @ start())) > bool 2")]);
        var tree = (await JsonAsync(await client.PostAsync("/api/v1/parse_query", form))).GetProperty("data");
        Assert.Equal("binaryExpr", tree.GetProperty("type").GetString());
        Assert.True(tree.GetProperty("bool").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tree.GetProperty("matching").ValueKind);
        Assert.Equal("2", tree.GetProperty("rhs").GetProperty("val").GetString());
        var agg = tree.GetProperty("lhs");
        Assert.Equal("sum", agg.GetProperty("op").GetString());
        Assert.Equal("job", agg.GetProperty("grouping")[0].GetString());
        var call = agg.GetProperty("expr");
        Assert.Equal("rate", call.GetProperty("func").GetProperty("name").GetString());
        Assert.Equal("matrix", call.GetProperty("func").GetProperty("argTypes")[0].GetString());
        var ms = call.GetProperty("args")[0];
        Assert.Equal("matrixSelector", ms.GetProperty("type").GetString());
        Assert.Equal(300_000, ms.GetProperty("range").GetInt64());
        Assert.Equal(60_000, ms.GetProperty("offset").GetInt64());
        Assert.Equal("start", ms.GetProperty("startOrEnd").GetString());
        Assert.Equal("=~", ms.GetProperty("matchers")[0].GetProperty("type").GetString());

        var bad = await client.GetAsync("/api/v1/parse_query?query=" + Uri.EscapeDataString("sum(("));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("bad_data", (await JsonAsync(bad)).GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task FormatQueryAndStatusEndpoints()
    {
        var (_, client) = await TenantWithDataAsync();
        var formatted = await JsonAsync(await client.GetAsync("/api/v1/format_query?query=" + Uri.EscapeDataString("sum(rate(x[5m]))by(job)")));
        Assert.Equal("sum by (job) (rate(x[5m]))", formatted.GetProperty("data").GetString());

        var build = await JsonAsync(await client.GetAsync("/api/v1/status/buildinfo"));
        Assert.StartsWith("3.", build.GetProperty("data").GetProperty("version").GetString());

        var tsdb = await JsonAsync(await client.GetAsync("/api/v1/status/tsdb"));
        Assert.Equal(2, tsdb.GetProperty("data").GetProperty("headStats").GetProperty("numSeries").GetInt64());

        var config = await JsonAsync(await client.GetAsync("/api/v1/status/config"));
        Assert.Contains("scrape_interval: 1m", config.GetProperty("data").GetProperty("yaml").GetString());

        var limits = await JsonAsync(await client.GetAsync("/api/v1/status/limits"));
        Assert.Equal(2, limits.GetProperty("data").GetProperty("usage").GetProperty("active_series").GetInt64());
        Assert.True(limits.GetProperty("data").GetProperty("limits").GetProperty("ingestion_rate").GetDouble() > 0);

        foreach (var path in new[] { "/api/v1/targets", "/api/v1/rules", "/api/v1/alerts", "/api/v1/metadata", "/api/v1/status/flags", "/api/v1/status/runtimeinfo" })
            Assert.Equal("success", (await JsonAsync(await client.GetAsync(path))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithoutCredentialsTheAnswerIs401WithHowToAuthenticate()
    {
        using var client = factory.CreateClient();
        var r = await client.GetAsync("/api/v1/query?query=up");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("Basic", r.Headers.WwwAuthenticate.ToString());
        var json = await JsonAsync(r);
        Assert.Contains("authentication required", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AWrongTokenIs401WithTheReason()
    {
        using var client = factory.ClientWithToken("pt_this-token-does-not-exist");
        var r = await client.GetAsync("/api/v1/query?query=up");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("invalid token", (await JsonAsync(r)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task BasicAuthUsesTheTenantIdAsUserName()
    {
        var tenant = "basic-" + Guid.NewGuid().ToString("N")[..8];
        var token = await factory.TokenAsync(tenant, TokenScopes.Read);
        using var client = factory.CreateClient();

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/labels")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"someone-else:{token}")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/labels")).StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "not base64!");
        var r = await client.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("malformed basic auth", (await JsonAsync(r)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task AMissingScopeIs403NamingIt()
    {
        var tenant = "scopes-" + Guid.NewGuid().ToString("N")[..8];
        using var writer = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Write));
        var r = await writer.GetAsync("/api/v1/query?query=up");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Contains("\"read\" scope", (await JsonAsync(r)).GetProperty("error").GetString());

        using var reader = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var del = await reader.PostAsync("/api/v1/admin/tsdb/delete_series?match[]=up", null);
        Assert.Equal(HttpStatusCode.Forbidden, del.StatusCode);
        Assert.Contains("\"admin\" scope", (await JsonAsync(del)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeleteSeriesWithAdminScopeRemovesOnlyTheMatchedSeries()
    {
        var (tenant, reader) = await TenantWithDataAsync();
        using var admin = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Admin | TokenScopes.Read));
        var del = await admin.PostAsync("/api/v1/admin/tsdb/delete_series?match[]=" + Uri.EscapeDataString("up{job=\"node\"}"), null);
        Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
        var after = await JsonAsync(await reader.GetAsync("/api/v1/query?query=up&time=1435781450"));
        var remaining = Assert.Single(after.GetProperty("data").GetProperty("result").EnumerateArray());
        Assert.Equal("prometheus", remaining.GetProperty("metric").GetProperty("job").GetString());
    }

    [Fact]
    public async Task AnApiTokenTradesForAShortLivedJwtWithNoMoreScopes()
    {
        var (tenant, _) = await TenantWithDataAsync();
        using var full = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read | TokenScopes.Write));
        var r = await full.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["scope"] = "read" }));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var token = (await JsonAsync(r)).GetProperty("access_token").GetString()!;
        Assert.Equal(2, token.Count(c => c == '.'));

        using var jwt = factory.ClientWithToken(token);
        var q = await jwt.GetAsync("/api/v1/query?query=up&time=1435781450");
        Assert.Equal(HttpStatusCode.OK, q.StatusCode);
        Assert.Equal(2, (await JsonAsync(q)).GetProperty("data").GetProperty("result").GetArrayLength());

        var more = await full.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["scope"] = "admin" }));
        Assert.Equal(HttpStatusCode.Forbidden, more.StatusCode);
        var again = await jwt.PostAsync("/api/v1/auth/token", null);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        using var forged = factory.ClientWithToken(token[..^4] + "AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/labels")).StatusCode);
    }

    public static TheoryData<string> ReadEndpoints => new()
    {
        "/api/v1/query?query=secret_metric&time=1435781450",
        "/api/v1/query_range?query=secret_metric&start=1435781430&end=1435781450&step=5",
        "/api/v1/series?match[]=secret_metric",
        "/api/v1/labels",
        "/api/v1/label/__name__/values",
        "/api/v1/label/team/values",
        "/api/v1/status/tsdb",
    };

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task ATenantNeverSeesAnotherTenantsSeries(string url)
    {
        var victim = "victim-" + Guid.NewGuid().ToString("N")[..8];
        await factory.TokenAsync(victim, TokenScopes.Read);
        factory.Append(victim, Labels.FromStrings("__name__", "secret_metric", "team", "victim-team"), (T0, 42));
        var attacker = "attacker-" + Guid.NewGuid().ToString("N")[..8];
        using var client = factory.ClientWithToken(await factory.TokenAsync(attacker, TokenScopes.All));
        client.DefaultRequestHeaders.Add("X-Scope-OrgID", victim);

        var body = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret_metric", body);
        Assert.DoesNotContain("victim-team", body);
        Assert.DoesNotContain("42", body.Replace("\"numSeries\":0", ""));
    }

    [Fact]
    public async Task AnotherTenantsDeleteCannotTouchSeries()
    {
        var victim = "victim-" + Guid.NewGuid().ToString("N")[..8];
        using var victimClient = factory.ClientWithToken(await factory.TokenAsync(victim, TokenScopes.Read));
        factory.Append(victim, Labels.FromStrings("__name__", "secret_metric"), (T0, 1));
        using var attacker = factory.ClientWithToken(await factory.TokenAsync("attacker-" + Guid.NewGuid().ToString("N")[..8], TokenScopes.All));
        attacker.DefaultRequestHeaders.Add("X-Scope-OrgID", victim);
        await attacker.PostAsync("/api/v1/admin/tsdb/delete_series?match[]=secret_metric", null);

        var q = await JsonAsync(await victimClient.GetAsync("/api/v1/query?query=secret_metric&time=1435781431"));
        Assert.Single(q.GetProperty("data").GetProperty("result").EnumerateArray());
    }
}
