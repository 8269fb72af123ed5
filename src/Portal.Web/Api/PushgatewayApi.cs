using System.IO.Compression;
using System.Text.Json;
using Portal.Data;
using Portal.Ingest.Pushgateway;
using Portal.Ingest.TextParse;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// The tenant's Pushgateway, API-compatible with the upstream Pushgateway: PUT, POST and DELETE on
/// <c>/metrics/job/&lt;job&gt;{/&lt;label&gt;/&lt;value&gt;}</c> (scope <c>write</c>), the JSON listing at <c>GET /api/v1/metrics</c>
/// (scope <c>read</c>) and <c>PUT /api/v1/admin/wipe</c> (scope <c>admin</c>). Bodies are the text format or
/// delimited protobuf, optionally gzip- or snappy (framed)-compressed. A Portal extension: the request header
/// <c>Portal-Group-TTL</c> (a Prometheus duration such as <c>10m</c>) makes the group expire that long after its
/// last successful push; groups never expire without it. Pushed groups are written into the tenant's storage
/// every scrape interval (see <see cref="TenantPushServices"/>).
/// </summary>
public static class PushgatewayApi
{
    public const string TtlHeader = "Portal-Group-TTL";

    public static IEndpointRouteBuilder MapPushgatewayApi(this IEndpointRouteBuilder endpoints)
    {
        var write = endpoints.MapGroup("/metrics").RequireAuthorization(MachineAuth.Policy(TokenScopes.Write)).DisableAntiforgery();
        write.MapMethods("/job/{**rest}", ["PUT"], (HttpContext ctx) => Push(ctx, replaceAll: true));
        write.MapMethods("/job/{**rest}", ["POST"], (HttpContext ctx) => Push(ctx, replaceAll: false));
        write.MapMethods("/job@base64/{**rest}", ["PUT"], (HttpContext ctx) => Push(ctx, replaceAll: true));
        write.MapMethods("/job@base64/{**rest}", ["POST"], (HttpContext ctx) => Push(ctx, replaceAll: false));
        write.MapDelete("/job/{**rest}", Delete);
        write.MapDelete("/job@base64/{**rest}", Delete);
        endpoints.MapGet("/api/v1/metrics", List).RequireAuthorization(MachineAuth.Policy(TokenScopes.Read));
        endpoints.MapPut("/api/v1/admin/wipe", Wipe).RequireAuthorization(MachineAuth.Policy(TokenScopes.Admin)).DisableAntiforgery();
        return endpoints;
    }

