using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tenancy;

namespace Portal.Web.Hosting;

/// <summary>
/// Work at start and in the background: migrates the metadata database before the portal
/// listens (unless <c>Database:MigrateOnStart</c> is false), and closes tenant engines idle for
/// <c>Tenants:IdleCloseAfter</c> (default 15m) every minute.
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
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = configuration.GetValue("Tenants:IdleCloseAfter", TimeSpan.FromMinutes(15));
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
            engines.CloseIdle(idle);
    }
}
