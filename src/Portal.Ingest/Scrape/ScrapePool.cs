using Portal.Config.Prometheus;
using Portal.Ingest.Discovery;
using Portal.Model;

namespace Portal.Ingest.Scrape;

/// <summary>
/// The targets of one scrape job: runs the job's discoverers, turns their groups into targets (relabeling,
/// dropped targets kept), and keeps one <see cref="ScrapeLoop"/> per target — started for new targets, stopped with
/// staleness markers for vanished ones, untouched for unchanged ones. Thread-safe: discovery updates, reloads and
/// reads are serialized by a lock.
/// </summary>
public sealed class ScrapePool : IDisposable
{
    private readonly object _lock = new();
    private readonly IAppendable _storage;
    private readonly ulong _offsetSeed;
    private readonly Func<TargetHttpClient, ScrapeOptions, ITargetScraper> _scraperFactory;
    private readonly Dictionary<string, TargetGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<Labels, ScrapeLoop> _loops = new();
    private List<DroppedTarget> _dropped = new();
    private List<IDiscoverer> _discoverers = new();
    private ScrapeConfig _cfg;
    private ScrapeOptions _opts;
    private TargetHttpClient _client;
    private ITargetScraper _scraper;
    private string _sdFingerprint;
    private string _relabelFingerprint;
    private int _generation;
    private bool _disposed;

    internal ScrapePool(ScrapeConfig cfg, TargetHttpClient client, IAppendable storage, ulong offsetSeed, Func<TargetHttpClient, ScrapeOptions, ITargetScraper> scraperFactory)
    {
        _cfg = cfg;
        _storage = storage;
        _offsetSeed = offsetSeed;
        _scraperFactory = scraperFactory;
        _client = client;
        _opts = ScrapeOptions.From(cfg);
        _scraper = scraperFactory(client, _opts);
        _sdFingerprint = ConfigFingerprint.Of(cfg.ServiceDiscovery);
        _relabelFingerprint = LoopFingerprint(cfg);
        Fingerprint = ConfigFingerprint.Of(cfg);
        StartDiscovery();
    }

    public string JobName => _cfg.JobName ?? "";

    /// <summary>Fingerprint of the whole scrape config this pool runs.</summary>
    internal string Fingerprint { get; private set; }

    /// <summary>Errors of discoverers whose latest refresh failed.</summary>
    public IReadOnlyList<string> DiscoveryErrors
    {
        get
        {
            lock (_lock) return _discoverers.Select(d => d.LastError).Where(e => e is not null).Cast<string>().ToList();
        }
    }

    public IReadOnlyList<ScrapeTarget> ActiveTargets()
    {
        lock (_lock) return _loops.Values.Select(l => l.Target).OrderBy(t => t.FullLabels).ToList();
    }

    public IReadOnlyList<DroppedTarget> DroppedTargets()
    {
        lock (_lock) return _dropped.ToList();
    }

    internal ScrapeLoop? LoopFor(Labels fullLabels)
    {
        lock (_lock) return _loops.GetValueOrDefault(fullLabels);
    }

    private static string LoopFingerprint(ScrapeConfig c) =>
        ConfigFingerprint.Of(c.MetricRelabelConfigs) + "|" + c.HonorLabels + "|" + c.HonorTimestamps + "|" + c.MetricNameValidationScheme;

    private void StartDiscovery()
    {
        var sd = _cfg.ServiceDiscovery;
        var list = new List<IDiscoverer>();
        if (sd.Static is { Count: > 0 } st) list.Add(new StaticDiscoverer(st));
        foreach (var f in sd.File ?? []) list.Add(new FileDiscoverer(f));
        foreach (var h in sd.Http ?? []) list.Add(new HttpDiscoverer(h));
        int gen = ++_generation;
        _discoverers = list;
        for (int i = 0; i < list.Count; i++)
        {
            int index = i;
            list[i].Updated += groups => OnUpdate(gen, index, groups);
        }
        foreach (var d in list) d.Start();
    }

    private void OnUpdate(int generation, int index, IReadOnlyList<TargetGroup> groups)
    {
        lock (_lock)
        {
            if (generation != _generation || _disposed) return;
            foreach (var g in groups)
            {
                var key = index + "/" + g.Source;
                if (g.Targets.Count == 0) _groups.Remove(key);
                else _groups[key] = g;
            }
        }
        Sync(restart: false);
    }

