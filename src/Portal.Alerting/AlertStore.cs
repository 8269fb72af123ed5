namespace Portal.Alerting;

/// <summary>
/// The alerts a tenant's Alertmanager holds, by fingerprint. A new report of a known alert whose time range
/// overlaps the stored one is merged with it (<see cref="Alert.Merge"/>); otherwise it replaces it. Subscribers see
/// every stored result in order, called under the store's lock (they must not call back into the store).
/// Resolved alerts are dropped by <see cref="GarbageCollect"/>. Thread-safe.
/// </summary>
public sealed class AlertStore
{
    private readonly object _lock = new();
    private readonly Dictionary<ulong, Alert> _alerts = [];
    private readonly List<Action<Alert>> _subscribers = [];
    private readonly TimeProvider _clock;

    public AlertStore(TimeProvider clock) => _clock = clock;

    public int Count
    {
        get { lock (_lock) return _alerts.Count; }
    }

    /// <summary>Stores (merging) each alert and tells subscribers.</summary>
    public void Put(IEnumerable<Alert> alerts)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var incoming in alerts)
            {
                var a = incoming;
                var fp = a.Fingerprint;
                if (_alerts.TryGetValue(fp, out var old)
                    && ((a.EndsAt > old.StartsAt && a.EndsAt < old.EndsAt) || (a.StartsAt > old.StartsAt && a.StartsAt < old.EndsAt)))
                    a = old.Merge(a, now);
                _alerts[fp] = a;
                foreach (var s in _subscribers) s(a);
            }
        }
    }

    public Alert? Get(ulong fingerprint)
    {
        lock (_lock) return _alerts.TryGetValue(fingerprint, out var a) ? a : null;
    }

    public List<Alert> List()
    {
        lock (_lock) return [.. _alerts.Values];
    }

    /// <summary>Adds a subscriber and replays every stored alert to it first (under the lock, so nothing is missed or doubled).</summary>
    public IDisposable Subscribe(Action<Alert> onAlert)
    {
        lock (_lock)
        {
            foreach (var a in _alerts.Values) onAlert(a);
            _subscribers.Add(onAlert);
        }
        return new Unsubscriber(this, onAlert);
    }

    /// <summary>Drops alerts resolved at the current time; returns them.</summary>
    public List<Alert> GarbageCollect()
    {
        var now = _clock.GetUtcNow();
        var dropped = new List<Alert>();
        lock (_lock)
        {
            foreach (var a in _alerts.Values)
                if (a.ResolvedAt(now)) dropped.Add(a);
            foreach (var a in dropped) _alerts.Remove(a.Fingerprint);
        }
        return dropped;
    }

    private sealed class Unsubscriber(AlertStore store, Action<Alert> s) : IDisposable
    {
        public void Dispose()
        {
            lock (store._lock) store._subscribers.Remove(s);
        }
    }
}
