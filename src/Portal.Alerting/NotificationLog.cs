using System.Text.Json;

namespace Portal.Alerting;

/// <summary>
/// What was last notified for one aggregation group to one integration of a receiver: when, and the fingerprints
/// of the firing and resolved alerts. Immutable.
/// </summary>
public sealed record NotificationLogEntry(
    string GroupKey,
    string Receiver,
    DateTimeOffset Timestamp,
    IReadOnlyList<ulong> FiringAlerts,
    IReadOnlyList<ulong> ResolvedAlerts,
    DateTimeOffset ExpiresAt)
{
    /// <summary>True when every fingerprint of <paramref name="subset"/> was firing in this entry.</summary>
    public bool IsFiringSubset(IReadOnlySet<ulong> subset) => IsSubset(FiringAlerts, subset);

    /// <summary>True when every fingerprint of <paramref name="subset"/> was resolved in this entry.</summary>
    public bool IsResolvedSubset(IReadOnlySet<ulong> subset) => IsSubset(ResolvedAlerts, subset);

    private static bool IsSubset(IReadOnlyList<ulong> set, IReadOnlySet<ulong> subset)
    {
        foreach (var fp in subset)
        {
            bool found = false;
            for (int i = 0; i < set.Count; i++)
                if (set[i] == fp) { found = true; break; }
            if (!found) return false;
        }
        return true;
    }
}

/// <summary>
/// The notification log (Alertmanager's nflog): one entry per (group key, receiver integration), used to
/// deduplicate notifications. Entries expire after their retention. Persisted as JSON to <c>nflog.json</c> in the
/// given folder after every change (atomic replace) and loaded on construction, so deduplication holds across
/// restarts. Thread-safe.
/// </summary>
public sealed class NotificationLog
{
    private readonly object _lock = new();
    private readonly Dictionary<string, NotificationLogEntry> _entries = new(StringComparer.Ordinal);
    private readonly string? _file;
    private readonly TimeProvider _clock;

    /// <summary>How long an entry lives after its notification (Alertmanager's default data retention, 120h).</summary>
    public TimeSpan Retention { get; }

    /// <param name="directory">Where <c>nflog.json</c> lives; null keeps the log in memory only.</param>
    public NotificationLog(string? directory, TimeProvider clock, TimeSpan? retention = null)
    {
        _clock = clock;
        Retention = retention ?? TimeSpan.FromHours(120);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            _file = Path.Combine(directory, "nflog.json");
            if (File.Exists(_file))
            {
                var list = JsonSerializer.Deserialize<List<NotificationLogEntry>>(File.ReadAllBytes(_file), StoredJson.Options) ?? [];
                foreach (var e in list) _entries[StateKey(e.GroupKey, e.Receiver)] = e;
            }
        }
    }

    /// <summary>The receiver part of a log key: <c>receiver-name/integration/index</c>, as Alertmanager writes it.</summary>
    public static string ReceiverKey(string receiver, string integration, int index) => $"{receiver}/{integration}/{index}";

    private static string StateKey(string groupKey, string receiverKey) => groupKey + ":" + receiverKey;

    /// <summary>The entry of a group and receiver integration; null when none or expired.</summary>
    public NotificationLogEntry? Query(string groupKey, string receiverKey)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
            return _entries.TryGetValue(StateKey(groupKey, receiverKey), out var e) && e.ExpiresAt > now ? e : null;
    }

    /// <summary>Records a notification sent now with the alerts it reported as firing and resolved.</summary>
    public void Log(string groupKey, string receiverKey, IEnumerable<ulong> firing, IEnumerable<ulong> resolved, TimeSpan? expiry = null)
    {
        var now = _clock.GetUtcNow();
        var f = new List<ulong>(firing);
        var r = new List<ulong>(resolved);
        f.Sort();
        r.Sort();
        var ttl = expiry is { } x && x > Retention ? x : Retention;
        var entry = new NotificationLogEntry(groupKey, receiverKey, now, f, r, now + ttl);
        lock (_lock)
        {
            _entries[StateKey(groupKey, receiverKey)] = entry;
            SaveLocked();
        }
    }

    /// <summary>Drops expired entries; returns how many.</summary>
    public int GarbageCollect()
    {
        var now = _clock.GetUtcNow();
        int n = 0;
        lock (_lock)
        {
            var expired = new List<string>();
            foreach (var (k, e) in _entries)
                if (e.ExpiresAt <= now) expired.Add(k);
            foreach (var k in expired) n += _entries.Remove(k) ? 1 : 0;
            if (n > 0) SaveLocked();
        }
        return n;
    }

    /// <summary>Every live entry (for tests and status pages).</summary>
    public List<NotificationLogEntry> Entries()
    {
        lock (_lock) return [.. _entries.Values];
    }

    private void SaveLocked()
    {
        if (_file is null) return;
        AtomicFile.Write(_file, JsonSerializer.SerializeToUtf8Bytes(_entries.Values.ToList(), StoredJson.Options));
    }
}
