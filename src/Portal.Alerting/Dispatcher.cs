using System.Collections.Concurrent;
using Portal.Model;

namespace Portal.Alerting;

/// <summary>A snapshot of one aggregation group for the API: its labels, receiver, key, route and alerts.</summary>
public sealed record AlertGroupSnapshot(Labels Labels, string Receiver, string GroupKey, RouteNode Route, IReadOnlyList<Alert> Alerts);

/// <summary>
/// Sorts alerts into aggregation groups (per matching route and group labels) and flushes each group on its own
/// timer: first after group_wait (at once when the alert started longer than group_wait ago and the group never
/// flushed), then every group_interval. Timers run on the given <see cref="TimeProvider"/>. Thread-safe; a group's
/// flushes never overlap.
/// </summary>
public sealed class Dispatcher : IDisposable
{
    private readonly RouteNode _root;
    private readonly TimeProvider _clock;
    private readonly Func<NotificationContext, IReadOnlyList<Alert>, CancellationToken, Task<bool>> _notify;
    private readonly object _lock = new();
    private readonly Dictionary<RouteNode, Dictionary<ulong, AggrGroup>> _groups = [];
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxGroups;
    private IDisposable? _subscription;
    private ITimer? _maintenance;
    private int _groupCount;

    /// <param name="maxGroups">At most this many aggregation groups; alerts needing more are dropped (0 = no limit).</param>
    public Dispatcher(RouteNode root, TimeProvider clock, Func<NotificationContext, IReadOnlyList<Alert>, CancellationToken, Task<bool>> notify, int maxGroups = 0)
    {
        _root = root;
        _clock = clock;
        _notify = notify;
        _maxGroups = maxGroups;
    }

    public RouteNode Root => _root;

