using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>A team with its receivers and routing rule (null when it has none yet), as read for the routing tree and the UI.</summary>
public sealed record TeamAlertingInfo(Team Team, IReadOnlyList<TeamReceiver> Receivers, TeamRoute? Route);

/// <summary>
/// The receivers and routing rules of a tenant's teams. Every call is scoped to one tenant: rows of other tenants are
/// neither read nor changed. Changes are audited. Settings are stored as given; checking them against Alertmanager's
/// rules is the caller's job (the generated configuration must load before a change is kept). Thread-safe.
/// </summary>
public sealed partial class TeamReceiverService(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ReceiverNamePattern();

    /// <summary>Why <paramref name="name"/> cannot name a receiver, or null when it can.</summary>
    public static string? CheckReceiverName(string? name) =>
        name is not null && ReceiverNamePattern().IsMatch(name) ? null
            : "a receiver name must be 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit";

    /// <summary>Every team of the tenant with its receivers (by name) and route, teams by name.</summary>
    public async Task<IReadOnlyList<TeamAlertingInfo>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var teams = await db.Teams.AsNoTracking().Include(t => t.Members).Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).ToListAsync(ct);
        var receivers = await db.TeamReceivers.AsNoTracking().Where(r => r.TenantId == tenantId).ToListAsync(ct);
        var routes = await db.TeamRoutes.AsNoTracking().Where(r => r.TenantId == tenantId).ToDictionaryAsync(r => r.TeamId, ct);
        return teams.Select(t => new TeamAlertingInfo(t,
            receivers.Where(r => r.TeamId == t.Id).OrderBy(r => r.Name, StringComparer.Ordinal).ToList(),
            routes.GetValueOrDefault(t.Id))).ToList();
    }

    /// <summary>
    /// Adds a receiver to a team of the tenant, or replaces the one with <paramref name="id"/> (non-zero). Returns null
    /// when the team or receiver is not the tenant's. Throws <see cref="ArgumentException"/> for a bad name and
    /// <see cref="InvalidOperationException"/> when the tenant already has a receiver of that name (in any team).
    /// </summary>
    public async Task<TeamReceiver?> SaveReceiverAsync(string tenantId, long teamId, long id, string name, ReceiverKind kind, string settingsJson, string actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (CheckReceiverName(name) is { } bad) throw new ArgumentException(bad, nameof(name));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var team = await db.Teams.SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        if (team is null) return null;
        if (await db.TeamReceivers.AnyAsync(r => r.TenantId == tenantId && r.Name == name && r.Id != id, ct))
            throw new InvalidOperationException($"a receiver named \"{name}\" already exists in this tenant (names are unique across teams); choose another name");
        TeamReceiver? row;
        var now = clock.GetUtcNow();
        if (id == 0)
        {
            row = new TeamReceiver { TenantId = tenantId, TeamId = teamId, Name = name, Kind = kind, SettingsJson = settingsJson, CreatedAt = now };
            db.TeamReceivers.Add(row);
        }
        else
        {
            row = await db.TeamReceivers.SingleOrDefaultAsync(r => r.TenantId == tenantId && r.TeamId == teamId && r.Id == id, ct);
            if (row is null) return null;
            row.Name = name;
            row.Kind = kind;
            row.SettingsJson = settingsJson;
        }
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = id == 0 ? "team.receiver.create" : "team.receiver.update", Target = team.Name + "/" + name, At = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new InvalidOperationException($"a receiver named \"{name}\" already exists in this tenant; receiver names are unique across teams, choose another name");
        }
        return row;
    }

    /// <summary>Deletes a receiver of the tenant; false when there was none.</summary>
    public async Task<bool> DeleteReceiverAsync(string tenantId, long receiverId, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.TeamReceivers.SingleOrDefaultAsync(r => r.TenantId == tenantId && r.Id == receiverId, ct);
        if (row is null) return false;
        var team = await db.Teams.AsNoTracking().Where(t => t.Id == row.TeamId).Select(t => t.Name).SingleOrDefaultAsync(ct);
        db.TeamReceivers.Remove(row);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.receiver.delete", Target = team + "/" + row.Name, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Sets a team's routing rule (creating it); false when the team is not the tenant's.</summary>
    public async Task<bool> SaveRouteAsync(string tenantId, long teamId, TeamRoute route, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var team = await db.Teams.SingleOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        if (team is null) return false;
        var row = await db.TeamRoutes.SingleOrDefaultAsync(r => r.TeamId == teamId, ct);
        if (row is null)
        {
            row = new TeamRoute { TeamId = teamId, TenantId = tenantId };
            db.TeamRoutes.Add(row);
        }
        row.Matchers = Blank(route.Matchers);
        row.GroupBy = Blank(route.GroupBy);
        row.GroupWait = Blank(route.GroupWait);
        row.GroupInterval = Blank(route.GroupInterval);
        row.RepeatInterval = Blank(route.RepeatInterval);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "team.route.update", Target = team.Name, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
