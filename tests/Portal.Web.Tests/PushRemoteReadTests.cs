using System.Net;
using Google.Protobuf;
using Portal.Data;
using Portal.Ingest.RemoteWrite;
using Portal.Model;
using Prom = Portal.Ingest.Protos.Prom;

namespace Portal.Web.Tests;

/// <summary>Remote read at /api/v1/read: sampled responses per tenant, refusals for bad requests.</summary>
public sealed class PushRemoteReadTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static ByteArrayContent Body(Prom.ReadRequest req)
    {
        var c = new ByteArrayContent(SnappyBlock.Encode(req.ToByteArray()));
        c.Headers.TryAddWithoutValidation("Content-Type", "application/x-protobuf");
        c.Headers.ContentEncoding.Add("snappy");
        return c;
    }

    private static Prom.Query Query(long start, long end, params (Prom.LabelMatcher.Types.Type Type, string Name, string Value)[] matchers)
    {
        var q = new Prom.Query { StartTimestampMs = start, EndTimestampMs = end };
        foreach (var (t, n, v) in matchers) q.Matchers.Add(new Prom.LabelMatcher { Type = t, Name = n, Value = v });
        return q;
    }

    [Fact]
    public async Task ReturnsSamplesOfTheCallersTenantOnly()
    {
        var tenant = "rr" + Guid.NewGuid().ToString("N")[..10];
        var other = "rr" + Guid.NewGuid().ToString("N")[..10];
        long t = 1_700_000_000_000;
        factory.Append(tenant, Labels.FromStrings("__name__", "rr_metric", "job", "a"), (t, 1), (t + 15_000, 2), (t + 30_000, 3));
        factory.Append(tenant, Labels.FromStrings("__name__", "rr_metric", "job", "b"), (t, 10));
        factory.Append(other, Labels.FromStrings("__name__", "rr_metric", "job", "c"), (t, 99));
        using var c = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));

        var req = new Prom.ReadRequest { AcceptedResponseTypes = { Prom.ReadRequest.Types.ResponseType.Samples } };
        req.Queries.Add(Query(t, t + 20_000, (Prom.LabelMatcher.Types.Type.Eq, "__name__", "rr_metric")));
        req.Queries.Add(Query(t, t + 60_000, (Prom.LabelMatcher.Types.Type.Re, "job", "a|z"), (Prom.LabelMatcher.Types.Type.Eq, "__name__", "rr_metric")));
        var r = await c.PostAsync("/api/v1/read", Body(req));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("snappy", r.Content.Headers.ContentEncoding.Single());
        var resp = Prom.ReadResponse.Parser.ParseFrom(SnappyBlock.Decode(await r.Content.ReadAsByteArrayAsync(), 1 << 24));
        Assert.Equal(2, resp.Results.Count);
        var first = resp.Results[0].Timeseries;
        Assert.Equal(["a", "b"], first.Select(s => s.Labels.Single(l => l.Name == "job").Value));
        Assert.Equal([1.0, 2.0], first[0].Samples.Select(s => s.Value));
        Assert.Equal([1.0, 2.0, 3.0], resp.Results[1].Timeseries.Single().Samples.Select(s => s.Value));
    }

    [Fact]
    public async Task BadRequestsAreRefused()
    {
        var tenant = "rr" + Guid.NewGuid().ToString("N")[..10];
        using var c = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read));
        var garbage = new ByteArrayContent("nope"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await c.PostAsync("/api/v1/read", garbage)).StatusCode);

        var chunksOnly = new Prom.ReadRequest { AcceptedResponseTypes = { Prom.ReadRequest.Types.ResponseType.StreamedXorChunks } };
        chunksOnly.Queries.Add(Query(0, 1, (Prom.LabelMatcher.Types.Type.Eq, "__name__", "x")));
        Assert.Equal(HttpStatusCode.BadRequest, (await c.PostAsync("/api/v1/read", Body(chunksOnly))).StatusCode);

        var emptyMatcher = new Prom.ReadRequest();
        emptyMatcher.Queries.Add(Query(0, 1, (Prom.LabelMatcher.Types.Type.Re, "job", ".*")));
        var r = await c.PostAsync("/api/v1/read", Body(emptyMatcher));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("empty string", await r.Content.ReadAsStringAsync());

        using var writer = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Write));
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.PostAsync("/api/v1/read", Body(emptyMatcher))).StatusCode);
    }
}
