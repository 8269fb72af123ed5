using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>Teams inside a tenant and their members. Every call is scoped to one tenant. Thread-safe.</summary>
public sealed class TeamService(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <summary>Creates a team. Throws <see cref="ArgumentException"/> for a bad name, <see cref="InvalidOperationException"/> when taken.</summary>
    public async Task<Team> CreateAsync(string tenantId, string name, string actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new ArgumentException("a team name must be 1 to 100 characters long", nameof(name));
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Teams.AnyAsync(t => t.TenantId == tenantId && t.Name == name, ct))
            throw new InvalidOperationException($"a team named \"{name}\" already exists; choose another name");
        var now = clock.GetUtcNow();
        var team = new Team { TenantId = tenantId, Name = name, CreatedAt = now };
        db.Teams.Add(team);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.create", Target = name, At = now });
        await db.SaveChangesAsync(ct);
        return team;
    }

    /// <summary>The tenant's teams with their member ids, by name.</summary>
    public async Task<IReadOnlyList<Team>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Teams.AsNoTracking().Include(t => t.Members).Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).ToListAsync(ct);
    }

    /// <summary>Adds a member of the tenant to one of its teams; false when the team or the membership is not the tenant's.</summary>
    public async Task<bool> AddMemberAsync(string tenantId, long teamId, string userId, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        if (team is null || !await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == userId, ct)) return false;
        if (team.Members.Any(m => m.UserId == userId)) return true;
        team.Members.Add(new TeamMember { TeamId = teamId, UserId = userId });
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.member.add", Target = team.Name, Detail = userId, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Removes a member from a team of the tenant; false when there was nothing to remove.</summary>
    public async Task<bool> RemoveMemberAsync(string tenantId, long teamId, string userId, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        var member = team?.Members.SingleOrDefault(m => m.UserId == userId);
        if (team is null || member is null) return false;
        team.Members.Remove(member);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.member.remove", Target = team.Name, Detail = userId, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Deletes a team of the tenant; false when the tenant has no such team.</summary>
    public async Task<bool> DeleteAsync(string tenantId, long teamId, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var team = await db.Teams.SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        if (team is null) return false;
        db.Teams.Remove(team);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.delete", Target = team.Name, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }
}
