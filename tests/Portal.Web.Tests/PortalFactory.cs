using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;

namespace Portal.Web.Tests;

/// <summary>
/// Hosts the real portal in-process with its storage (TSDBs, metadata) in a throwaway folder. The metadata database
/// is embedded SQLite, or, when <c>PORTAL_TEST_WEB_DATABASE=postgres</c>, a fresh database on the Postgres server that
/// <c>PORTAL_TEST_POSTGRES</c> names (the test command runs this project a second time that way), dropped on dispose.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    public const string DatabaseVariable = "PORTAL_TEST_WEB_DATABASE";

    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "portal-web-tests-" + Guid.NewGuid().ToString("N"));

    private readonly string? _postgresDatabase;
    private readonly string? _postgresAdmin;

    public PortalFactory()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable(DatabaseVariable), "postgres", StringComparison.OrdinalIgnoreCase)) return;
        _postgresAdmin = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
            ?? throw new InvalidOperationException($"{DatabaseVariable}=postgres needs PORTAL_TEST_POSTGRES, an admin connection string (bash tests/run.sh starts a server and sets it)");
        _postgresDatabase = "portal_web_" + Guid.NewGuid().ToString("N");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Path", StoragePath);
        builder.UseSetting("ConnectionStrings:Portal", _postgresDatabase is null ? ""
            : new Npgsql.NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = _postgresDatabase }.ConnectionString);
    }

    /// <summary>Creates a tenant (if new) and an API token with <paramref name="scopes"/>; returns the secret.</summary>
    public async Task<string> TokenAsync(string tenant, TokenScopes scopes, string? name = null)
    {
        var tenants = Services.GetRequiredService<TenantService>();
        if (await tenants.FindAsync(tenant) is null) await tenants.CreateAsync(tenant, tenant, null);
        var created = await Services.GetRequiredService<ApiTokenService>()
            .CreateAsync(tenant, name ?? $"t{Guid.NewGuid():N}", scopes, null, "test");
        return created.Secret;
    }

    /// <summary>A client that sends <c>Authorization: Bearer &lt;secret&gt;</c>.</summary>
    public HttpClient ClientWithToken(string secret)
    {
        var c = CreateClient();
        c.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        return c;
    }

    /// <summary>Appends samples to a tenant's TSDB through the same door every ingest path uses.</summary>
    public void Append(string tenant, Labels labels, params (long T, double V)[] samples)
    {
        var app = Services.GetRequiredService<TenantEngineRegistry>().Get(tenant).Appendable.Appender();
        foreach (var (t, v) in samples) app.Append(SeriesRef.None, labels, t, v);
        app.Commit();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgresDatabase is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var conn = new Npgsql.NpgsqlConnection(_postgresAdmin);
            await conn.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
        }
        if (Directory.Exists(StoragePath)) Directory.Delete(StoragePath, recursive: true);
    }
}
