using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Tenancy;

namespace Portal.Web.Tests;

/// <summary>The per-tenant Pushgateway over HTTP: upstream status codes, isolation, listing, wipe, ingestion into the TSDB.</summary>
public sealed class PushPushgatewayTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static string NewTenant() => "pg" + Guid.NewGuid().ToString("N")[..10];

    private static StringContent Text(string s) => new(s, Encoding.UTF8, "text/plain");

    private async Task<HttpClient> ClientAsync(string tenant, TokenScopes scopes)
    {
        var c = factory.CreateClient();
        var token = await factory.TokenAsync(tenant, scopes);
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        return c;
    }

    private async Task<JsonElement> ListAsync(HttpClient c)
    {
        var r = await c.GetAsync("/api/v1/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
    }

    [Fact]
    public async Task PushListDeleteWithUpstreamStatusCodes()
    {
        var tenant = NewTenant();
        using var c = await ClientAsync(tenant, TokenScopes.Write | TokenScopes.Read | TokenScopes.Admin);

        var r = await c.PutAsync("/metrics/job/some_job/instance/some_instance", Text("# TYPE some_metric counter\nsome_metric{label=\"val1\"} 42\n# HELP another_metric Just an example.\nanother_metric 2398.283\n"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        r = await c.PostAsync("/metrics/job/some_job/instance/some_instance", Text("third 3\n"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var data = await ListAsync(c);
        var group = data[0];
        Assert.Equal("some_job", group.GetProperty("labels").GetProperty("job").GetString());
        Assert.True(group.GetProperty("last_push_successful").GetBoolean());
        Assert.Equal("COUNTER", group.GetProperty("some_metric").GetProperty("type").GetString());
        Assert.Equal("42", group.GetProperty("some_metric").GetProperty("metrics")[0].GetProperty("value").GetString());
        Assert.Equal("Just an example.", group.GetProperty("another_metric").GetProperty("help").GetString());
        Assert.True(group.TryGetProperty("third", out _));
        Assert.True(group.TryGetProperty("push_time_seconds", out _));

        r = await c.PutAsync("/metrics/job/some_job/instance/some_instance", Text("# TYPE some_metric gauge\nsome_metric 1\n"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        r = await c.PutAsync("/metrics/job/other/instance/x", Text("# TYPE some_metric counter\nsome_metric 1\n"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("inconsistent", await r.Content.ReadAsStringAsync());
        r = await c.PutAsync("/metrics/job/some_job", Text("m 1 1700000000000\n"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        r = await c.PutAsync("/metrics/job/some_job/odd", Text("m 1\n"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await c.DeleteAsync("/metrics/job/some_job/instance/some_instance")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await c.DeleteAsync("/metrics/job/never_pushed")).StatusCode);
        data = await ListAsync(c);
        Assert.Single(data.EnumerateArray());
        Assert.False(data[0].GetProperty("last_push_successful").GetBoolean());

        Assert.Equal(HttpStatusCode.Accepted, (await c.PutAsync("/api/v1/admin/wipe", null)).StatusCode);
        Assert.Equal(0, (await ListAsync(c)).GetArrayLength());
    }

    [Fact]
    public async Task TenantsDoNotSeeEachOthersGroupsAndScopesApply()
    {
        string a = NewTenant(), b = NewTenant();
        using var ca = await ClientAsync(a, TokenScopes.Write | TokenScopes.Read);
        using var cb = await ClientAsync(b, TokenScopes.Write | TokenScopes.Read);
        Assert.Equal(HttpStatusCode.OK, (await ca.PutAsync("/metrics/job/x", Text("a_only 1\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cb.PutAsync("/metrics/job/x", Text("# TYPE a_only counter\na_only 1\n"))).StatusCode);
        Assert.Equal(1, (await ListAsync(ca)).GetArrayLength());
        Assert.Equal("UNTYPED", (await ListAsync(ca))[0].GetProperty("a_only").GetProperty("type").GetString());

        using var readOnly = await ClientAsync(a, TokenScopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PutAsync("/metrics/job/x", Text("m 1\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PutAsync("/api/v1/admin/wipe", null)).StatusCode);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("/metrics/job/x", Text("m 1\n"))).StatusCode);
    }

    [Fact]
    public async Task CompressedBodiesAndTtlHeader()
    {
        var tenant = NewTenant();
        using var c = await ClientAsync(tenant, TokenScopes.Write | TokenScopes.Read);
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write("zipped 1\n"u8);
        var content = new ByteArrayContent(ms.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.OK, (await c.PutAsync("/metrics/job/z", content)).StatusCode);

        var ttl = Text("short_lived 1\n");
        var req = new HttpRequestMessage(HttpMethod.Put, "/metrics/job/ttl") { Content = ttl };
        req.Headers.Add("Portal-Group-TTL", "1h");
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(req)).StatusCode);
        req = new HttpRequestMessage(HttpMethod.Put, "/metrics/job/ttl") { Content = Text("x 1\n") };
        req.Headers.Add("Portal-Group-TTL", "soon");
        Assert.Equal(HttpStatusCode.BadRequest, (await c.SendAsync(req)).StatusCode);
        Assert.Equal(2, (await ListAsync(c)).GetArrayLength());
    }

    [Fact]
    public async Task PushedGroupsAreIngestedWithHonorLabels()
    {
        var tenant = NewTenant();
        using var c = await ClientAsync(tenant, TokenScopes.Write | TokenScopes.Read);
        Assert.Equal(HttpStatusCode.OK, (await c.PutAsync("/metrics/job/backup/instance/db1", Text("# TYPE backup_last_success gauge\nbackup_last_success 1\n"))).StatusCode);

        factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant).Push.IngestPushed();

        var r = await c.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString("backup_last_success"));
        var result = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("result");
        var metric = result[0].GetProperty("metric");
        Assert.Equal("backup", metric.GetProperty("job").GetString());
        Assert.Equal("db1", metric.GetProperty("instance").GetString());
        Assert.False(metric.TryGetProperty("exported_job", out _));
        r = await c.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString("push_time_seconds{job=\"backup\"} > 0"));
        Assert.Equal(1, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("result").GetArrayLength());
    }
}
