using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Data;
using Portal.Web.Hosting;

namespace Portal.Web.Tests.Pages;

/// <summary>
/// A bunit context with MudBlazor, the real metadata services on a throwaway SQLite file, and a
/// signed-in user. Dispose asynchronously (xunit's IAsyncLifetime).
/// </summary>
public sealed class PageTestContext(bool alerting = false) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "portal-page-tests-" + Guid.NewGuid().ToString("N"));

    private BunitAuthorizationContext _auth = null!;
    private readonly Action<IServiceCollection>? _extra;

    /// <summary>A context with more services, added before the first one is resolved.</summary>
    public PageTestContext(Action<IServiceCollection> extra) : this(false) => _extra = extra;

    public BunitContext Ctx { get; } = new();

    public IServiceProvider Services => Ctx.Services;

    public async Task InitializeAsync()
    {
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        Ctx.Services.AddMudServices();
        Ctx.Services.AddSingleton(TimeProvider.System);
        Ctx.Services.AddPortalData(null, _dir);
        Ctx.Services.AddSingleton<TenantService>();
        Ctx.Services.AddSingleton<ApiTokenService>();
        Ctx.Services.AddScoped<CurrentTenant>();
        if (alerting) AddAlertingServices();
        _auth = Ctx.AddAuthorization();
        _extra?.Invoke(Ctx.Services);
        await DatabaseMigrator.MigrateAsync(Ctx.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>());
    }

    /// <summary>What the alerting pages need: teams and receivers, configuration, tenant engines (under the test folder) and alert history.</summary>
    private void AddAlertingServices()
    {
        var s = Ctx.Services;
        s.AddLogging();
        s.AddOptions();
        s.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        s.AddSingleton<TeamService>();
        s.AddSingleton<TeamReceiverService>();
        s.AddSingleton<ConfigRevisionStore>();
        s.AddSingleton<TenantLimitsProvider>();
        s.AddSingleton(sp => new Portal.Tenancy.TenantEngineRegistry(_dir, sp.GetRequiredService<TenantLimitsProvider>().For, TimeProvider.System));
        s.AddSingleton<TenantConfigService>();
        s.AddSingleton<Portal.Web.Alerting.TeamAlertingService>();
        s.AddSingleton<AlertHistoryStore>();
    }

    /// <summary>Adds a user row and returns its id.</summary>
    public async Task<string> AddUserAsync(string email)
    {
        var user = new PortalUser { Id = Guid.NewGuid().ToString("N"), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant() };
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Signs <paramref name="email"/> in for the components rendered next.</summary>
    public void SignIn(string userId, string email)
    {
        _auth.SetAuthorized(email);
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    public async Task DisposeAsync()
    {
        await Ctx.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
