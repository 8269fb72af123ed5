using Microsoft.AspNetCore.Identity;

namespace Portal.Data;

/// <summary>An organisation: the unit of isolation. Its id is its slug, used in URLs and as the basic-auth user name.</summary>
public sealed class Tenant
{
    /// <summary>The slug: lowercase letters, digits and dashes, 3–63 characters (see <see cref="TenantSlug"/>).</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>True when the tenant is managed by files in the provisioning folder.</summary>
    public bool Provisioned { get; set; }

    /// <summary>Per-tenant limit overrides as JSON (keys as in the Limits settings section); null = defaults.</summary>
    public string? LimitsJson { get; set; }

    public List<Membership> Members { get; set; } = [];
}

/// <summary>A person who signs in to the browser UI.</summary>
public sealed class PortalUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The tenant the user last worked in; the UI opens it after sign-in.</summary>
    public string? CurrentTenantId { get; set; }
}

/// <summary>What a member may do in a tenant. Each role includes the ones after it.</summary>
public enum TenantRole
{
    Viewer = 0,
    Editor = 1,
    Admin = 2,
    Owner = 3,
}

/// <summary>A user's role in one tenant.</summary>
public sealed class Membership
{
    public required string TenantId { get; set; }
    public required string UserId { get; set; }
    public TenantRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Tenant? Tenant { get; set; }
    public PortalUser? User { get; set; }
}

/// <summary>A group of members inside a tenant; alert routing and receivers hang off teams.</summary>
public sealed class Team
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<TeamMember> Members { get; set; } = [];
}

public sealed class TeamMember
{
    public long TeamId { get; set; }
    public required string UserId { get; set; }
}

/// <summary>What a machine credential may do. Stored as a bit set.</summary>
[Flags]
public enum TokenScopes
{
    None = 0,
    /// <summary>Query and read APIs (Grafana's data source).</summary>
    Read = 1,
    /// <summary>Remote write and Pushgateway.</summary>
    Write = 2,
    /// <summary>Alertmanager API: alerts and silences.</summary>
    Alerts = 4,
    /// <summary>Admin APIs: reload, delete series.</summary>
    Admin = 8,
    All = Read | Write | Alerts | Admin,
}

/// <summary>
/// A tenant's API token. Only a SHA-256 hash of the secret is stored; the secret is shown once at
/// creation. <see cref="Prefix"/> (the secret's first characters) finds the row without a scan.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] Hash { get; set; }
    public TokenScopes Scopes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Who created it: a user id, or "provisioning".</summary>
    public string? CreatedBy { get; set; }
}

/// <summary>The kinds of configuration document a tenant keeps revisions of.</summary>
public enum ConfigKind
{
    Prometheus = 0,
    Rules = 1,
    Alertmanager = 2,
}

/// <summary>
/// One version of a tenant's configuration document. Revisions are never changed or deleted;
/// the running document is the newest valid revision of its kind and name (or the one a
/// rollback made newest again).
/// </summary>
public sealed class ConfigRevision
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public ConfigKind Kind { get; set; }

    /// <summary>The document's name within its kind: "prometheus.yml", a rule file's name, "alertmanager.yml".</summary>
    public required string Name { get; set; }

    /// <summary>The document as submitted, secrets included: encrypted at rest (see <see cref="ProtectedColumns"/>).</summary>
    public required string Yaml { get; set; }
    public required string Author { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool Valid { get; set; }

    /// <summary>The validation errors ("line:col: message" per line) when not valid.</summary>
    public string? Errors { get; set; }
}

/// <summary>Who did what in a tenant, for the audit log.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>The kind of a team's notification receiver.</summary>
public enum ReceiverKind
{
    Slack = 0,
    Email = 1,
    Webhook = 2,
}

/// <summary>
/// One way of telling a team about its alerts. The kind-specific settings (Slack api_url and channel, email
/// addresses, webhook URL, title and text templates) are stored as JSON in <see cref="SettingsJson"/>, with keys
/// named as in Alertmanager's receiver configuration.
/// </summary>
public sealed class TeamReceiver
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public ReceiverKind Kind { get; set; }
    /// <summary>The integration's settings as JSON, secrets included: encrypted at rest (see <see cref="ProtectedColumns"/>).</summary>
    public required string SettingsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// How a team's alerts are routed: which alerts are the team's and how they are grouped and timed. Null timings
/// inherit the tenant's routing tree defaults.
/// </summary>
public sealed class TeamRoute
{
    public long TeamId { get; set; }
    public required string TenantId { get; set; }

    /// <summary>Alertmanager matchers, one per line (<c>severity="page"</c>); null or empty means <c>team="&lt;team name&gt;"</c>.</summary>
    public string? Matchers { get; set; }

    /// <summary>Label names, comma-separated; null = the tree's default.</summary>
    public string? GroupBy { get; set; }
    public string? GroupWait { get; set; }
    public string? GroupInterval { get; set; }
    public string? RepeatInterval { get; set; }
}

/// <summary>One state change of one alert (pending, firing, resolved, inactive), as the tenant's rule manager saw it.</summary>
public sealed class AlertStateChange
{
    public long Id { get; set; }
    public required string TenantId { get; set; }

    /// <summary>The alert's label-set fingerprint as 16 hex digits, the same for every change of one alert.</summary>
    public required string Fingerprint { get; set; }
    public required string AlertName { get; set; }

    /// <summary>The alert's <c>team</c> label, when it has one.</summary>
    public string? Team { get; set; }
    public required string State { get; set; }
    public required string LabelsJson { get; set; }
    public required string AnnotationsJson { get; set; }
    public double Value { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>When the alert became active (pending), for firing and resolved changes.</summary>
    public DateTimeOffset? ActiveAt { get; set; }
}

/// <summary>One attempt to send a notification for a group of alerts to one receiver.</summary>
public sealed class NotificationAttempt
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Receiver { get; set; }

    /// <summary>The team owning the receiver, when it was generated from a team.</summary>
    public string? Team { get; set; }
    public required string Integration { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Success { get; set; }
    public string? Error { get; set; }

    /// <summary>A short, human-readable summary of what was sent (status, alert names, count).</summary>
    public required string Summary { get; set; }

    /// <summary>The fingerprints (16 hex digits, comma-separated) of the alerts in the notification.</summary>
    public required string Fingerprints { get; set; }
    public int AlertCount { get; set; }
}

/// <summary>A folder of dashboards in a tenant.</summary>
public sealed class DashboardFolder
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Uid { get; set; }
    public required string Title { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A dashboard. The model is stored as Grafana dashboard JSON (<see cref="Json"/>), so import and export are
/// lossless; <see cref="Title"/>, <see cref="Tags"/> and <see cref="Version"/> are copies for search and optimistic
/// concurrency.
/// </summary>
public sealed class Dashboard
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string Uid { get; set; }
    public required string Title { get; set; }

    /// <summary>Tags, comma-separated.</summary>
    public string? Tags { get; set; }
    public string? FolderUid { get; set; }
    public required string Json { get; set; }
    public int Version { get; set; }

    /// <summary>True when the dashboard comes from a file in the tenant's provisioning folder: read-only in the UI.</summary>
    public bool Provisioned { get; set; }

    /// <summary>The provisioning file it was loaded from, relative to the provisioning folder.</summary>
    public string? ProvisionedFrom { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}
