using Portal.Model;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Data;

/// <summary>
/// The metadata database. One model for both providers; each provider has its own derived
/// context type only so that its migrations (db/migrations/&lt;provider&gt;/) can be told apart.
/// Not thread-safe: one instance per unit of work (scoped, or from the factory).
/// </summary>
public class PortalDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<ConfigRevision> ConfigRevisions => Set<ConfigRevision>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<TeamReceiver> TeamReceivers => Set<TeamReceiver>();
    public DbSet<TeamRoute> TeamRoutes => Set<TeamRoute>();
    public DbSet<AlertStateChange> AlertStateChanges => Set<AlertStateChange>();
    public DbSet<NotificationAttempt> NotificationAttempts => Set<NotificationAttempt>();
    public DbSet<DashboardFolder> DashboardFolders => Set<DashboardFolder>();
    public DbSet<Dashboard> Dashboards => Set<Dashboard>();

    /// <summary>Timestamps are stored as Unix milliseconds on every provider, so they sort and compare alike.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Tenant>(e =>
        {
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasMaxLength(TenantSlug.MaxLength);
            e.Property(t => t.Name).HasMaxLength(200);
        });

        builder.Entity<Membership>(e =>
        {
            e.HasKey(m => new { m.TenantId, m.UserId });
            e.HasOne(m => m.Tenant).WithMany(t => t.Members).HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => m.UserId);
        });

        builder.Entity<Team>(e =>
        {
            e.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
            e.Property(t => t.Name).HasMaxLength(100);
            e.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<TeamMember>(e =>
        {
            e.HasKey(m => new { m.TeamId, m.UserId });
            e.HasOne<PortalUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApiToken>(e =>
        {
            e.HasIndex(t => t.Prefix);
            e.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
            e.Property(t => t.Name).HasMaxLength(100);
            e.Property(t => t.Prefix).HasMaxLength(16);
            e.HasOne<Tenant>().WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ConfigRevision>(e =>
        {
            e.HasIndex(r => new { r.TenantId, r.Kind, r.Name, r.Id });
            e.Property(r => r.Name).HasMaxLength(200);
            ProtectedColumns.Protect(this, e.Property(r => r.Yaml));
            e.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => new { a.TenantId, a.At });
            e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<TeamReceiver>(e =>
        {
            e.HasIndex(r => new { r.TeamId, r.Name }).IsUnique();
            e.HasIndex(r => r.TenantId);
            e.Property(r => r.Name).HasMaxLength(100);
            ProtectedColumns.Protect(this, e.Property(r => r.SettingsJson));
            e.HasOne<Team>().WithMany().HasForeignKey(r => r.TeamId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<TeamRoute>(e =>
        {
            e.HasKey(r => r.TeamId);
            e.HasIndex(r => r.TenantId);
            e.HasOne<Team>().WithOne().HasForeignKey<TeamRoute>(r => r.TeamId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AlertStateChange>(e =>
        {
            e.HasIndex(a => new { a.TenantId, a.At });
            e.HasIndex(a => new { a.TenantId, a.Fingerprint, a.At });
            e.Property(a => a.Fingerprint).HasMaxLength(16);
            e.Property(a => a.State).HasMaxLength(16);
            e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<NotificationAttempt>(e =>
        {
            e.HasIndex(n => new { n.TenantId, n.At });
            e.HasOne<Tenant>().WithMany().HasForeignKey(n => n.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<DashboardFolder>(e =>
        {
            e.HasIndex(f => new { f.TenantId, f.Uid }).IsUnique();
            e.Property(f => f.Uid).HasMaxLength(40);
            e.Property(f => f.Title).HasMaxLength(200);
            e.HasOne<Tenant>().WithMany().HasForeignKey(f => f.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Dashboard>(e =>
        {
            e.HasIndex(d => new { d.TenantId, d.Uid }).IsUnique();
            e.HasIndex(d => new { d.TenantId, d.FolderUid, d.Title });
            e.Property(d => d.Uid).HasMaxLength(40);
            e.Property(d => d.FolderUid).HasMaxLength(40);
            e.Property(d => d.Title).HasMaxLength(200);
            e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}

/// <summary>The context used with the embedded SQLite database.</summary>
public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

/// <summary>The context used with Postgres.</summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);
