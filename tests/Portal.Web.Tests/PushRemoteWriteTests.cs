using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Ingest.RemoteWrite;
using V1 = Portal.Ingest.Protos.Prom;
using V2 = Portal.Ingest.Protos.WriteV2;

namespace Portal.Web.Tests;

/// <summary>A portal with small push limits, so the body-size and rate-limit answers can be seen.</summary>
public sealed class SmallLimitsPortal : IAsyncDisposable
{
    private readonly PortalFactory _base = new();
    public WebApplicationFactory<Program> Factory { get; }

    public SmallLimitsPortal()
    {
        Factory = _base.WithWebHostBuilder(b =>
        {
            b.UseSetting("Limits:MaxRequestBodyBytes", "2000");
            b.UseSetting("Limits:IngestionRate", "1");
            b.UseSetting("Limits:IngestionBurstSize", "50");
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _base.DisposeAsync();
    }
}

/// <summary>Remote write at /api/v1/write: auth and tenant isolation, both protocol versions, status codes and headers per the specs.</summary>
public sealed class PushRemoteWriteTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    internal static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static V1.WriteRequest V1Request(string metric, string job, params (long T, double V)[] samples)
    {
        var ts = new V1.TimeSeries();
        ts.Labels.Add(new V1.Label { Name = "__name__", Value = metric });
        ts.Labels.Add(new V1.Label { Name = "job", Value = job });
        foreach (var (t, v) in samples) ts.Samples.Add(new V1.Sample { Timestamp = t, Value = v });
        var req = new V1.WriteRequest();
        req.Timeseries.Add(ts);
        return req;
    }

    internal static HttpContent Content(IMessage m, string contentType = "application/x-protobuf") => Content(SnappyBlock.Encode(m.ToByteArray()), contentType);

    internal static HttpContent Content(byte[] body, string contentType = "application/x-protobuf")
    {
        var c = new ByteArrayContent(body);
        c.Headers.TryAddWithoutValidation("Content-Type", contentType);
        c.Headers.ContentEncoding.Add("snappy");
        c.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", "0.1.0");
        return c;
    }

    private static HttpClient Basic(HttpClient c, string tenant, string token)
    {
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant}:{token}")));
        return c;
    }

    private async Task<JsonElement> QueryAsync(string tenant, string query)
    {
        using var reader = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var r = await reader.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("result");
    }

    private static string NewTenant() => "rw" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task V1WriteWithBasicAuthIsQueryableOnlyByThatTenant()
    {
        string a = NewTenant(), b = NewTenant();
        using var writer = Basic(factory.CreateClient(), a, await factory.TokenAsync(a, TokenScopes.Write));
        await factory.TokenAsync(b, TokenScopes.Read);
        long t = Now;

        var r = await writer.PostAsync("/api/v1/write", Content(V1Request("pushed_metric", "rw", (t - 1000, 1), (t, 42))));

        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        Assert.False(r.Headers.Contains(RemoteWriteReceiver.HeaderSamplesWritten));
        var mine = await QueryAsync(a, "pushed_metric");
        Assert.Equal("42", mine[0].GetProperty("value")[1].GetString());
        Assert.Equal(0, (await QueryAsync(b, "pushed_metric")).GetArrayLength());
    }

