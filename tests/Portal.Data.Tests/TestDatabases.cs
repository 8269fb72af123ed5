using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Portal.Data.Tests;

/// <summary>A migrated, empty metadata database of one provider (secret columns encrypted with ephemeral keys), dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>Names the Postgres server the tests may create databases on (the test command starts one and sets it).</summary>
    public const string PostgresVariable = "PORTAL_TEST_POSTGRES";

    private readonly ServiceProvider _services;
    private readonly Func<Task> _drop;

    public IDbContextFactory<PortalDbContext> Contexts { get; }
    public DatabaseProvider Provider { get; }

    private TestDatabase(ServiceProvider services, DatabaseProvider provider, Func<Task> drop)
    {
        _services = services;
        Provider = provider;
        _drop = drop;
        Contexts = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
    }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable);

    public static string PostgresSkipReason =>
        $"needs a Postgres server: set {PostgresVariable} to an admin connection string (bash tests/run.sh starts one)";

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var services = new ServiceCollection();
        Func<Task> drop;
        if (provider == DatabaseProvider.Sqlite)
        {
            var dir = Path.Combine(Path.GetTempPath(), "portal-data-" + Guid.NewGuid().ToString("N"));
            services.AddPortalData(null, dir);
            drop = () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
                return Task.CompletedTask;
            };
        }
        else
        {
            var admin = PostgresServer ?? throw new InvalidOperationException(PostgresSkipReason);
            var name = "portal_test_" + Guid.NewGuid().ToString("N");
            var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            services.AddPortalData(cs, Path.GetTempPath());
            drop = async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await using var conn = new NpgsqlConnection(admin);
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
                await cmd.ExecuteNonQueryAsync();
            };
        }
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        var sp = services.BuildServiceProvider();
        var db = new TestDatabase(sp, provider, drop);
        await DatabaseMigrator.MigrateAsync(db.Contexts);
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _drop();
    }
}
