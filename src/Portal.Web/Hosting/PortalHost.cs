using MudBlazor.Services;
using Prometheus;
using Portal.Web.Components;

namespace Portal.Web.Hosting;

/// <summary>Composes the portal's services and endpoints; Program.cs only calls these two.</summary>
public static class PortalHost
{
    /// <summary>The address the portal listens on when no URL is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9090";

    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        // Serve the framework's and MudBlazor's _content/ assets from a build output in any environment.
        builder.WebHost.UseStaticWebAssets();
        if (!HasConfiguredEndpoints(builder.Configuration))
            builder.WebHost.UseUrls(DefaultUrl);

        ConfigureSelfMetrics();
        builder.Services.Configure<PortalOptions>(builder.Configuration.GetSection(PortalOptions.Section));
        builder.Services.AddSingleton<NodeInfo>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

        app.UseHttpMetrics();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// The portal's own /metrics: prometheus-net's process and runtime collectors, HTTP metrics and
    /// .NET meters and event counters, without the runtime's private diagnostics sources.
    /// </summary>
    private static void ConfigureSelfMetrics()
    {
        static bool IsPublic(string source) => !source.StartsWith("Private.", StringComparison.Ordinal);
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = instrument => IsPublic(instrument.Meter.Name));
        Metrics.ConfigureEventCounterAdapter(options => options.EventSourceFilterPredicate = IsPublic);
    }

    /// <summary>True when the user named addresses (urls setting, --urls, or Kestrel endpoints), which then win over the default.</summary>
    private static bool HasConfiguredEndpoints(IConfiguration config) =>
        !string.IsNullOrWhiteSpace(config["urls"]) ||
        !string.IsNullOrWhiteSpace(config["http_ports"]) ||
        !string.IsNullOrWhiteSpace(config["https_ports"]) ||
        config.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
