using Portal.Data;
using Portal.Ingest.RemoteRead;
using Portal.Tenancy;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// Prometheus remote read at <c>/api/v1/read</c> (scope <c>read</c>) over the tenant of the credential, with the
/// sampled response type, so a Prometheus can list the portal under <c>remote_read</c>. Malformed requests get
/// 400 with the reason.
/// </summary>
public static class RemoteReadApi
{
    public static IEndpointRouteBuilder MapRemoteReadApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/read", Read)
            .RequireAuthorization(MachineAuth.Policy(TokenScopes.Read))
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task Read(HttpContext ctx)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        var engine = ctx.RequestServices.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        var body = await PushBody.ReadAsync(ctx, engine.Limits.MaxRequestBodyBytes);
        if (body.Error is not null)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, body.Error);
            return;
        }
        byte[] response;
        try
        {
            var req = RemoteReadHandler.Decode(body.Span, RemoteWriteApi.DecodedLimit(engine.Limits.MaxRequestBodyBytes));
            response = RemoteReadHandler.Execute(req, engine.Queryable, engine.Limits.MaxSamplesPerQuery, ctx.RequestAborted);
        }
        catch (RemoteReadException e)
        {
            await PushBody.TextAsync(ctx, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        finally
        {
            body.Return();
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = RemoteReadHandler.ContentType;
        ctx.Response.Headers.ContentEncoding = "snappy";
        ctx.Response.ContentLength = response.Length;
        await ctx.Response.Body.WriteAsync(response, ctx.RequestAborted);
    }
}
