using Portal.Web.Api;
using System.Text.Json;
using Portal.Data;

namespace Portal.Web.Auth;

/// <summary>
/// <c>POST /api/v1/auth/token</c> (our extension): trades an API token for a short-lived JWT with the
/// same tenant and the same or fewer scopes (form field <c>scope</c>, space-separated; <c>expires_in</c>
/// seconds, at most an hour). A JWT cannot be traded for another.
/// </summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/auth/token", IssueAsync)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(MachineAuth.Scheme).RequireAuthenticatedUser().RequireClaim(PortalClaims.Tenant))
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task IssueAsync(HttpContext ctx, JwtIssuer issuer)
    {
        var user = ctx.User;
        if (user.FindFirst(PortalClaims.Method)?.Value == "jwt")
        {
            await ApiResponse.ErrorAsync(ctx, "bad_data", "a JWT cannot be exchanged for another; use an API token");
            return;
        }
        var held = PortalClaims.ParseScopes(user.FindAll(PortalClaims.Scope).Select(c => c.Value));
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync() : null;
        var wanted = held;
        var lifetime = JwtIssuer.DefaultLifetime;
        try
        {
            if (form?["scope"].ToString() is { Length: > 0 } scope)
                wanted = PortalClaims.ParseScopes(scope.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (form?["expires_in"].ToString() is { Length: > 0 } exp)
            {
                if (!int.TryParse(exp, out var seconds) || seconds <= 0)
                    throw new FormatException("expires_in must be a positive number of seconds");
                lifetime = TimeSpan.FromSeconds(Math.Min(seconds, JwtIssuer.MaxLifetime.TotalSeconds));
            }
        }
        catch (FormatException e)
        {
            await ApiResponse.ErrorAsync(ctx, "bad_data", e.Message);
            return;
        }
        if ((wanted & ~held) != 0)
        {
            await ApiResponse.ErrorAsync(ctx, "forbidden", "a JWT can carry only scopes the API token has");
            return;
        }
        var (token, expires) = issuer.Issue(user.TenantId()!, wanted, user.Identity?.Name ?? "token", lifetime);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            access_token = token,
            token_type = "Bearer",
            expires_in = (int)lifetime.TotalSeconds,
            expires_at = expires.ToUnixTimeSeconds(),
            scope = string.Join(' ', PortalClaims.ScopeNames(wanted)),
        }));
    }
}
