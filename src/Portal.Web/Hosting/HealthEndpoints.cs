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
    /// <c>POST /-/reload</c> (admin scope): applies the provisioning folder again. 200 with the report when
    /// every file applied; 500 listing each problem (file:line:column) otherwise, as Prometheus answers a
    /// failed reload. Running configurations stay as they were for every refused file.
    /// </summary>
    public static IEndpointRouteBuilder MapReloadEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/-/reload", ["POST", "PUT"], async (ProvisioningService provisioning, CancellationToken ct) =>
        {
            var report = await provisioning.ApplyAsync(ct);
            return report.Success
                ? Results.Json(report)
                : Results.Json(report, statusCode: StatusCodes.Status500InternalServerError);
        }).RequireAuthorization(MachineAuth.Policy(TokenScopes.Admin)).DisableAntiforgery();
        return endpoints;
    }
}
