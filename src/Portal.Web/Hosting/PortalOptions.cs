namespace Portal.Web.Hosting;

/// <summary>How the portal is run: by a team for itself, or as a service for strangers.</summary>
public enum PortalMode
{
    /// <summary>Default: tenants' configurations may reach loopback and private addresses.</summary>
    SelfHosted,

    /// <summary>Tenants' configurations may not read server files or reach private addresses.</summary>
    Hosted,
}

/// <summary>The <c>Portal</c> section of appsettings.json.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    public PortalMode Mode { get; set; } = PortalMode.SelfHosted;

    /// <summary>
    /// The portal's public base URL (e.g. https://portal.example.com), used in links the portal sends out: a tenant
    /// Alertmanager's external URL is this plus <c>/alertmanager</c>. Empty: taken from the first Alertmanager API request.
    /// </summary>
    public string ExternalUrl { get; set; } = "";
}
