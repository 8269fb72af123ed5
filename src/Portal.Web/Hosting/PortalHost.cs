using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.DataProtection;
using MudBlazor.Services;
using Prometheus;
using Portal.Data;
using Portal.Tenancy;
using Portal.Web.Alerting;
using Portal.Web.Api;
using Portal.Web.Auth;
using Portal.Web.Components;

namespace Portal.Web.Hosting;

/// <summary>Composes the portal's services and endpoints; Program.cs only calls these two.</summary>
public static class PortalHost
{
    /// <summary>The address the portal listens on when no URL is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9090";

    /// <summary>The Data Protection key ring's folder: <c>DataProtection:KeysPath</c>, else <c>&lt;storage&gt;/keys/dataprotection</c>.</summary>
    public static string DataProtectionKeysPath(IConfiguration configuration, string storagePath) =>
        configuration["DataProtection:KeysPath"] is { Length: > 0 } configured ? configured : Path.Combine(storagePath, "keys", "dataprotection");

    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        // Serve the framework's and MudBlazor's _content/ assets from a build output in any environment.
        builder.WebHost.UseStaticWebAssets();
        if (!HasConfiguredEndpoints(builder.Configuration))
            builder.WebHost.UseUrls(DefaultUrl);

        ConfigureSelfMetrics();
        builder.Services.Configure<PortalOptions>(builder.Configuration.GetSection(PortalOptions.Section));
        builder.Services.AddSingleton<NodeInfo>();
        builder.Services.AddSingleton(TimeProvider.System);

        var storage = NodeInfo.ResolveStoragePath(builder.Configuration, builder.Environment);
        // Data Protection keys encrypt secrets in the metadata database and sign cookies: every node shares them.
        builder.Services.AddDataProtection().SetApplicationName("portal").PersistKeysToFileSystem(new DirectoryInfo(DataProtectionKeysPath(builder.Configuration, storage)));
        builder.Services.AddPortalData(builder.Configuration.GetConnectionString("Portal"), storage);
        builder.Services.AddSingleton<TenantService>();
        builder.Services.AddSingleton<ConfigRevisionStore>();
        builder.Services.AddSingleton<TeamService>();
        builder.Services.AddSingleton<DashboardService>();
        builder.Services.AddSingleton<TenantLimitsProvider>();
        builder.Services.AddSingleton(sp => new TenantEngineRegistry(
            storage, sp.GetRequiredService<TenantLimitsProvider>().For, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            onOpen: engine =>
            {
                var externalUrl = sp.GetRequiredService<IOptionsMonitor<PortalOptions>>().CurrentValue.ExternalUrl;
                if (externalUrl.Length > 0) engine.Alerting.ExternalUrl = externalUrl.TrimEnd('/') + "/alertmanager";
                sp.GetRequiredService<AlertHistoryRecorder>().Attach(engine);
                sp.GetRequiredService<TenantConfigService>().LoadInto(engine);
            },
            outboundConnect: OutboundConnect(builder.Configuration)));
        builder.Services.AddSingleton<TenantConfigService>();
        builder.Services.AddSingleton<ScrapeJobService>();
        builder.Services.AddSingleton<ProvisioningService>();
        builder.Services.AddHostedService<PortalStartup>();
        builder.Services.Configure<AlertHistoryOptions>(builder.Configuration.GetSection(AlertHistoryOptions.Section));
        builder.Services.AddSingleton<TeamReceiverService>();
        builder.Services.AddSingleton<AlertHistoryStore>();
        builder.Services.AddSingleton<AlertHistoryRecorder>();
        builder.Services.AddHostedService<AlertHistoryWriter>();
        builder.Services.AddSingleton<TeamAlertingService>();
        builder.Services.AddHostedService<ProvisioningHostedService>();
        builder.Services.AddPortalAuth(new JwtIssuer(JwtIssuer.LoadOrCreateKey(builder.Configuration["Auth:JwtSigningKey"], storage), TimeProvider.System));
        // Pasted Grafana dashboards are often a few hundred kB: allow large messages from the browser.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAccountRateLimit();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<CurrentTenant>();
        return builder;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

        app.Use(SecurityHeaders);
        app.UseHttpMetrics();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapReloadEndpoint();
        app.MapTokenEndpoints();
        app.MapAccountEndpoints();
        app.MapPrometheusApi();
        app.MapRulesApi();
        app.MapAlertmanagerApi();
        app.MapAlertHistoryApi();
        app.MapRemoteWriteApi();
        app.MapPushgatewayApi();
        app.MapRemoteReadApi();
        app.MapDashboardsApi();
        RemoteWriteMetrics.Register(app.Services.GetRequiredService<TenantEngineRegistry>());
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

    /// <summary>
    /// In Hosted mode, tenants' outbound connections may reach only public addresses, except the
    /// operator's <c>Portal:AllowedNetworks</c> (CIDR list); checked on the resolved address at connect time.
    /// </summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? OutboundConnect(IConfiguration config)
    {
        if (config.GetValue<PortalMode>($"{PortalOptions.Section}:Mode") != PortalMode.Hosted) return null;
        var allowed = config.GetSection($"{PortalOptions.Section}:AllowedNetworks").Get<string[]>() ?? [];
        var networks = allowed.Select(n => System.Net.IPNetwork.Parse(n)).ToArray();
        return Portal.Config.HostedNetwork.ConnectCallback(ip => networks.Any(n => n.Contains(ip)));
    }

    /// <summary>Headers that keep browsers from sniffing types, framing the portal or leaking URLs.</summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var h = context.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "same-origin";
        return next(context);
    }

    /// <summary>True when the user named addresses (urls setting, --urls, or Kestrel endpoints), which then win over the default.</summary>
    private static bool HasConfiguredEndpoints(IConfiguration config) =>
        !string.IsNullOrWhiteSpace(config["urls"]) ||
        !string.IsNullOrWhiteSpace(config["http_ports"]) ||
        !string.IsNullOrWhiteSpace(config["https_ports"]) ||
        config.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
