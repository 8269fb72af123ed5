using System.Buffers;
using Portal.Data;
using Portal.Ingest.RemoteWrite;
using Portal.Tenancy;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// The remote write receiver at <c>/api/v1/write</c> (specifications 1.0 and 2.0) for the tenant of the
/// credential (scope <c>write</c>). Answers 204 when everything was stored; 400 with the reason for bodies or
/// samples that will never be accepted (nothing of such a request is stored); 415 for a Content-Type or
/// Content-Encoding the specifications do not name; 429 with Retry-After when the tenant's ingestion rate is
/// exceeded; 500 for storage failures the sender should retry. 2.0 requests always get the
/// <c>X-Prometheus-Remote-Write-*-Written</c> headers.
/// </summary>
public static class RemoteWriteApi
{
    public static IEndpointRouteBuilder MapRemoteWriteApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/write", Write)
            .RequireAuthorization(MachineAuth.Policy(TokenScopes.Write))
            .DisableAntiforgery();
        return endpoints;
    }

    private static readonly RemoteWriteReceiver Receiver = new();

    private static async Task Write(HttpContext ctx)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        var engine = ctx.RequestServices.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        var negotiation = RemoteWriteReceiver.Negotiate(ctx.Request.ContentType, ctx.Request.Headers.ContentEncoding.ToString(), out var message);
        if (negotiation is not null)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status415UnsupportedMediaType, negotiation);
            return;
        }

        var body = await PushBody.ReadAsync(ctx, engine.Limits.MaxRequestBodyBytes);
        if (body.Error is not null)
        {
            WrittenHeaders(ctx, message, default);
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, body.Error);
            return;
        }
        try
        {
            RemoteWriteOutcome outcome;
            try
            {
                outcome = Receiver.Write(message, body.Span, DecodedLimit(engine.Limits.MaxRequestBodyBytes), engine.Appendable, engine.Push.RemoteWriteCache);
            }
            catch (RateLimitedException e)
            {
                WrittenHeaders(ctx, message, default);
                ctx.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await PushBody.TextAsync(ctx, StatusCodes.Status429TooManyRequests, e.Message);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RemoteWriteApi))
                    .LogError(e, "Remote write for tenant {Tenant} failed in storage", tenant);
                WrittenHeaders(ctx, message, default);
                await PushBody.TextAsync(ctx, StatusCodes.Status500InternalServerError, "storage failed, retry later: " + e.Message);
                return;
            }
            WrittenHeaders(ctx, message, outcome);
            if (outcome.Success) ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            else await PushBody.TextAsync(ctx, outcome.StatusCode, outcome.Error ?? "bad request");
        }
        finally
        {
            body.Return();
        }
    }

    /// <summary>The largest decompressed body accepted: snappy rarely compresses protobuf more than 8 times.</summary>
    internal static long DecodedLimit(long bodyLimit) => Math.Min(int.MaxValue - 64, Math.Max(bodyLimit, 1) * 8);

    private static void WrittenHeaders(HttpContext ctx, RemoteWriteMessage message, RemoteWriteOutcome outcome)
    {
        if (message != RemoteWriteMessage.V2) return;
        var h = ctx.Response.Headers;
        h[RemoteWriteReceiver.HeaderSamplesWritten] = outcome.SamplesWritten.ToString(System.Globalization.CultureInfo.InvariantCulture);
        h[RemoteWriteReceiver.HeaderHistogramsWritten] = outcome.HistogramsWritten.ToString(System.Globalization.CultureInfo.InvariantCulture);
        h[RemoteWriteReceiver.HeaderExemplarsWritten] = outcome.ExemplarsWritten.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Reading bounded request bodies and writing plain-text answers, shared by the push paths.</summary>
internal static class PushBody
{
    /// <summary>A body read into a pooled buffer; <see cref="Return"/> gives the buffer back.</summary>
    internal readonly record struct Body(byte[]? Buffer, int Length, string? Error)
    {
        public ReadOnlySpan<byte> Span => Buffer is null ? [] : Buffer.AsSpan(0, Length);

        public void Return()
        {
            if (Buffer is { Length: > 0 }) ArrayPool<byte>.Shared.Return(Buffer);
        }
    }

    /// <summary>Reads the whole body, refusing it (without reading on) once it is larger than <paramref name="limit"/> bytes.</summary>
    internal static async Task<Body> ReadAsync(HttpContext ctx, long limit)
    {
        var tooLarge = $"request body is larger than the limit of {limit} bytes (max_request_body_bytes)";
        var declared = ctx.Request.ContentLength;
        if (declared > limit) return new Body(null, 0, tooLarge);
        if (ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limit + 1;
        int capacity = (int)Math.Min(Math.Max(declared ?? 64 * 1024, 1), Math.Min(limit + 1, int.MaxValue - 64));
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        int length = 0;
        try
        {
            var stream = ctx.Request.Body;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) break;
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Math.Min(limit + 1, int.MaxValue - 64)));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int n = await stream.ReadAsync(buffer.AsMemory(length), ctx.RequestAborted);
                if (n == 0) break;
                length += n;
                if (length > limit) break;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new Body(null, 0, tooLarge);
        }
        return new Body(buffer, length, null);
    }

    internal static Task TextAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(message + "\n");
    }
}
