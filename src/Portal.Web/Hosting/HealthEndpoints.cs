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
}
