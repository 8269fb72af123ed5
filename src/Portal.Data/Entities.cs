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