    /// <summary>
    /// Switches to a changed config of the same job: discovery restarts only if its sections changed; every loop is
    /// restarted with the new settings, continuing its series memory when metric relabeling is unchanged.
    /// </summary>
    internal void Reload(ScrapeConfig cfg, TargetHttpClient client)
    {
        TargetHttpClient old;
        bool sdChanged;
        lock (_lock)
        {
            old = _client;
            _cfg = cfg;
            _client = client;
            _opts = ScrapeOptions.From(cfg);
            _scraper = _scraperFactory(client, _opts);
            Fingerprint = ConfigFingerprint.Of(cfg);
            var sdf = ConfigFingerprint.Of(cfg.ServiceDiscovery);
            sdChanged = sdf != _sdFingerprint;
            _sdFingerprint = sdf;
            if (sdChanged)
            {
                foreach (var d in _discoverers) d.Dispose();
                _groups.Clear();
            }
        }
        if (sdChanged) StartDiscovery();
        Sync(restart: true);
        old.Dispose();
    }

    /// <summary>Recomputes targets from the current groups and starts/stops loops accordingly.</summary>
    private void Sync(bool restart)
    {
        var stops = new List<Task>();
        lock (_lock)
        {
            if (_disposed) return;
            var wanted = new Dictionary<Labels, ScrapeTarget>();
            var dropped = new List<DroppedTarget>();
            int keep = (int)Math.Min(_cfg.KeepDroppedTargets, int.MaxValue);
            foreach (var key in _groups.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                var g = _groups[key];
                foreach (var t in g.Targets)
                {
                    var st = TargetBuilder.Build(t, g.Labels, _cfg, out var discovered, out var error);
                    if (st is null)
                    {
                        if (keep == 0 || dropped.Count < keep) dropped.Add(new DroppedTarget(discovered, JobName, error));
                        continue;
                    }
                    wanted.TryAdd(st.FullLabels, st);
                }
            }
            _dropped = dropped;

            var relabelFp = LoopFingerprint(_cfg);
            bool inherit = relabelFp == _relabelFingerprint;
            _relabelFingerprint = relabelFp;
            foreach (var (labels, loop) in _loops.ToList())
            {
                if (wanted.ContainsKey(labels)) continue;
                stops.Add(loop.StopAsync(writeStaleMarkers: true));
                _loops.Remove(labels);
            }
            foreach (var (labels, target) in wanted)
            {
                if (_loops.TryGetValue(labels, out var existing))
                {
                    if (!restart) continue;
                    var t = existing.Target;
                    stops.Add(existing.StopAsync(writeStaleMarkers: false));
                    var nl = new ScrapeLoop(t, _storage, _scraper, _opts, _offsetSeed, inherit ? existing : null);
                    _loops[labels] = nl;
                    continue;
                }
                _loops[labels] = new ScrapeLoop(target, _storage, _scraper, _opts, _offsetSeed);
            }

            string? limitError = null;
            if (_cfg.TargetLimit > 0 && _loops.Count > _cfg.TargetLimit)
                limitError = $"target_limit exceeded (number of targets: {_loops.Count}, limit: {_cfg.TargetLimit})";
            foreach (var l in _loops.Values) l.ForcedError = limitError;
        }
        // Old loops finish (and write their staleness markers) before the replacements begin scraping.
        Task.WhenAll(stops).GetAwaiter().GetResult();
        lock (_lock)
        {
            if (_disposed) return;
            foreach (var l in _loops.Values) l.Start();
        }
    }

    /// <summary>Stops every loop; with <paramref name="staleMarkers"/> (the job was removed) their series are marked stale.</summary>
    internal async Task StopAsync(bool staleMarkers)
    {
        List<ScrapeLoop> loops;
        lock (_lock)
        {
            _disposed = true;
            foreach (var d in _discoverers) d.Dispose();
            loops = _loops.Values.ToList();
            _loops.Clear();
        }
        await Task.WhenAll(loops.Select(l => l.StopAsync(staleMarkers))).ConfigureAwait(false);
        foreach (var l in loops) l.Dispose();
        _client.Dispose();
    }

    public void Dispose() => StopAsync(false).GetAwaiter().GetResult();
}
