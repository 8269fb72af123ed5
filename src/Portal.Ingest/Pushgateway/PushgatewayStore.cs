using System.Globalization;
using System.Text.Json;
using Portal.Ingest.TextParse;
using Portal.Model;

namespace Portal.Ingest.Pushgateway;

/// <summary>One group of pushed metrics as it stands: an immutable snapshot.</summary>
/// <param name="Key">The grouping key (always has <c>job</c>).</param>
/// <param name="Families">The pushed families by name, ordinal order.</param>
/// <param name="PushTimeSeconds">Unix time of the last successful PUT/POST, 0 if none.</param>
/// <param name="PushFailureTimeSeconds">Unix time of the last refused PUT/POST, 0 if none.</param>
/// <param name="Ttl">When set, the group is dropped this long after its last successful push.</param>
public sealed record PushGroup(Labels Key, IReadOnlyList<PushedFamily> Families, double PushTimeSeconds, double PushFailureTimeSeconds, TimeSpan? Ttl)
{
    public const string PushTimeMetric = "push_time_seconds";
    public const string PushFailureTimeMetric = "push_failure_time_seconds";
    public const string PushTimeHelp = "Last Unix time when changing this group in the Pushgateway succeeded.";
    public const string PushFailureTimeHelp = "Last Unix time when changing this group in the Pushgateway failed.";

    /// <summary>True when the group has a TTL that has run out at <paramref name="now"/>.</summary>
    public bool ExpiredAt(DateTimeOffset now) =>
        Ttl is { } ttl && PushTimeSeconds > 0 && now.ToUnixTimeMilliseconds() / 1000.0 - PushTimeSeconds > ttl.TotalSeconds;
}

/// <summary>
/// One tenant's Pushgateway: groups of pushed metrics with the upstream Pushgateway's semantics. PUT replaces a
/// group; POST replaces the families of the same name in it; DELETE removes it; a push that would make the
/// metrics inconsistent (a name pushed with another type, a sample name claimed by another family, or the same
/// series pushed twice across groups) is refused and leaves the stored data untouched, only setting the group's
/// <c>push_failure_time_seconds</c>. Help text may differ between groups; the latest push's help is shown.
/// Every change is written to <c>&lt;directory&gt;/pushgateway.json</c> (temp file, then rename) before the call
/// returns, so groups survive restarts. Thread-safe: all changes are serialised under one lock, so a DELETE
/// and a PUT sent one after the other are applied in that order.
/// </summary>
public sealed class PushgatewayStore
{
    public const string FileName = "pushgateway.json";

    private readonly Lock _lock = new();
    private readonly Dictionary<Labels, PushGroup> _groups = new();
    private readonly string? _path;
    private readonly TimeProvider _clock;

