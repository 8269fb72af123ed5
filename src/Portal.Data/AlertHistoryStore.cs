using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Model;

namespace Portal.Data;

/// <summary>
/// What to read from a tenant's alert history. Every filter is optional: <see cref="AlertName"/>, <see cref="Team"/>
/// and <see cref="State"/> are exact; an alert's labels must satisfy every matcher of at least one of
/// <see cref="MatcherSets"/> (as Prometheus's repeated <c>match[]</c>) when any are given; the time range is
/// inclusive. <see cref="Limit"/> caps each list (newest first).
/// </summary>
public sealed record AlertHistoryQuery
{
    public string? AlertName { get; init; }
    public IReadOnlyList<IReadOnlyList<Matcher>> MatcherSets { get; init; } = [];
    public string? Team { get; init; }
    public string? State { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public int Limit { get; init; } = 1000;
}

/// <summary>The state changes and notification attempts found, each newest first.</summary>
public sealed record AlertHistoryPage(IReadOnlyList<AlertStateChange> Changes, IReadOnlyList<NotificationAttempt> Notifications);

/// <summary>
/// Stores and reads alert history: alert state changes and notification attempts, per tenant. Writes come in
/// batches (see the web host's recorder); reads are always scoped to one tenant. Thread-safe.
/// </summary>
public sealed class AlertHistoryStore(IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>The most rows one query examines when label matchers have to be checked row by row.</summary>
    public const int MaxScannedRows = 50_000;

    /// <summary>The states an alert state change may have.</summary>
    public static readonly IReadOnlyList<string> States = ["pending", "firing", "resolved", "inactive"];

    /// <summary>Writes a batch of rows in one transaction. Rows of tenants that no longer exist are dropped.</summary>
    public async Task AddAsync(IReadOnlyCollection<AlertStateChange> changes, IReadOnlyCollection<NotificationAttempt> attempts, CancellationToken ct = default)
    {
        if (changes.Count == 0 && attempts.Count == 0) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var tenants = changes.Select(c => c.TenantId).Concat(attempts.Select(a => a.TenantId)).Distinct().ToList();
        var existing = (await db.Tenants.AsNoTracking().Where(t => tenants.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        db.AlertStateChanges.AddRange(changes.Where(c => existing.Contains(c.TenantId)));
        db.NotificationAttempts.AddRange(attempts.Where(a => existing.Contains(a.TenantId)));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes every row (all tenants) older than <paramref name="cutoff"/>; returns how many went.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        int n = await db.AlertStateChanges.Where(c => c.At < cutoff).ExecuteDeleteAsync(ct);
        n += await db.NotificationAttempts.Where(a => a.At < cutoff).ExecuteDeleteAsync(ct);
        return n;
    }

    /// <summary>
    /// Reads the tenant's history. Notification attempts are filtered by team and time; when alert filters are given
    /// (name, matchers, state), only attempts that carried one of the matching alerts are kept.
    /// </summary>
    public async Task<AlertHistoryPage> QueryAsync(string tenantId, AlertHistoryQuery q, CancellationToken ct = default)
    {
        int limit = Math.Clamp(q.Limit, 1, MaxScannedRows);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var changes = db.AlertStateChanges.AsNoTracking().Where(c => c.TenantId == tenantId);
        if (q.Start is { } s) changes = changes.Where(c => c.At >= s);
        if (q.End is { } e) changes = changes.Where(c => c.At <= e);
        if (!string.IsNullOrEmpty(q.AlertName)) changes = changes.Where(c => c.AlertName == q.AlertName);
        if (!string.IsNullOrEmpty(q.Team)) changes = changes.Where(c => c.Team == q.Team);
        if (!string.IsNullOrEmpty(q.State)) changes = changes.Where(c => c.State == q.State);
        changes = changes.OrderByDescending(c => c.At).ThenByDescending(c => c.Id);
        List<AlertStateChange> found;
        if (q.MatcherSets.Count == 0) found = await changes.Take(limit).ToListAsync(ct);
        else
        {
            found = [];
            await foreach (var c in changes.Take(MaxScannedRows).AsAsyncEnumerable().WithCancellation(ct))
            {
                var labels = ParseLabels(c.LabelsJson);
                if (!q.MatcherSets.Any(set => MatchesAll(set, labels))) continue;
                found.Add(c);
                if (found.Count >= limit) break;
            }
        }

        var attempts = db.NotificationAttempts.AsNoTracking().Where(a => a.TenantId == tenantId);
        if (q.Start is { } s2) attempts = attempts.Where(a => a.At >= s2);
        if (q.End is { } e2) attempts = attempts.Where(a => a.At <= e2);
        if (!string.IsNullOrEmpty(q.Team)) attempts = attempts.Where(a => a.Team == q.Team);
        attempts = attempts.OrderByDescending(a => a.At).ThenByDescending(a => a.Id);
        bool alertFilter = !string.IsNullOrEmpty(q.AlertName) || q.MatcherSets.Count > 0 || !string.IsNullOrEmpty(q.State);
        List<NotificationAttempt> sent;
        if (!alertFilter) sent = await attempts.Take(limit).ToListAsync(ct);
        else
        {
            var fps = found.Select(c => c.Fingerprint).ToHashSet(StringComparer.Ordinal);
            sent = [];
            if (fps.Count > 0)
                await foreach (var a in attempts.Take(MaxScannedRows).AsAsyncEnumerable().WithCancellation(ct))
                {
                    if (!a.Fingerprints.Split(',').Any(fps.Contains)) continue;
                    sent.Add(a);
                    if (sent.Count >= limit) break;
                }
        }
        return new(found, sent);
    }

    /// <summary>The timeline of one alert (by fingerprint) of the tenant, oldest first.</summary>
    public async Task<IReadOnlyList<AlertStateChange>> TimelineAsync(string tenantId, string fingerprint, int limit = 500, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.AlertStateChanges.AsNoTracking().Where(c => c.TenantId == tenantId && c.Fingerprint == fingerprint)
            .OrderByDescending(c => c.At).ThenByDescending(c => c.Id).Take(limit).ToListAsync(ct);
        rows.Reverse();
        return rows;
    }

    /// <summary>True when every matcher accepts the label set (an absent label counts as empty, as in Prometheus).</summary>
    public static bool MatchesAll(IReadOnlyList<Matcher> matchers, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var m in matchers)
            if (!m.Matches(labels.GetValueOrDefault(m.Name, ""))) return false;
        return true;
    }

    /// <summary>A label set as stored (<c>{"name":"value",…}</c>).</summary>
    public static string LabelsToJson(IEnumerable<KeyValuePair<string, string>> labels) =>
        JsonSerializer.Serialize(labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));

    /// <summary>Reads a stored label set; an unreadable one is empty.</summary>
    public static IReadOnlyDictionary<string, string> ParseLabels(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }
}
