using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>Brings the metadata database to the newest schema.</summary>
public static class DatabaseMigrator
{
    /// <summary>Applies pending migrations of the configured provider; returns the names applied.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(IDbContextFactory<PortalDbContext> contexts, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0) await db.Database.MigrateAsync(ct);
        return pending;
    }
}
