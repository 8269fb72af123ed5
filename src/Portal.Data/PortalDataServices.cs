using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Data;

/// <summary>Which database holds the metadata.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Registers the metadata database: Postgres when a connection string is given, else embedded SQLite.</summary>
public static class PortalDataServices
{
    /// <summary>The embedded database's file name inside the storage folder.</summary>
    public const string SqliteFileName = "portal.db";

    /// <summary>
    /// Registers <see cref="PortalDbContext"/> (scoped) and <see cref="IDbContextFactory{PortalDbContext}"/>.
    /// When the container has an <see cref="IDataProtectionProvider"/>, secret-bearing columns are encrypted with it.
    /// <paramref name="postgresConnectionString"/> null or empty selects SQLite at
    /// <c>&lt;storagePath&gt;/portal.db</c>.
    /// </summary>
    public static DatabaseProvider AddPortalData(this IServiceCollection services, string? postgresConnectionString, string storagePath)
    {
        if (!string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            services.AddDbContextFactory<PostgresPortalDbContext>((sp, o) => o.UsePostgres(postgresConnectionString).ProtectColumnsWith(sp));
            AddShared<PostgresPortalDbContext>(services);
            return DatabaseProvider.Postgres;
        }
        Directory.CreateDirectory(storagePath);
        var sqlite = $"Data Source={Path.Combine(storagePath, SqliteFileName)};Cache=Shared";
        services.AddDbContextFactory<SqlitePortalDbContext>((sp, o) => o.UseSqlite(sqlite).ProtectColumnsWith(sp));
        AddShared<SqlitePortalDbContext>(services);
        return DatabaseProvider.Sqlite;
    }

    /// <summary>The provider-neutral registrations: a factory of <see cref="PortalDbContext"/> and a scoped context from it.</summary>
    private static void AddShared<T>(IServiceCollection services) where T : PortalDbContext
    {
        services.AddSingleton<IDbContextFactory<PortalDbContext>>(sp => new UpcastFactory<T>(sp.GetRequiredService<IDbContextFactory<T>>()));
        services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<IDbContextFactory<T>>().CreateDbContext());
    }

    /// <summary>Encrypts the secret-bearing columns when the container has Data Protection (<see cref="ProtectedColumns"/>).</summary>
    private static DbContextOptionsBuilder ProtectColumnsWith(this DbContextOptionsBuilder o, IServiceProvider sp) =>
        sp.GetService<IDataProtectionProvider>() is { } provider ? o.UseProtectedColumns(provider) : o;

    internal static DbContextOptionsBuilder UsePostgres(this DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(connectionString);

    private sealed class UpcastFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<PortalDbContext> where T : PortalDbContext
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Lets `dotnet ef` build the SQLite context at design time (migrations are generated, no database is touched).</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets `dotnet ef` build the Postgres context at design time (migrations are generated, no database is touched).</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql("Host=localhost;Database=portal").Options);
}
