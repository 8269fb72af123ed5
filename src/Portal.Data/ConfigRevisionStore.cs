using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// Versioned configuration documents per tenant. Every change is a new revision; the running
/// one is the newest valid revision of its kind and name. Thread-safe.
/// </summary>
public sealed class ConfigRevisionStore(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <summary>
    /// Records a revision. An invalid one (with <paramref name="errors"/>) is kept for history but never
    /// becomes the running revision.
    /// </summary>
    public async Task<ConfigRevision> AddAsync(string tenantId, ConfigKind kind, string name, string yaml, string author,
        IReadOnlyList<string>? errors = null, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var valid = errors is null || errors.Count == 0;
        var revision = new ConfigRevision
        {
            TenantId = tenantId,
            Kind = kind,
            Name = name,
            Yaml = yaml,
            Author = author,
            CreatedAt = now,
            Valid = valid,
            Errors = valid ? null : string.Join('\n', errors!),
        };
        db.ConfigRevisions.Add(revision);
        db.AuditLog.Add(new AuditEntry
        {
            TenantId = tenantId, Actor = author, Action = valid ? "config.apply" : "config.reject", Target = $"{kind}:{name}", At = now,
        });
        await db.SaveChangesAsync(ct);
        return revision;
    }

    /// <summary>The running revision: the newest valid one of that kind and name, or null.</summary>
    public async Task<ConfigRevision?> CurrentAsync(string tenantId, ConfigKind kind, string name, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ConfigRevisions.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Kind == kind && r.Name == name && r.Valid)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>Revisions of one document, newest first.</summary>
    public async Task<IReadOnlyList<ConfigRevision>> HistoryAsync(string tenantId, ConfigKind kind, string name, int limit = 100, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ConfigRevisions.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.Kind == kind && r.Name == name)
            .OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// Makes an earlier valid revision the running one again by copying it as a new revision.
    /// Null when the tenant has no such valid revision.
    /// </summary>
    public async Task<ConfigRevision?> RollbackAsync(string tenantId, long revisionId, string author, CancellationToken ct = default)
    {
        ConfigRevision? old;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            old = await db.ConfigRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.TenantId == tenantId && r.Id == revisionId && r.Valid, ct);
        if (old is null) return null;
        return await AddAsync(tenantId, old.Kind, old.Name, old.Yaml, author, null, ct);
    }
}