    /// <param name="directory">Where the groups persist; null keeps them in memory only.</param>
    public PushgatewayStore(string? directory, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        if (directory is null) return;
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, FileName);
        if (File.Exists(_path)) Load(File.ReadAllBytes(_path));
    }

    private double NowSeconds => _clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>
    /// Applies a PUT (<paramref name="replaceAll"/>) or POST. Throws <see cref="PushRejectedException"/> when the push
    /// is inconsistent with the stored metrics; the failure time is recorded and nothing else changes.
    /// </summary>
    public void Push(Labels key, IReadOnlyList<PushedFamily> families, bool replaceAll, TimeSpan? ttl = null)
    {
        lock (_lock)
        {
            ExpireLocked();
            var now = NowSeconds;
            _groups.TryGetValue(key, out var old);
            var merged = new SortedDictionary<string, PushedFamily>(StringComparer.Ordinal);
            if (!replaceAll && old is not null)
                foreach (var f in old.Families) merged[f.Name] = f;
            foreach (var f in families)
            {
                if (f.Name is PushGroup.PushTimeMetric or PushGroup.PushFailureTimeMetric) continue;
                merged[f.Name] = f;
            }
            var candidate = new PushGroup(key, [.. merged.Values], now, old?.PushFailureTimeSeconds ?? 0, ttl ?? old?.Ttl);
            if (CheckConsistency(candidate) is { } problem) throw Fail(key, old, now, problem);
            _groups[key] = candidate;
            SaveLocked();
        }
    }

    private PushRejectedException Fail(Labels key, PushGroup? old, double now, string problem)
    {
        _groups[key] = (old ?? new PushGroup(key, [], 0, 0, null)) with { PushFailureTimeSeconds = now };
        SaveLocked();
        return new PushRejectedException("pushed metrics are invalid or inconsistent with existing metrics: " + problem);
    }

    /// <summary>Removes a group; a missing group is not an error.</summary>
    public void Delete(Labels key)
    {
        lock (_lock)
        {
            if (_groups.Remove(key)) SaveLocked();
        }
    }

    /// <summary>Removes every group.</summary>
    public void Wipe()
    {
        lock (_lock)
        {
            _groups.Clear();
            SaveLocked();
        }
    }

    /// <summary>The groups now (expired ones dropped), ordered by key.</summary>
    public IReadOnlyList<PushGroup> Groups()
    {
        lock (_lock)
        {
            ExpireLocked();
            var list = new List<PushGroup>(_groups.Values);
            list.Sort((a, b) => a.Key.CompareTo(b.Key));
            return list;
        }
    }

    private void ExpireLocked()
    {
        var now = _clock.GetUtcNow();
        List<Labels>? expired = null;
        foreach (var (k, g) in _groups)
            if (g.ExpiredAt(now)) (expired ??= []).Add(k);
        if (expired is null) return;
        foreach (var k in expired) _groups.Remove(k);
        SaveLocked();
    }

    /// <summary>Checks the candidate group against itself and every other group; null when consistent.</summary>
    private string? CheckConsistency(PushGroup candidate)
    {
        // Sample name -> (family, type) and the series of every other group.
        var owners = new Dictionary<string, (string Family, MetricType Type)>(StringComparer.Ordinal);
        var series = new HashSet<Labels>();
        foreach (var (k, g) in _groups)
        {
            if (k.Equals(candidate.Key)) continue;
            foreach (var f in g.Families)
                foreach (var s in f.Samples)
                {
                    owners.TryAdd(s.Labels.MetricNameValue, (f.Name, f.Type));
                    series.Add(s.Labels);
                }
        }
        var own = new HashSet<Labels>();
        foreach (var f in candidate.Families)
        {
            foreach (var s in f.Samples)
            {
                var name = s.Labels.MetricNameValue;
                if (owners.TryGetValue(name, out var o))
                {
                    if (o.Family != f.Name)
                        return $"metric {name} belongs to family {o.Family} in another group, not to {f.Name}";
                    if (o.Type != f.Type)
                        return $"metric {f.Name} was pushed as {MetricTypes.Name(o.Type)} to another group but is now {MetricTypes.Name(f.Type)}";
                }
                else owners[name] = (f.Name, f.Type);
                if (series.Contains(s.Labels)) return $"series {s.Labels} was already pushed to another group";
                if (!own.Add(s.Labels)) return $"series {s.Labels} is pushed more than once";
                if (LabelNames.Validate(s.Labels) is { } reason) return $"invalid series {s.Labels}: {reason}";
            }
        }
        return null;
    }

    private void SaveLocked()
    {
        if (_path is null) return;
        var tmp = _path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new Utf8JsonWriter(fs))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartArray("groups");
            foreach (var g in _groups.Values)
            {
                w.WriteStartObject();
                WriteLabels(w, "key", g.Key);
                w.WriteNumber("push_time_seconds", g.PushTimeSeconds);
                w.WriteNumber("push_failure_time_seconds", g.PushFailureTimeSeconds);
                if (g.Ttl is { } ttl) w.WriteNumber("ttl_seconds", ttl.TotalSeconds);
                w.WriteStartArray("families");
                foreach (var f in g.Families)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WriteString("help", f.Help);
                    w.WriteString("type", MetricTypes.Name(f.Type));
                    w.WriteStartArray("samples");
                    foreach (var s in f.Samples)
                    {
                        w.WriteStartObject();
                        WriteLabels(w, "labels", s.Labels);
                        w.WriteString("value", GoFloat.Format(s.Value));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.Flush();
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, _path, overwrite: true);
    }

    private static void WriteLabels(Utf8JsonWriter w, string name, Labels labels)
    {
        w.WriteStartObject(name);
        foreach (var l in labels) w.WriteString(l.Name, l.Value);
        w.WriteEndObject();
    }

    private void Load(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        foreach (var g in doc.RootElement.GetProperty("groups").EnumerateArray())
        {
            var key = ReadLabels(g.GetProperty("key"));
            var families = new List<PushedFamily>();
            foreach (var f in g.GetProperty("families").EnumerateArray())
            {
                var samples = new List<PushedSample>();
                foreach (var s in f.GetProperty("samples").EnumerateArray())
                    samples.Add(new PushedSample(ReadLabels(s.GetProperty("labels")), ParseValue(s.GetProperty("value").GetString()!)));
                families.Add(new PushedFamily(f.GetProperty("name").GetString()!, f.GetProperty("help").GetString()!, ParseType(f.GetProperty("type").GetString()!), samples));
            }
            TimeSpan? ttl = g.TryGetProperty("ttl_seconds", out var t) ? TimeSpan.FromSeconds(t.GetDouble()) : null;
            _groups[key] = new PushGroup(key, families, g.GetProperty("push_time_seconds").GetDouble(), g.GetProperty("push_failure_time_seconds").GetDouble(), ttl);
        }
    }

    private static Labels ReadLabels(JsonElement e)
    {
        var b = new LabelsBuilder();
        foreach (var p in e.EnumerateObject()) b.Set(p.Name, p.Value.GetString()!);
        return b.Build();
    }

    private static double ParseValue(string s) => s switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static MetricType ParseType(string s)
    {
        foreach (var t in Enum.GetValues<MetricType>())
            if (MetricTypes.Name(t) == s) return t;
        return MetricType.Unknown;
    }
}
