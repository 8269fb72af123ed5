using Portal.Model;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>Creates tenants and manages memberships. Thread-safe (each call uses its own context).</summary>
public sealed class TenantService(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <summary>
    /// Creates a tenant with <paramref name="ownerUserId"/> as its owner (when given). Throws
    /// <see cref="ArgumentException"/> for an invalid slug and <see cref="InvalidOperationException"/>
    /// when the slug is taken.
    /// </summary>
    public async Task<Tenant> CreateAsync(string slug, string name, string? ownerUserId, bool provisioned = false, CancellationToken ct = default)
    {
        if (TenantSlug.Validate(slug) is { } reason) throw new ArgumentException(reason, nameof(slug));
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Tenants.AnyAsync(t => t.Id == slug, ct))
            throw new InvalidOperationException($"the tenant id \"{slug}\" is taken; choose another");
        var now = clock.GetUtcNow();
        var tenant = new Tenant { Id = slug, Name = name, CreatedAt = now, Provisioned = provisioned };
        db.Tenants.Add(tenant);
        if (ownerUserId is not null)
            db.Memberships.Add(new Membership { TenantId = slug, UserId = ownerUserId, Role = TenantRole.Owner, CreatedAt = now });
        db.AuditLog.Add(new AuditEntry { TenantId = slug, Actor = ownerUserId ?? "provisioning", Action = "tenant.create", Target = slug, At = now });
        await db.SaveChangesAsync(ct);
        return tenant;
    }

    /// <summary>A slug not yet taken, derived from <paramref name="name"/> ("demo-team", "demo-team-2", …).</summary>
    public async Task<string> FreeSlugAsync(string name, CancellationToken ct = default)
    {
        var baseSlug = TenantSlug.FromName(name);
        if (baseSlug.Length > TenantSlug.MaxLength - 4) baseSlug = baseSlug[..(TenantSlug.MaxLength - 4)].TrimEnd('-');
        await using var db = await contexts.CreateDbContextAsync(ct);
        var taken = await db.Tenants.Where(t => t.Id == baseSlug || t.Id.StartsWith(baseSlug + "-")).Select(t => t.Id).ToListAsync(ct);
        if (!taken.Contains(baseSlug)) return baseSlug;
        for (int i = 2; ; i++)
        {
            var candidate = $"{baseSlug}-{i}";
            if (!taken.Contains(candidate)) return candidate;
        }
    }

    public async Task<Tenant?> FindAsync(string slug, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == slug, ct);
    }

    /// <summary>The user's role in the tenant, or null when not a member.</summary>
    public async Task<TenantRole?> RoleOfAsync(string tenantId, string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var m = await db.Memberships.AsNoTracking().SingleOrDefaultAsync(x => x.TenantId == tenantId && x.UserId == userId, ct);
        return m?.Role;
    }

    /// <summary>The tenants a user belongs to with the role in each, by name.</summary>
    public async Task<IReadOnlyList<(Tenant Tenant, TenantRole Role)>> TenantsOfAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).Include(m => m.Tenant).ToListAsync(ct);
        return rows.Select(m => (m.Tenant!, m.Role)).OrderBy(x => x.Item1.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Adds or changes a member's role. Records it in the audit log.</summary>
    public async Task SetMemberAsync(string tenantId, string userId, TenantRole role, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var m = await db.Memberships.SingleOrDefaultAsync(x => x.TenantId == tenantId && x.UserId == userId, ct);
        var now = clock.GetUtcNow();
        if (m is null) db.Memberships.Add(new Membership { TenantId = tenantId, UserId = userId, Role = role, CreatedAt = now });
        else m.Role = role;
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "member.set", Target = userId, Detail = role.ToString(), At = now });
        await db.SaveChangesAsync(ct);
    }
}