    private static TenantEngine Engine(HttpContext ctx)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        return ctx.RequestServices.GetRequiredService<TenantEngineRegistry>().Get(tenant);
    }

    /// <summary>The grouping key from the raw (still percent-encoded) request path.</summary>
    private static Labels? Key(HttpContext ctx, out string? error)
    {
        var path = ctx.Request.Path.ToUriComponent();
        const string prefix = "/metrics/";
        return GroupingKey.Parse(path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path, out error);
    }

    private static async Task Push(HttpContext ctx, bool replaceAll)
    {
        var engine = Engine(ctx);
        var key = Key(ctx, out var error);
        if (key is null)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, error!);
            return;
        }
        TimeSpan? ttl = null;
        var ttlText = ctx.Request.Headers[TtlHeader].ToString();
        if (ttlText.Length > 0)
        {
            if (!PromDuration.TryParse(ttlText, out var ms, out var ttlError) || ms <= 0)
            {
                await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, $"invalid {TtlHeader} header \"{ttlText}\": {ttlError ?? "must be positive"}");
                return;
            }
            ttl = TimeSpan.FromMilliseconds(ms);
        }
        var body = await PushBody.ReadAsync(ctx, engine.Limits.MaxRequestBodyBytes);
        if (body.Error is not null)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, body.Error);
            return;
        }
        try
        {
            var (data, length) = Decompress(ctx.Request.Headers.ContentEncoding.ToString(), body, engine.Limits.MaxRequestBodyBytes);
            var families = PushBodyParser.Parse(data, length, PushBodyParser.IsProtobuf(ctx.Request.ContentType), key);
            engine.Push.Pushgateway.Push(key, families, replaceAll, ttl);
            ctx.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (PushRejectedException e)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, e.Message);
        }
        finally
        {
            body.Return();
        }
    }

    private static (byte[] Data, int Length) Decompress(string encoding, PushBody.Body body, long limit)
    {
        encoding = encoding.Trim();
        if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            return (body.Buffer ?? [], body.Length);
        Stream decoder;
        var input = new MemoryStream(body.Buffer ?? [], 0, body.Length, writable: false);
        if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase)) decoder = new GZipStream(input, CompressionMode.Decompress);
        else if (encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase)) decoder = new Snappier.SnappyStream(input, CompressionMode.Decompress);
        else throw new PushRejectedException($"unsupported Content-Encoding \"{encoding}\"; use gzip or snappy");
        using (decoder)
        {
            var output = new MemoryStream();
            var buffer = new byte[81920];
            try
            {
                int n;
                while ((n = decoder.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, n);
                    if (output.Length > limit) throw new PushRejectedException($"decompressed body is larger than the limit of {limit} bytes (max_request_body_bytes)");
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new PushRejectedException($"cannot decompress {encoding} body: {e.Message}");
            }
            return (output.GetBuffer(), (int)output.Length);
        }
    }

    private static async Task Delete(HttpContext ctx)
    {
        var engine = Engine(ctx);
        var key = Key(ctx, out var error);
        if (key is null)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, error!);
            return;
        }
        engine.Push.Pushgateway.Delete(key);
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static IResult Wipe(HttpContext ctx)
    {
        Engine(ctx).Push.Pushgateway.Wipe();
        return Results.Accepted();
    }

    /// <summary>The upstream <c>/api/v1/metrics</c> listing: per group its labels, families and push times.</summary>
    private static Task List(HttpContext ctx)
    {
        var groups = Engine(ctx).Push.Pushgateway.Groups();
        return ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartArray();
            foreach (var g in groups)
            {
                var time = DateTimeOffset.FromUnixTimeMilliseconds((long)(g.PushTimeSeconds * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture);
                w.WriteStartObject();
                WriteLabels(w, "labels", g.Key);
                w.WriteBoolean("last_push_successful", g.PushFailureTimeSeconds <= g.PushTimeSeconds);
                foreach (var f in g.Families) WriteFamily(w, time, f.Name, TypeName(f.Type), f.Help, f.Samples);
                var keyed = new LabelsBuilder(g.Key);
                WriteFamily(w, time, PushGroup.PushFailureTimeMetric, "GAUGE", PushGroup.PushFailureTimeHelp,
                    [new PushedSample(keyed.Set(Labels.MetricName, PushGroup.PushFailureTimeMetric).Build(), g.PushFailureTimeSeconds)]);
                WriteFamily(w, time, PushGroup.PushTimeMetric, "GAUGE", PushGroup.PushTimeHelp,
                    [new PushedSample(keyed.Set(Labels.MetricName, PushGroup.PushTimeMetric).Build(), g.PushTimeSeconds)]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static void WriteFamily(Utf8JsonWriter w, string time, string name, string type, string help, IReadOnlyList<PushedSample> samples)
    {
        w.WriteStartObject(name);
        w.WriteString("time_stamp", time);
        w.WriteString("type", type);
        w.WriteString("help", help);
        w.WriteStartArray("metrics");
        foreach (var s in samples)
        {
            w.WriteStartObject();
            WriteLabels(w, "labels", s.Labels.Without(Labels.MetricName));
            w.WriteString("value", GoFloat.Format(s.Value));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLabels(Utf8JsonWriter w, string name, Labels labels)
    {
        w.WriteStartObject(name);
        foreach (var l in labels) w.WriteString(l.Name, l.Value);
        w.WriteEndObject();
    }

    private static string TypeName(MetricType t) => t switch
    {
        MetricType.Counter => "COUNTER",
        MetricType.Gauge => "GAUGE",
        MetricType.Summary => "SUMMARY",
        MetricType.Histogram => "HISTOGRAM",
        MetricType.GaugeHistogram => "GAUGE_HISTOGRAM",
        _ => "UNTYPED",
    };
}