    [Fact]
    public async Task V2WriteAnswersWithWrittenHeaders()
    {
        var tenant = NewTenant();
        using var writer = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Write));
        var req = new V2.Request { Symbols = { "", "__name__", "v2_metric", "job", "x" } };
        req.Timeseries.Add(new V2.TimeSeries { LabelsRefs = { 1, 2, 3, 4 }, Samples = { new V2.Sample { Timestamp = Now, Value = 7 } } });

        var r = await writer.PostAsync("/api/v1/write", Content(req, "application/x-protobuf;proto=io.prometheus.write.v2.Request"));

        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        Assert.Equal("1", r.Headers.GetValues(RemoteWriteReceiver.HeaderSamplesWritten).Single());
        Assert.Equal("0", r.Headers.GetValues(RemoteWriteReceiver.HeaderHistogramsWritten).Single());
        Assert.Equal("0", r.Headers.GetValues(RemoteWriteReceiver.HeaderExemplarsWritten).Single());
        Assert.Equal("7", (await QueryAsync(tenant, "v2_metric"))[0].GetProperty("value")[1].GetString());

        req.Timeseries[0].LabelsRefs[1] = 99;
        r = await writer.PostAsync("/api/v1/write", Content(req, "application/x-protobuf;proto=io.prometheus.write.v2.Request"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("0", r.Headers.GetValues(RemoteWriteReceiver.HeaderSamplesWritten).Single());
    }

    [Fact]
    public async Task CredentialsAndScopesAreChecked()
    {
        var tenant = NewTenant();
        var body = V1Request("m", "j", (Now, 1));
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/write", Content(body))).StatusCode);
        using var readOnly = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.PostAsync("/api/v1/write", Content(body))).StatusCode);
        using var wrongTenant = Basic(factory.CreateClient(), "someone-else", await factory.TokenAsync(tenant, TokenScopes.Write));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongTenant.PostAsync("/api/v1/write", Content(body))).StatusCode);
    }

    [Fact]
    public async Task BadInputIsRefusedWithTheReasonAndStoresNothing()
    {
        var tenant = NewTenant();
        using var writer = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Write));
        long t = Now;
        var good = SnappyBlock.Encode(V1Request("bad_input", "x", (t, 1)).ToByteArray());

        async Task Expect(HttpStatusCode code, string reason, HttpContent content)
        {
            var r = await writer.PostAsync("/api/v1/write", content);
            Assert.Equal(code, r.StatusCode);
            Assert.Contains(reason, await r.Content.ReadAsStringAsync());
        }

        await Expect(HttpStatusCode.BadRequest, "snappy", Content(good[..^4]));
        await Expect(HttpStatusCode.BadRequest, "snappy", Content("garbage, not snappy"u8.ToArray()));
        await Expect(HttpStatusCode.BadRequest, "protobuf", Content(SnappyBlock.Encode([0x0a, 0x50, 0x01])));
        await Expect(HttpStatusCode.UnsupportedMediaType, "Content-Type", Content(good, "application/json"));
        var gz = Content(good);
        gz.Headers.ContentEncoding.Clear();
        gz.Headers.ContentEncoding.Add("gzip");
        await Expect(HttpStatusCode.UnsupportedMediaType, "Content-Encoding", gz);

        var mixed = V1Request("bad_input", "x", (t, 1));
        var dup = new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "bad_input" }, new V1.Label { Name = "job", Value = "a" }, new V1.Label { Name = "job", Value = "b" } } };
        dup.Samples.Add(new V1.Sample { Timestamp = t, Value = 1 });
        mixed.Timeseries.Add(dup);
        await Expect(HttpStatusCode.BadRequest, "duplicate label name", Content(mixed));

        var unsorted = V1Request("bad_input", "x", (t, 1));
        unsorted.Timeseries.Add(new V1.TimeSeries { Labels = { new V1.Label { Name = "__name__", Value = "z" }, new V1.Label { Name = "zz", Value = "1" }, new V1.Label { Name = "aa", Value = "1" } }, Samples = { new V1.Sample { Timestamp = t, Value = 1 } } });
        await Expect(HttpStatusCode.BadRequest, "not sorted", Content(unsorted));

        Assert.Equal(0, (await QueryAsync(tenant, "bad_input")).GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await writer.PostAsync("/api/v1/write", Content(good))).StatusCode);
        var old = V1Request("other_metric", "x", (t, 1));
        old.Timeseries.Add(V1Request("other_metric", "y", (t - 400L * 24 * 3600 * 1000, 1)).Timeseries[0]);
        await Expect(HttpStatusCode.BadRequest, "out of bounds", Content(old));
        var ooo = V1Request("bad_input", "x", (t - 60_000, 5));
        ooo.Timeseries.Add(V1Request("other_metric", "x", (t, 1)).Timeseries[0]);
        await Expect(HttpStatusCode.BadRequest, "out of order", Content(ooo));
        Assert.Equal(0, (await QueryAsync(tenant, "other_metric")).GetArrayLength());
    }

    [Fact]
    public async Task OversizedBodiesAndRateLimitsGetTheirCodes()
    {
        await using var small = new SmallLimitsPortal();
        var tenant = NewTenant();
        var tokens = small.Factory.Services.GetRequiredService<ApiTokenService>();
        var tenants = small.Factory.Services.GetRequiredService<TenantService>();
        await tenants.CreateAsync(tenant, tenant, null);
        var token = (await tokens.CreateAsync(tenant, "w", TokenScopes.Write, null, "test")).Secret;
        using var writer = small.Factory.CreateClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var r = await writer.PostAsync("/api/v1/write", Content(new byte[3000]));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("larger than the limit of 2000 bytes", await r.Content.ReadAsStringAsync());

        long t = Now;
        var samples = Enumerable.Range(0, 40).Select(i => (t - 40_000 + i * 1000L, (double)i)).ToArray();
        Assert.Equal(HttpStatusCode.NoContent, (await writer.PostAsync("/api/v1/write", Content(V1Request("limited", "x", samples)))).StatusCode);
        r = await writer.PostAsync("/api/v1/write", Content(V1Request("limited", "y", samples)));
        Assert.Equal((HttpStatusCode)429, r.StatusCode);
        Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("rate limit", await r.Content.ReadAsStringAsync());
    }
}
