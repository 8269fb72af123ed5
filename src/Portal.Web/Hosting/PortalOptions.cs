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
}
