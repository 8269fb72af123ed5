using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>Outcome of <see cref="DashboardService.SaveAsync"/>, after Grafana's dashboard API.</summary>
public enum DashboardSaveStatus
{
    /// <summary>Stored; the result carries the new version.</summary>
    Saved,
    /// <summary>Grafana's 412 <c>version-mismatch</c>: the stored version is newer than the one posted, and overwrite was not set.</summary>
    VersionMismatch,
    /// <summary>Grafana's 412 <c>name-exists</c>: another dashboard in the same folder has the title, and overwrite was not set.</summary>
    NameExists,
    /// <summary>The dashboard was not found by the id or uid posted for an update (Grafana's 404 <c>not-found</c>).</summary>
    NotFound,
    /// <summary>The folder uid names no folder of the tenant (400).</summary>
    FolderNotFound,
    /// <summary>The stored dashboard comes from a provisioning file and cannot be changed through the API or UI (400).</summary>
    Provisioned,
    /// <summary>The model is invalid: empty title, bad uid (400).</summary>
    Invalid,
}

/// <summary>What a save did; <see cref="Dashboard"/> is set when <see cref="Status"/> is <see cref="DashboardSaveStatus.Saved"/>.</summary>
public sealed record DashboardSaveResult(DashboardSaveStatus Status, Dashboard? Dashboard, string Message)
{
    public bool Saved => Status == DashboardSaveStatus.Saved;
}

/// <summary>A search hit: a dashboard or a folder (Grafana's <c>dash-db</c> and <c>dash-folder</c>).</summary>
public sealed record DashboardHit(long Id, string Uid, string Title, bool IsFolder, IReadOnlyList<string> Tags, string? FolderUid, string? FolderTitle, long? FolderId, bool Provisioned);

