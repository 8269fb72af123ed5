using Microsoft.AspNetCore.Authentication;
using Portal.Data;
using Portal.Web.Auth;

namespace Portal.Web.Hosting;

/// <summary>Prometheus-style liveness and readiness endpoints: 200 with a short text, GET or HEAD.</summary>
public static class HealthEndpoints
{
    public const string HealthyText = "Portal is Healthy.\n";
    public const string ReadyText = "Portal is Ready.\n";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/-/healthy", ["GET", "HEAD"], () => Results.Text(HealthyText, "text/plain; charset=utf-8"));
        endpoints.MapMethods("/-/ready", ["GET", "HEAD"], () => Results.Text(ReadyText, "text/plain; charset=utf-8"));
        return endpoints;
    }

    /// <summary>
    /// <c>POST /-/reload</c>: applies the provisioning folder again. 200 with the report when every file applied;
    /// 500 listing each problem (file:line:column) otherwise, as Prometheus answers a failed reload. Running
    /// configurations stay as they were for every refused file. The operator (<c>Authorization: Bearer</c> with the
    /// <c>Operator:Token</c> setting) sees the whole report; a tenant's admin-scoped credential may trigger the reload
    /// too but sees only its own tenant's part, so no tenant learns about another.
    /// </summary>
    public static IEndpointRouteBuilder MapReloadEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/-/reload", ["POST", "PUT"], async (HttpContext ctx, ProvisioningService provisioning, IConfiguration configuration, CancellationToken ct) =>
        {
            string? tenant = null;
            if (!IsOperator(ctx.Request, configuration["Operator:Token"]))
            {
                var auth = await ctx.AuthenticateAsync(MachineAuth.Scheme);
                if (!auth.Succeeded)
                {
                    await ctx.ChallengeAsync(MachineAuth.Scheme);
                    return;
                }
                ctx.User = auth.Principal;
                if (!ctx.User.HasScope(TokenScopes.Admin))
                {
                    ctx.Items[MachineAuth.RequiredScopeItem] = PortalClaims.ScopeName(TokenScopes.Admin);
                    await ctx.ForbidAsync(MachineAuth.Scheme);
                    return;
                }
                tenant = ctx.User.TenantId();
            }
            var report = await provisioning.ApplyAsync(ct);
            if (tenant is not null) report = report.For(tenant);
            ctx.Response.StatusCode = report.Success ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
            await ctx.Response.WriteAsJsonAsync(report, ct);
        }).DisableAntiforgery();
        return endpoints;
    }

    /// <summary>True when the request carries the operator's bearer token (compared in constant time); never when none is set.</summary>
    private static bool IsOperator(HttpRequest request, string? operatorToken)
    {
        if (string.IsNullOrEmpty(operatorToken)) return false;
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), System.Text.Encoding.UTF8.GetBytes(operatorToken));
    }
}