    /// <summary>Subscribes to <paramref name="store"/> (replaying what it holds) and starts the maintenance timer.</summary>
    public void Start(AlertStore store)
    {
        _subscription = store.Subscribe(Process);
        _maintenance = _clock.CreateTimer(_ => Maintenance(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>Routes one alert into its groups.</summary>
    public void Process(Alert alert)
    {
        if (_stop.IsCancellationRequested) return;
        foreach (var route in _root.Match(alert.Labels))
        {
            var labels = route.GroupLabels(alert.Labels);
            var fp = Fingerprints.Of(labels);
            bool created = false;
            lock (_lock)
            {
                if (!_groups.TryGetValue(route, out var byFp)) _groups[route] = byFp = [];
                if (!byFp.TryGetValue(fp, out var g))
                {
                    if (_maxGroups > 0 && _groupCount >= _maxGroups) continue;
                    g = new AggrGroup(this, route, labels);
                    byFp[fp] = g;
                    _groupCount++;
                    created = true;
                }
                // Under the dispatcher's lock so that maintenance cannot drop the group between lookup and insert.
                g.Insert(alert);
                if (created) g.StartTimer();
            }
        }
    }

    /// <summary>Snapshots of every non-empty group whose route passes <paramref name="routeFilter"/>, with alerts passing <paramref name="alertFilter"/>.</summary>
    public List<AlertGroupSnapshot> Groups(Func<RouteNode, bool>? routeFilter = null, Func<Alert, bool>? alertFilter = null)
    {
        var groups = new List<AggrGroup>();
        lock (_lock)
            foreach (var (route, byFp) in _groups)
                if (routeFilter is null || routeFilter(route)) groups.AddRange(byFp.Values);
        var result = new List<AlertGroupSnapshot>();
        foreach (var g in groups)
        {
            var alerts = g.Alerts();
            if (alertFilter is not null) alerts.RemoveAll(a => !alertFilter(a));
            if (alerts.Count == 0) continue;
            alerts.Sort(Fingerprints.CompareAlerts);
            result.Add(new AlertGroupSnapshot(g.Labels, g.Route.Receiver, g.GroupKey, g.Route, alerts));
        }
        result.Sort((a, b) =>
        {
            int c = Fingerprints.CompareLabelSets(a.Labels, b.Labels);
            return c != 0 ? c : string.CompareOrdinal(a.Receiver, b.Receiver);
        });
        return result;
    }

    /// <summary>Completes when no flush is running (for tests and orderly shutdown).</summary>
    public async Task WaitIdleAsync()
    {
        while (!_inFlight.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_inFlight.Keys).ConfigureAwait(false);
            }
            catch
            {
                // failures are already recorded by the pipeline
            }
        }
    }

    /// <summary>Removes empty groups (Alertmanager does it every 30 seconds).</summary>
    public void Maintenance()
    {
        lock (_lock)
        {
            foreach (var byFp in _groups.Values)
            {
                var empty = new List<ulong>();
                foreach (var (fp, g) in byFp)
                    if (g.IsEmpty) empty.Add(fp);
                foreach (var fp in empty)
                {
                    byFp[fp].Stop();
                    byFp.Remove(fp);
                    _groupCount--;
                }
            }
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _maintenance?.Dispose();
        _stop.Cancel();
        lock (_lock)
            foreach (var byFp in _groups.Values)
                foreach (var g in byFp.Values) g.Stop();
        try
        {
            WaitIdleAsync().Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // shutting down: failures are already recorded
        }
        _stop.Dispose();
    }

    /// <summary>One aggregation group: the alerts of one route with the same group labels, flushed on a timer.</summary>
    private sealed class AggrGroup
    {
        private readonly Dispatcher _d;
        private readonly Dictionary<ulong, Alert> _alerts = [];
        private readonly SemaphoreSlim _flushGate = new(1, 1);
        private readonly ITimer _timer;
        private bool _hasFlushed;
        private bool _stopped;

        public RouteNode Route { get; }
        public Labels Labels { get; }
        public string GroupKey { get; }

        public AggrGroup(Dispatcher d, RouteNode route, Labels labels)
        {
            _d = d;
            Route = route;
            Labels = labels;
            GroupKey = route.Key + ":" + Fingerprints.LabelSetString(labels);
            _timer = d._clock.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public bool IsEmpty
        {
            get { lock (_alerts) return _alerts.Count == 0; }
        }

        public List<Alert> Alerts()
        {
            lock (_alerts) return [.. _alerts.Values];
        }

        public void StartTimer()
        {
            lock (_alerts)
                if (!_stopped && !_hasFlushed && _timer is not null && !_fireNow) _timer.Change(Route.GroupWait, Timeout.InfiniteTimeSpan);
        }

        private bool _fireNow;

        public void Insert(Alert a)
        {
            lock (_alerts)
            {
                _alerts[a.Fingerprint] = a;
                if (!_hasFlushed && !_stopped && a.StartsAt + Route.GroupWait < _d._clock.GetUtcNow())
                {
                    _fireNow = true;
                    _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void Stop()
        {
            lock (_alerts)
            {
                _stopped = true;
                _timer.Dispose();
            }
        }

        private void Fire()
        {
            DateTimeOffset now;
            lock (_alerts)
            {
                if (_stopped) return;
                now = _d._clock.GetUtcNow();
                _timer.Change(Route.GroupInterval, Timeout.InfiniteTimeSpan);
                _hasFlushed = true;
                _fireNow = false;
            }
            var t = FlushAsync(now);
            _d._inFlight.TryAdd(t, 0);
            t.ContinueWith(done => _d._inFlight.TryRemove(done, out _), TaskScheduler.Default);
        }

        private async Task FlushAsync(DateTimeOffset now)
        {
            await _flushGate.WaitAsync().ConfigureAwait(false);
            try
            {
                List<Alert> originals;
                lock (_alerts) originals = [.. _alerts.Values];
                if (originals.Count == 0) return;
                var copies = new List<Alert>(originals.Count);
                var resolved = new List<Alert>();
                foreach (var a in originals)
                {
                    if (a.ResolvedAt(now)) { copies.Add(a); resolved.Add(a); }
                    else copies.Add(a.EndsAt == default ? a : a with { EndsAt = default });
                }
                copies.Sort(Fingerprints.CompareAlerts);
                var timeout = Route.GroupInterval < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : Route.GroupInterval;
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(_d._stop.Token);
                using var deadline = new CancellationTokenSource(timeout, _d._clock);
                using var reg = deadline.Token.Register(() => cts.Cancel());
                var ctx = new NotificationContext(GroupKey, Labels, Route.Receiver, Route.Id, now, Route.RepeatInterval,
                    Route.MuteTimeIntervals, Route.ActiveTimeIntervals);
                bool ok;
                try
                {
                    ok = await _d._notify(ctx, copies, cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    ok = false;
                }
                if (!ok) return;
                lock (_alerts)
                {
                    foreach (var r in resolved)
                        if (_alerts.TryGetValue(r.Fingerprint, out var cur) && ReferenceEquals(cur, r)) _alerts.Remove(r.Fingerprint);
                }
            }
            finally
            {
                _flushGate.Release();
            }
        }
    }
}