/// <summary>
/// A tenant's dashboards and folders. Dashboards are kept as Grafana dashboard JSON; this service owns the
/// identity fields inside it (<c>id</c>, <c>uid</c>, <c>version</c>) and follows Grafana's save rules: a new
/// dashboard starts at version 1, each save adds one, a save that names an older version is refused unless it
/// overwrites, and titles are unique per folder. Every call is scoped to one tenant. Thread-safe.
/// </summary>
public sealed class DashboardService(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    /// <summary>Longest uid Grafana accepts.</summary>
    public const int MaxUidLength = 40;

    /// <summary>The author recorded for provisioned dashboards.</summary>
    public const string ProvisioningActor = "provisioning";

    private const string UidAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A new random 9-character uid, as Grafana generates them.</summary>
    public static string NewUid() => RandomNumberGenerator.GetString(UidAlphabet, 9);

    /// <summary>Null when <paramref name="uid"/> is acceptable: 1 to 40 of letters, digits, '-' and '_'.</summary>
    public static string? ValidateUid(string uid)
    {
        if (uid.Length is 0 or > MaxUidLength) return $"uid \"{uid}\" must be 1 to {MaxUidLength} characters long";
        foreach (var c in uid)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                return $"uid \"{uid}\" may contain only letters, digits, '-' and '_'";
        return null;
    }

    /// <summary>Grafana's URL slug of a title: lower case, runs of other characters as one '-'.</summary>
    public static string Slug(string title)
    {
        var sb = new StringBuilder(title.Length);
        bool dash = false;
        foreach (var c in title.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) { sb.Append(c); dash = false; }
            else if (!dash && sb.Length > 0) { sb.Append('-'); dash = true; }
        }
        return sb.ToString().TrimEnd('-');
    }

    /// <summary>The dashboard's page: <c>/d/&lt;uid&gt;/&lt;slug&gt;</c>.</summary>
    public static string Url(string uid, string title) => $"/d/{uid}/{Slug(title)}";

    /// <summary>The tags of a dashboard row as a list.</summary>
    public static IReadOnlyList<string> TagList(string? tags) =>
        string.IsNullOrEmpty(tags) ? [] : tags.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Saves <paramref name="model"/> (Grafana dashboard JSON, changed in place: <c>id</c>, <c>uid</c> and <c>version</c>
    /// are set to the stored values) into <paramref name="folderUid"/> (null: the General folder). An existing
    /// dashboard is found by the model's <c>uid</c>, else by its <c>id</c>. <paramref name="provisionedFrom"/> marks a
    /// dashboard loaded from a provisioning file (only provisioning passes it; then version and title checks are
    /// skipped because the file wins); without it a provisioned dashboard is refused.
    /// </summary>
    public async Task<DashboardSaveResult> SaveAsync(string tenantId, JsonObject model, string? folderUid, bool overwrite, string actor,
        string? provisionedFrom = null, CancellationToken ct = default)
    {
        var title = (model["title"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t.Trim() : "";
        if (title.Length == 0) return new(DashboardSaveStatus.Invalid, null, "Dashboard title cannot be empty");
        if (title.Length > 200) return new(DashboardSaveStatus.Invalid, null, "Dashboard title is longer than 200 characters");
        var uid = (model["uid"] as JsonValue)?.TryGetValue<string>(out var u) == true && u.Length > 0 ? u : null;
        if (uid is not null && ValidateUid(uid) is { } badUid) return new(DashboardSaveStatus.Invalid, null, badUid);
        long? id = Number(model["id"]) is { } idv && idv > 0 ? (long)idv : null;
        int postedVersion = Number(model["version"]) is { } v ? (int)v : 0;
        folderUid = string.IsNullOrEmpty(folderUid) ? null : folderUid;
        var tags = Tags(model["tags"]);
        bool provisioning = provisionedFrom is not null;

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (folderUid is not null && !await db.DashboardFolders.AnyAsync(f => f.TenantId == tenantId && f.Uid == folderUid, ct))
            return new(DashboardSaveStatus.FolderNotFound, null, $"Folder \"{folderUid}\" not found; create it first or leave folderUid empty for General");

        Dashboard? existing = null;
        if (uid is not null) existing = await db.Dashboards.SingleOrDefaultAsync(d => d.TenantId == tenantId && d.Uid == uid, ct);
        else if (id is not null)
        {
            existing = await db.Dashboards.SingleOrDefaultAsync(d => d.TenantId == tenantId && d.Id == id, ct);
            if (existing is null) return new(DashboardSaveStatus.NotFound, null, "Dashboard not found");
        }

        if (!provisioning)
        {
            if (existing is { Provisioned: true }) return new(DashboardSaveStatus.Provisioned, null, "Cannot save provisioned dashboard");
            var sameTitle = await db.Dashboards.Where(d => d.TenantId == tenantId && d.FolderUid == folderUid && d.Title == title).ToListAsync(ct);
            var clash = sameTitle.FirstOrDefault(d => existing is null || d.Id != existing.Id);
            if (clash is not null)
            {
                if (!overwrite) return new(DashboardSaveStatus.NameExists, null, "A dashboard with the same name in the folder already exists");
                if (clash.Provisioned) return new(DashboardSaveStatus.Provisioned, null, "Cannot save provisioned dashboard");
                if (existing is null) existing = clash;
                else db.Dashboards.Remove(clash);
            }
            if (existing is not null && !overwrite && existing.Version != postedVersion)
                return new(DashboardSaveStatus.VersionMismatch, null, "The dashboard has been changed by someone else");
        }

        var now = clock.GetUtcNow();
        if (existing is null)
        {
            uid ??= await FreshUidAsync(db, tenantId, ct);
            existing = new Dashboard
            {
                TenantId = tenantId, Uid = uid, Title = title, Json = "{}", Version = 0, CreatedAt = now, UpdatedBy = actor,
            };
            db.Dashboards.Add(existing);
        }
        else if (provisioning && existing.Provisioned && existing.ProvisionedFrom == provisionedFrom && existing.FolderUid == folderUid)
        {
            // Reloading an unchanged file keeps the version.
            model["uid"] = existing.Uid;
            model["version"] = existing.Version;
            model.Remove("id");
            if (existing.Json == model.ToJsonString())
            {
                model["id"] = existing.Id;
                return new(DashboardSaveStatus.Saved, existing, "unchanged");
            }
        }
        existing.Title = title;
        existing.Tags = tags.Count == 0 ? null : string.Join(',', tags);
        existing.FolderUid = folderUid;
        existing.Version++;
        existing.UpdatedAt = now;
        existing.UpdatedBy = actor;
        existing.Provisioned = provisioning;
        existing.ProvisionedFrom = provisionedFrom;
        model["uid"] = existing.Uid;
        model["version"] = existing.Version;
        model.Remove("id");
        existing.Json = model.ToJsonString();
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "dashboard.save", Target = existing.Uid, Detail = title, At = now });
        await db.SaveChangesAsync(ct);
        model["id"] = existing.Id;
        return new(DashboardSaveStatus.Saved, existing, "success");
    }

    /// <summary>The tenant's dashboard with <paramref name="uid"/>, or null (also for another tenant's uid).</summary>
    public async Task<Dashboard?> GetAsync(string tenantId, string uid, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Dashboards.AsNoTracking().SingleOrDefaultAsync(d => d.TenantId == tenantId && d.Uid == uid, ct);
    }

    /// <summary>
    /// The stored model of a dashboard with its <c>id</c>, <c>uid</c> and <c>version</c> filled in, as Grafana returns it.
    /// </summary>
    public static JsonObject Model(Dashboard d)
    {
        var model = JsonNode.Parse(d.Json) as JsonObject ?? new JsonObject();
        model["id"] = d.Id;
        model["uid"] = d.Uid;
        model["version"] = d.Version;
        return model;
    }

    /// <summary>
    /// Deletes the tenant's dashboard <paramref name="uid"/>. Returns the deleted row, or null when the tenant has no
    /// such dashboard. Throws <see cref="InvalidOperationException"/> for a provisioned one unless
    /// <paramref name="allowProvisioned"/> (provisioning removing a file's dashboard).
    /// </summary>
    public async Task<Dashboard?> DeleteAsync(string tenantId, string uid, string actor, bool allowProvisioned = false, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var d = await db.Dashboards.SingleOrDefaultAsync(x => x.TenantId == tenantId && x.Uid == uid, ct);
        if (d is null) return null;
        if (d.Provisioned && !allowProvisioned)
            throw new InvalidOperationException("provisioned dashboard cannot be deleted; remove its file from the provisioning folder instead");
        db.Dashboards.Remove(d);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "dashboard.delete", Target = uid, Detail = d.Title, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return d;
    }

    /// <summary>The tenant's folders by title.</summary>
    public async Task<IReadOnlyList<DashboardFolder>> FoldersAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var list = await db.DashboardFolders.AsNoTracking().Where(f => f.TenantId == tenantId).ToListAsync(ct);
        return list.OrderBy(f => f.Title, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Creates a folder. Throws <see cref="ArgumentException"/> for an empty title or a bad uid,
    /// <see cref="InvalidOperationException"/> when the title or uid is taken.
    /// </summary>
    public async Task<DashboardFolder> CreateFolderAsync(string tenantId, string title, string? uid, string actor, CancellationToken ct = default)
    {
        title = title.Trim();
        if (title.Length is 0 or > 200) throw new ArgumentException("a folder title must be 1 to 200 characters long", nameof(title));
        if (uid is not null && ValidateUid(uid) is { } bad) throw new ArgumentException(bad, nameof(uid));
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.DashboardFolders.AnyAsync(f => f.TenantId == tenantId && f.Title == title, ct))
            throw new InvalidOperationException($"a folder named \"{title}\" already exists; choose another title");
        if (uid is not null && await db.DashboardFolders.AnyAsync(f => f.TenantId == tenantId && f.Uid == uid, ct))
            throw new InvalidOperationException($"a folder with uid \"{uid}\" already exists");
        uid ??= NewUid();
        var now = clock.GetUtcNow();
        var folder = new DashboardFolder { TenantId = tenantId, Uid = uid, Title = title, CreatedAt = now };
        db.DashboardFolders.Add(folder);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "folder.create", Target = uid, Detail = title, At = now });
        await db.SaveChangesAsync(ct);
        return folder;
    }

    /// <summary>The folder titled <paramref name="title"/>, created with uid <paramref name="uidIfNew"/> when missing.</summary>
    public async Task<DashboardFolder> EnsureFolderAsync(string tenantId, string title, string uidIfNew, string actor, CancellationToken ct = default)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var found = await db.DashboardFolders.AsNoTracking().SingleOrDefaultAsync(f => f.TenantId == tenantId && f.Title == title, ct);
            if (found is not null) return found;
            if (await db.DashboardFolders.AnyAsync(f => f.TenantId == tenantId && f.Uid == uidIfNew, ct)) uidIfNew = NewUid();
        }
        return await CreateFolderAsync(tenantId, title, uidIfNew, actor, ct);
    }

    /// <summary>Deletes an empty folder; false when the tenant has no such folder. Throws <see cref="InvalidOperationException"/> when it holds dashboards.</summary>
    public async Task<bool> DeleteFolderAsync(string tenantId, string uid, string actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var f = await db.DashboardFolders.SingleOrDefaultAsync(x => x.TenantId == tenantId && x.Uid == uid, ct);
        if (f is null) return false;
        if (await db.Dashboards.AnyAsync(d => d.TenantId == tenantId && d.FolderUid == uid, ct))
            throw new InvalidOperationException($"folder \"{f.Title}\" still holds dashboards; move or delete them first");
        db.DashboardFolders.Remove(f);
        db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = actor, Action = "folder.delete", Target = uid, Detail = f.Title, At = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Grafana's search: folders and dashboards whose title contains <paramref name="query"/> (case-insensitive), that carry
    /// every tag in <paramref name="tags"/>, limited to <paramref name="folderUids"/> and <paramref name="dashboardUids"/> when
    /// given (<c>general</c> or empty names the General folder), of <paramref name="type"/> (<c>dash-db</c>, <c>dash-folder</c>
    /// or null for both). Folders first, then dashboards, each by title; at most <paramref name="limit"/> hits.
    /// </summary>
    public async Task<IReadOnlyList<DashboardHit>> SearchAsync(string tenantId, string? query = null, IReadOnlyCollection<string>? tags = null,
        IReadOnlyCollection<string>? folderUids = null, IReadOnlyCollection<string>? dashboardUids = null, string? type = null, int limit = 1000,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var folders = await db.DashboardFolders.AsNoTracking().Where(f => f.TenantId == tenantId).ToListAsync(ct);
        var rows = await db.Dashboards.AsNoTracking().Where(d => d.TenantId == tenantId)
            .Select(d => new { d.Id, d.Uid, d.Title, d.Tags, d.FolderUid, d.Provisioned }).ToListAsync(ct);
        var byUid = folders.ToDictionary(f => f.Uid, StringComparer.Ordinal);
        bool Matches(string title) => string.IsNullOrEmpty(query) || title.Contains(query, StringComparison.OrdinalIgnoreCase);
        var hits = new List<DashboardHit>();
        bool wantTags = tags is { Count: > 0 };
        bool wantUids = dashboardUids is { Count: > 0 };
        if (type is null or "dash-folder" && !wantTags && !wantUids && folderUids is not { Count: > 0 })
        {
            foreach (var f in folders.Where(f => Matches(f.Title)).OrderBy(f => f.Title, StringComparer.OrdinalIgnoreCase))
                hits.Add(new DashboardHit(f.Id, f.Uid, f.Title, true, [], null, null, null, false));
        }
        if (type is null or "dash-db")
        {
            foreach (var d in rows.OrderBy(d => d.Title, StringComparer.OrdinalIgnoreCase))
            {
                if (!Matches(d.Title)) continue;
                var list = TagList(d.Tags);
                if (wantTags && !tags!.All(t => list.Contains(t, StringComparer.Ordinal))) continue;
                if (wantUids && !dashboardUids!.Contains(d.Uid)) continue;
                if (folderUids is { Count: > 0 } && !folderUids.Contains(d.FolderUid ?? "general") && !(d.FolderUid is null && folderUids.Contains(""))) continue;
                var folder = d.FolderUid is not null && byUid.TryGetValue(d.FolderUid, out var f) ? f : null;
                hits.Add(new DashboardHit(d.Id, d.Uid, d.Title, false, list, folder?.Uid, folder?.Title, folder?.Id, d.Provisioned));
            }
        }
        return hits.Take(Math.Max(0, limit)).ToList();
    }

    /// <summary>
    /// Provisioned dashboards of the tenant whose file is not in <paramref name="keepFiles"/> are deleted (their file
    /// was removed). Returns the uids deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveProvisionedExceptAsync(string tenantId, IReadOnlySet<string> keepFiles, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stale = (await db.Dashboards.Where(d => d.TenantId == tenantId && d.Provisioned).ToListAsync(ct))
            .Where(d => d.ProvisionedFrom is null || !keepFiles.Contains(d.ProvisionedFrom)).ToList();
        if (stale.Count == 0) return [];
        db.Dashboards.RemoveRange(stale);
        var now = clock.GetUtcNow();
        foreach (var d in stale)
            db.AuditLog.Add(new AuditEntry { TenantId = tenantId, Actor = ProvisioningActor, Action = "dashboard.delete", Target = d.Uid, Detail = d.Title, At = now });
        await db.SaveChangesAsync(ct);
        return stale.Select(d => d.Uid).ToList();
    }

    private static async Task<string> FreshUidAsync(PortalDbContext db, string tenantId, CancellationToken ct)
    {
        while (true)
        {
            var uid = NewUid();
            if (!await db.Dashboards.AnyAsync(d => d.TenantId == tenantId && d.Uid == uid, ct)) return uid;
        }
    }

    private static double? Number(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        if (v.TryGetValue<double>(out var d)) return d;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        return null;
    }

    private static List<string> Tags(JsonNode? node)
    {
        var tags = new List<string>();
        if (node is not JsonArray a) return tags;
        foreach (var t in a)
            if (t is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim() is { Length: > 0 } trimmed && !trimmed.Contains(',') && !tags.Contains(trimmed))
                tags.Add(trimmed);
        return tags;
    }
}
