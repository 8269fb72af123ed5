using Microsoft.EntityFrameworkCore;
using Portal.Config.Provisioning;
using Portal.Data;
using Portal.Model;
using Portal.Web.Auth;

namespace Portal.Web.Hosting;

/// <summary>What one provisioning pass did: per-file problems with line:column, and notes.</summary>
public sealed record ProvisioningReport(IReadOnlyList<string> Tenants, IReadOnlyList<string> Errors, IReadOnlyList<string> Notes)
{
    public bool Success => Errors.Count == 0;

    /// <summary>Each provisioned tenant's own errors and notes (also included in <see cref="Errors"/> and <see cref="Notes"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, (List<string> Errors, List<string> Notes)> ByTenant { get; init; } =
        new Dictionary<string, (List<string>, List<string>)>();

    /// <summary>The part of the report that concerns <paramref name="tenantId"/> only: what a tenant's admin may see.</summary>
    public ProvisioningReport For(string tenantId) => ByTenant.TryGetValue(tenantId, out var own)
        ? new ProvisioningReport(Tenants.Contains(tenantId) ? [tenantId] : [], own.Errors, own.Notes)
        : new ProvisioningReport([], [], ["this tenant is not provisioned from files"]);
}

/// <summary>
/// Applies a provisioning folder (<c>Provisioning:Path</c>):
/// <code>
/// tenants/&lt;slug&gt;/tenant.yml        name, api_tokens, members
/// tenants/&lt;slug&gt;/prometheus.yml    the tenant's Prometheus configuration
/// tenants/&lt;slug&gt;/rules/*.yml       rule files
/// tenants/&lt;slug&gt;/alertmanager.yml  Alertmanager configuration
/// tenants/&lt;slug&gt;/dashboards/*.json          Grafana dashboards in the General folder
/// tenants/&lt;slug&gt;/dashboards/&lt;folder&gt;/*.json Grafana dashboards in the folder of that title
/// </code>
/// on start, on SIGHUP and on <c>POST /-/reload</c>. A tenant whose tenant.yml is bad is skipped whole;
/// a bad document is recorded as a refused revision and the running one is kept. Members are
/// granted to existing accounts; an email without an account is noted and granted on a later pass.
/// One pass at a time.
/// </summary>
public sealed class ProvisioningService(
    IConfiguration configuration,
    TenantService tenants,
    ApiTokenService tokens,
    TenantConfigService configs,
    DashboardService dashboards,
    IDbContextFactory<PortalDbContext> contexts,
    ILogger<ProvisioningService> log)
{
    public const string Author = "provisioning";

    private readonly SemaphoreSlim _gate = new(1, 1);

    public string? FolderPath => configuration["Provisioning:Path"] is { Length: > 0 } p ? Path.GetFullPath(p) : null;

    public async Task<ProvisioningReport> ApplyAsync(CancellationToken ct = default)
    {
        var applied = new List<string>();
        var errors = new List<string>();
        var notes = new List<string>();
        var byTenant = new Dictionary<string, (List<string>, List<string>)>(StringComparer.Ordinal);
        var root = FolderPath;
        if (root is null) return new(applied, errors, ["Provisioning:Path is not set; nothing to provision"]);

        await _gate.WaitAsync(ct);
        try
        {
            var tenantsDir = Path.Combine(root, "tenants");
            if (!Directory.Exists(tenantsDir))
            {
                errors.Add($"{tenantsDir}: folder not found; create tenants/<slug>/tenant.yml under Provisioning:Path");
                return Report(applied, errors, notes);
            }
            foreach (var dir in Directory.EnumerateDirectories(tenantsDir).Order(StringComparer.Ordinal))
            {
                var slug = Path.GetFileName(dir);
                if (TenantSlug.Validate(slug) is { } bad)
                {
                    errors.Add($"{dir}: {bad}; rename the folder");
                    continue;
                }
                var own = (Errors: new List<string>(), Notes: new List<string>());
                if (await ApplyTenantAsync(slug, dir, own.Errors, own.Notes, ct)) applied.Add(slug);
                byTenant[slug] = own;
                errors.AddRange(own.Errors);
                notes.AddRange(own.Notes);
            }
            return Report(applied, errors, notes) with { ByTenant = byTenant };
        }
        finally
        {
            _gate.Release();
        }
    }

    private ProvisioningReport Report(List<string> applied, List<string> errors, List<string> notes)
    {
        foreach (var e in errors) log.LogError("Provisioning: {Error}", e);
        foreach (var n in notes) log.LogInformation("Provisioning: {Note}", n);
        log.LogInformation("Provisioning applied {Count} tenants with {Errors} errors", applied.Count, errors.Count);
        return new(applied, errors, notes);
    }

    private async Task<bool> ApplyTenantAsync(string slug, string dir, List<string> errors, List<string> notes, CancellationToken ct)
    {
        var tenantPath = Path.Combine(dir, "tenant.yml");
        if (!File.Exists(tenantPath))
        {
            errors.Add($"{tenantPath}: missing; every provisioned tenant needs a tenant.yml with at least its name");
            return false;
        }
        var loaded = TenantFileLoader.Load(await File.ReadAllTextAsync(tenantPath, ct), tenantPath);
        if (!loaded.Success)
        {
            errors.AddRange(loaded.Errors.Select(e => e.ToString()));
            return false;
        }
        var file = loaded.Config!;

        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == slug, ct);
            if (tenant is null)
            {
                await tenants.CreateAsync(slug, file.Name!, null, provisioned: true, ct);
            }
            else if (tenant.Name != file.Name || !tenant.Provisioned)
            {
                tenant.Name = file.Name!;
                tenant.Provisioned = true;
                await db.SaveChangesAsync(ct);
            }
        }

        await ApplyTokensAsync(slug, file, ct);
        await ApplyMembersAsync(slug, file, notes, ct);

        await ApplyDocumentAsync(slug, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, Path.Combine(dir, "prometheus.yml"), errors, ct);
        await ApplyDocumentAsync(slug, ConfigKind.Alertmanager, TenantConfigService.AlertmanagerDocument, Path.Combine(dir, "alertmanager.yml"), errors, ct);
        var rulesDir = Path.Combine(dir, "rules");
        if (Directory.Exists(rulesDir))
        {
            foreach (var path in Directory.EnumerateFiles(rulesDir).Where(p => p.EndsWith(".yml", StringComparison.Ordinal) || p.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                await ApplyDocumentAsync(slug, ConfigKind.Rules, Path.GetFileName(path), path, errors, ct);
        }
        await ApplyDashboardsAsync(slug, Path.Combine(dir, "dashboards"), errors, notes, ct);
        return true;
    }

    /// <summary>
    /// Loads <c>dashboards/*.json</c> (General folder) and <c>dashboards/&lt;folder title&gt;/*.json</c> as provisioned
    /// dashboards; dashboards whose file is gone are deleted. A file without a uid gets one derived from its path, so
    /// links stay stable across reloads. A bad file is reported and its running dashboard kept.
    /// </summary>
    private async Task ApplyDashboardsAsync(string slug, string dashboardsDir, List<string> errors, List<string> notes, CancellationToken ct)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var uids = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(dashboardsDir))
        {
            var files = Directory.EnumerateFiles(dashboardsDir, "*.json").Select(f => (File: f, Folder: (string?)null))
                .Concat(Directory.EnumerateDirectories(dashboardsDir).SelectMany(d => Directory.EnumerateFiles(d, "*.json").Select(f => (File: f, Folder: (string?)Path.GetFileName(d)))))
                .OrderBy(f => f.File, StringComparer.Ordinal);
            foreach (var (path, folderTitle) in files)
            {
                var rel = "dashboards/" + Path.GetRelativePath(dashboardsDir, path).Replace('\\', '/');
                keep.Add(rel);
                System.Text.Json.Nodes.JsonObject model;
                try
                {
                    model = Portal.Web.Dashboards.GrafanaJson.ParseObject(await File.ReadAllTextAsync(path, ct));
                }
                catch (Portal.Web.Dashboards.DashboardImportException e)
                {
                    errors.Add($"{path}: {e.Message} (the running dashboard is kept)");
                    continue;
                }
                if (Portal.Web.Dashboards.GrafanaJson.Str(model["uid"]) is not { Length: > 0 } uid)
                {
                    uid = "p" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(slug + "/" + rel)))[..12];
                    model["uid"] = uid;
                }
                if (uids.TryGetValue(uid, out var other))
                {
                    errors.Add($"{path}: uid \"{uid}\" is already used by {other}; give one of them another uid");
                    continue;
                }
                uids[uid] = rel;
                model.Remove("id");
                string? folderUid = null;
                if (folderTitle is not null)
                {
                    var folderSlug = DashboardService.Slug(folderTitle);
                    var folder = await dashboards.EnsureFolderAsync(slug, folderTitle, folderSlug.Length is > 0 and <= DashboardService.MaxUidLength ? folderSlug : DashboardService.NewUid(), Author, ct);
                    folderUid = folder.Uid;
                }
                var result = await dashboards.SaveAsync(slug, model, folderUid, overwrite: true, Author, provisionedFrom: rel, ct: ct);
                if (!result.Saved) errors.Add($"{path}: {result.Message}");
                else if (result.Message != "unchanged") notes.Add($"tenant {slug}: dashboard \"{result.Dashboard!.Title}\" loaded from {rel} (version {result.Dashboard.Version})");
            }
        }
        foreach (var removed in await dashboards.RemoveProvisionedExceptAsync(slug, keep, ct))
            notes.Add($"tenant {slug}: dashboard {removed} removed (its file is gone)");
    }

    private async Task ApplyTokensAsync(string slug, TenantFile file, CancellationToken ct)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in file.ApiTokens ?? [])
        {
            wanted.Add(t.Name!);
            var scopes = PortalClaims.ParseScopes(t.Scopes!);
            var check = await tokens.VerifyAsync(t.Token!.Value, slug, ct);
            if (check.Ok && check.Token!.Name == t.Name && check.Token.Scopes == scopes) continue;
            await tokens.StoreAsync(slug, t.Name!, t.Token.Value, scopes, null, Author, ct);
        }
        await tokens.RevokeCreatedByExceptAsync(slug, Author, wanted, ct);
    }

    private async Task ApplyMembersAsync(string slug, TenantFile file, List<string> notes, CancellationToken ct)
    {
        foreach (var m in file.Members ?? [])
        {
            string? userId;
            await using (var db = await contexts.CreateDbContextAsync(ct))
            {
                var normalized = m.Email!.ToUpperInvariant();
                userId = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleOrDefaultAsync(ct);
            }
            if (userId is null)
            {
                notes.Add($"tenant {slug}: {m.Email} has no account yet; the {m.Role} role is granted on the first reload after they sign up");
                continue;
            }
            var role = Enum.Parse<TenantRole>(m.Role!, ignoreCase: true);
            if (await tenants.RoleOfAsync(slug, userId, ct) != role)
                await tenants.SetMemberAsync(slug, userId, role, Author, ct);
        }
    }

    private async Task ApplyDocumentAsync(string slug, ConfigKind kind, string name, string path, List<string> errors, CancellationToken ct)
    {
        if (!File.Exists(path)) return;
        var result = await configs.ApplyAsync(slug, kind, name, await File.ReadAllTextAsync(path, ct), Author, ct);
        foreach (var e in result.Errors)
            errors.Add($"{path}:{e.Line}:{e.Column}: {e.Message} (the running {name} is kept)");
    }
}

/// <summary>Runs provisioning on start and on SIGHUP.</summary>
public sealed class ProvisioningHostedService(ProvisioningService provisioning, ILogger<ProvisioningHostedService> log) : IHostedService, IDisposable
{
    private System.Runtime.InteropServices.PosixSignalRegistration? _sighup;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (provisioning.FolderPath is null) return;
        await provisioning.ApplyAsync(cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            _sighup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                log.LogInformation("SIGHUP received: reloading provisioning");
                _ = Task.Run(() => provisioning.ApplyAsync());
            });
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _sighup?.Dispose();
}
