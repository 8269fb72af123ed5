using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tenancy;

namespace Portal.Web.Hosting;

/// <summary>
/// Work at start and in the background: migrates the metadata database before the portal
/// listens (unless <c>Database:MigrateOnStart</c> is false), and closes tenant engines idle for
/// <c>Tenants:IdleCloseAfter</c> (default 15m) every minute. Tenants that scrape or evaluate rules are
/// never idle: their engines open at start and stay open; nor are tenants with remote-write queues
/// or pushed groups.
/// </summary>
public sealed class PortalStartup(
    IDbContextFactory<PortalDbContext> contexts, TenantEngineRegistry engines, IConfiguration configuration, ILogger<PortalStartup> log)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue("Database:MigrateOnStart", true))
        {
            var applied = await DatabaseMigrator.MigrateAsync(contexts, cancellationToken);
            if (applied.Count > 0) log.LogInformation("Applied database migrations: {Migrations}", string.Join(", ", applied));
        }
        await StartScrapingTenantsAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Opens the engine of every tenant with a running Prometheus configuration or rule files, which starts its scrape jobs and rule groups.</summary>
    private async Task StartScrapingTenantsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tenants = await db.ConfigRevisions.Where(r => (r.Kind == ConfigKind.Prometheus || r.Kind == ConfigKind.Rules) && r.Valid).Select(r => r.TenantId).Distinct().ToListAsync(ct);
        foreach (var id in tenants)
        {
            try
            {
                engines.Get(id);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
            {
                log.LogError(e, "Tenant {Tenant}: its engine did not open; its scrape jobs are not running", id);
            }
        }
        if (tenants.Count > 0) log.LogInformation("Started scraping for {Count} tenants", tenants.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = configuration.GetValue("Tenants:IdleCloseAfter", TimeSpan.FromMinutes(15));
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
            engines.CloseIdle(idle, keep: engine => engine.Scrape.Pools.Count > 0 || engine.Rules.Groups.Count > 0 || engine.Push.HasWork);
    }
}
