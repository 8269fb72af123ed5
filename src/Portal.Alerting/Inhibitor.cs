using Portal.Config.Alertmanager;
using Portal.Model;

namespace Portal.Alerting;

/// <summary>
/// Inhibition as Alertmanager does it: an alert matching a rule's target matchers is muted while a firing alert
/// matches the rule's source matchers and has equal values (missing = empty) for the rule's <c>equal</c> labels;
/// an alert matching both sides is never inhibited by alerts that also match both sides. Keeps a cache of source
/// alerts per rule fed by the <see cref="AlertStore"/> subscription. Thread-safe.
/// </summary>
public sealed class Inhibitor : IDisposable
{
    private readonly List<Rule> _rules = [];
    private readonly TimeProvider _clock;
    private readonly IDisposable? _subscription;

    public Inhibitor(IEnumerable<InhibitRule> rules, AlertStore alerts, TimeProvider clock)
    {
        _clock = clock;
        foreach (var r in rules)
            if (r is not null) _rules.Add(new Rule(r.AllSourceMatchers, r.AllTargetMatchers, r.Equal ?? []));
        if (_rules.Count > 0) _subscription = alerts.Subscribe(OnAlert);
    }

    private void OnAlert(Alert a)
    {
        foreach (var r in _rules)
            if (Matcher.AllMatch(r.Source, a.Labels))
                lock (r.Sources) r.Sources[a.Fingerprint] = a;
    }

    /// <summary>The fingerprint of an alert inhibiting <paramref name="labels"/>, or null when it is not inhibited.</summary>
    public ulong? InhibitedBy(Labels labels)
    {
        if (_rules.Count == 0) return null;
        var now = _clock.GetUtcNow();
        foreach (var r in _rules)
        {
            if (!Matcher.AllMatch(r.Target, labels)) continue;
            bool twoSided = Matcher.AllMatch(r.Source, labels);
            lock (r.Sources)
            {
                foreach (var a in r.Sources.Values)
                {
                    if (a.ResolvedAt(now)) continue;
                    bool equal = true;
                    foreach (var n in r.Equal)
                        if (!string.Equals(a.Labels.Get(n), labels.Get(n), StringComparison.Ordinal)) { equal = false; break; }
                    if (!equal) continue;
                    if (twoSided && Matcher.AllMatch(r.Target, a.Labels)) continue;
                    return a.Fingerprint;
                }
            }
        }
        return null;
    }

    /// <summary>Drops resolved alerts from the source caches.</summary>
    public void GarbageCollect()
    {
        var now = _clock.GetUtcNow();
        foreach (var r in _rules)
            lock (r.Sources)
            {
                var drop = new List<ulong>();
                foreach (var (fp, a) in r.Sources)
                    if (a.ResolvedAt(now)) drop.Add(fp);
                foreach (var fp in drop) r.Sources.Remove(fp);
            }
    }

    public void Dispose() => _subscription?.Dispose();

    private sealed record Rule(IReadOnlyList<Matcher> Source, IReadOnlyList<Matcher> Target, List<string> Equal)
    {
        public Dictionary<ulong, Alert> Sources { get; } = [];
    }
}
