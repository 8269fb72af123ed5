using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Alerting;

/// <summary>The state of a silence at a given time.</summary>
public enum SilenceState
{
    Pending,
    Active,
    Expired,
}

/// <summary>A silence: alerts matching all <see cref="Matchers"/> are muted between <see cref="StartsAt"/> and <see cref="EndsAt"/>. Immutable.</summary>
public sealed record Silence
{
    public string Id { get; init; } = "";
    public required IReadOnlyList<Matcher> Matchers { get; init; }
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public string Comment { get; init; } = "";

    public SilenceState StateAt(DateTimeOffset now) =>
        now < StartsAt ? SilenceState.Pending : now < EndsAt ? SilenceState.Active : SilenceState.Expired;

    /// <summary>True when every matcher matches <paramref name="labels"/> (missing labels as the empty string).</summary>
    public bool Matches(Labels labels) => Matcher.AllMatch(Matchers, labels);
}

/// <summary>A request to change silences was refused; <see cref="NotFound"/> when the id named does not exist.</summary>
public sealed class SilenceException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}

/// <summary>
/// A tenant's silences with Alertmanager's rules: creating, updating in place when allowed (same matchers, and an
/// active silence keeps its start and ends in the future, a pending one starts in the future), otherwise replacing
/// (the old one expires, the new one gets a new id), expiring, and garbage collection of silences expired longer
/// than the retention. Persisted as JSON to <c>silences.json</c> in the given folder after every change (atomic
/// replace), and loaded from it on construction. Thread-safe.
/// </summary>
public sealed class SilenceStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);
    private readonly string? _file;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _retention;

    /// <param name="directory">Where <c>silences.json</c> lives; null keeps silences in memory only.</param>
    public SilenceStore(string? directory, TimeProvider clock, TimeSpan? retention = null)
    {
        _clock = clock;
        _retention = retention ?? TimeSpan.FromHours(120);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            _file = Path.Combine(directory, "silences.json");
            Load();
        }
    }

    /// <summary>Raised after any change, outside the store's lock.</summary>
    public event Action? Changed;

    /// <summary>
    /// Creates (empty <see cref="Silence.Id"/>) or updates a silence and returns its id, which is new when the silence had
    /// to be replaced. Throws <see cref="SilenceException"/> when invalid or when the id does not exist.
    /// </summary>
    public string Set(Silence s)
    {
        var now = _clock.GetUtcNow();
        Validate(s);
        string id;
        lock (_lock)
        {
            Silence? prev = null;
            if (s.Id.Length > 0 && !_silences.TryGetValue(s.Id, out prev))
                throw new SilenceException($"silence {s.Id} not found", notFound: true);
            if (prev is not null && CanUpdate(prev, s, now))
            {
                _silences[s.Id] = s with { UpdatedAt = now };
                id = s.Id;
            }
            else
            {
                id = Guid.NewGuid().ToString();
                var start = s.StartsAt < now ? now : s.StartsAt;
                if (prev is not null && prev.StateAt(now) != SilenceState.Expired) ExpireLocked(prev, now);
                _silences[id] = s with { Id = id, StartsAt = start, UpdatedAt = now };
            }
            SaveLocked();
        }
        Changed?.Invoke();
        return id;
    }

    /// <summary>Expires a silence now. Throws <see cref="SilenceException"/> when unknown or already expired.</summary>
    public void Expire(string id)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            if (!_silences.TryGetValue(id, out var s)) throw new SilenceException($"silence {id} not found", notFound: true);
            if (s.StateAt(now) == SilenceState.Expired) throw new SilenceException($"silence {id} already expired");
            ExpireLocked(s, now);
            SaveLocked();
        }
        Changed?.Invoke();
    }

    private void ExpireLocked(Silence s, DateTimeOffset now)
    {
        _silences[s.Id] = s.StateAt(now) == SilenceState.Pending
            ? s with { StartsAt = now, EndsAt = now, UpdatedAt = now }
            : s with { EndsAt = now, UpdatedAt = now };
    }

    public Silence? Get(string id)
    {
        lock (_lock) return _silences.TryGetValue(id, out var s) ? s : null;
    }

    /// <summary>Every silence held (pending, active and expired within the retention).</summary>
    public List<Silence> List()
    {
        lock (_lock) return [.. _silences.Values];
    }

    /// <summary>The ids of the active silences muting <paramref name="labels"/>, sorted.</summary>
    public List<string> MutedBy(Labels labels)
    {
        var now = _clock.GetUtcNow();
        var ids = new List<string>();
        lock (_lock)
        {
            foreach (var s in _silences.Values)
                if (s.StateAt(now) == SilenceState.Active && s.Matches(labels)) ids.Add(s.Id);
        }
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Drops silences expired longer than the retention ago; returns how many.</summary>
    public int GarbageCollect()
    {
        var now = _clock.GetUtcNow();
        int n = 0;
        lock (_lock)
        {
            foreach (var s in _silences.Values.ToList())
                if (s.EndsAt + _retention < now && _silences.Remove(s.Id)) n++;
            if (n > 0) SaveLocked();
        }
        return n;
    }

    private static void Validate(Silence s)
    {
        if (s.Matchers.Count == 0) throw new SilenceException("at least one matcher required");
        bool allEmpty = true;
        foreach (var m in s.Matchers)
        {
            if (!LabelNames.IsValidUtf8Name(m.Name)) throw new SilenceException($"invalid label name \"{m.Name}\"");
            if (!m.Matches("")) allEmpty = false;
        }
        if (allEmpty) throw new SilenceException("at least one matcher must not match the empty string");
        if (s.StartsAt == default) throw new SilenceException("invalid zero start timestamp");
        if (s.EndsAt == default) throw new SilenceException("invalid zero end timestamp");
        if (s.EndsAt < s.StartsAt) throw new SilenceException("end time must not be before start time");
    }

    private static bool CanUpdate(Silence a, Silence b, DateTimeOffset now)
    {
        if (a.Matchers.Count != b.Matchers.Count) return false;
        for (int i = 0; i < a.Matchers.Count; i++)
        {
            var x = a.Matchers[i];
            var y = b.Matchers[i];
            if (x.Type != y.Type || x.Name != y.Name || x.Value != y.Value) return false;
        }
        return a.StateAt(now) switch
        {
            SilenceState.Active => b.StartsAt == a.StartsAt && b.EndsAt >= now,
            SilenceState.Pending => b.StartsAt >= now,
            _ => false,
        };
    }

    private void SaveLocked()
    {
        if (_file is null) return;
        var list = new List<StoredSilence>(_silences.Count);
        foreach (var s in _silences.Values) list.Add(StoredSilence.From(s));
        AtomicFile.Write(_file, JsonSerializer.SerializeToUtf8Bytes(list, StoredJson.Options));
    }

    private void Load()
    {
        if (_file is null || !File.Exists(_file)) return;
        var list = JsonSerializer.Deserialize<List<StoredSilence>>(File.ReadAllBytes(_file), StoredJson.Options) ?? [];
        foreach (var st in list)
        {
            var s = st.ToSilence();
            _silences[s.Id] = s;
        }
    }

    private sealed class StoredSilence
    {
        public string Id { get; set; } = "";
        public List<StoredMatcher> Matchers { get; set; } = [];
        public DateTimeOffset StartsAt { get; set; }
        public DateTimeOffset EndsAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
        public string CreatedBy { get; set; } = "";
        public string Comment { get; set; } = "";

        public static StoredSilence From(Silence s)
        {
            var ms = new List<StoredMatcher>();
            foreach (var m in s.Matchers) ms.Add(new StoredMatcher { Type = m.Type, Name = m.Name, Value = m.Value });
            return new StoredSilence { Id = s.Id, Matchers = ms, StartsAt = s.StartsAt, EndsAt = s.EndsAt, UpdatedAt = s.UpdatedAt, CreatedBy = s.CreatedBy, Comment = s.Comment };
        }

        public Silence ToSilence()
        {
            var ms = new List<Matcher>();
            foreach (var m in Matchers) ms.Add(new Matcher(m.Type, m.Name, m.Value));
            return new Silence { Id = Id, Matchers = ms, StartsAt = StartsAt, EndsAt = EndsAt, UpdatedAt = UpdatedAt, CreatedBy = CreatedBy, Comment = Comment };
        }
    }

    private sealed class StoredMatcher
    {
        [JsonConverter(typeof(JsonStringEnumConverter<MatchType>))]
        public MatchType Type { get; set; }
        public string Name { get; set; } = "";
        public string Value { get; set; } = "";
    }
}

internal static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>Writes a file by writing a temporary sibling and renaming it over the target, so readers never see half a file.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
