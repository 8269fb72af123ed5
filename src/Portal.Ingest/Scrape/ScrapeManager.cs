using Portal.Config;
using Portal.Config.Prometheus;
using Portal.Model;

namespace Portal.Ingest.Scrape;

/// <summary>A configuration the scrape manager refused; the previous one keeps running.</summary>
public sealed class ScrapeConfigRejectedException(IReadOnlyList<string> errors)
    : Exception("configuration refused: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Options of a <see cref="ScrapeManager"/>.</summary>
public sealed record ScrapeManagerOptions
{
    /// <summary>Mixed into every target's scrape offset (e.g. a hash of the tenant), so tenants spread differently.</summary>
    public ulong OffsetSeed { get; init; }

    /// <summary>How targets are fetched; defaults to HTTP with the pool's client. Tests may substitute.</summary>
    public Func<TargetHttpClient, ScrapeOptions, ITargetScraper>? ScraperFactory { get; init; }

    /// <summary>When set, targets are connected to through it (e.g. hosted mode's public-address check at connect time).</summary>
    public Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? ConnectCallback { get; init; }
}

/// <summary>
/// Scrapes one tenant's targets: one <see cref="ScrapePool"/> per scrape job, appending through the given
/// <see cref="IAppendable"/>. <see cref="ApplyConfig(PrometheusConfig)"/> changes only what changed: unchanged jobs keep
/// their loops and series, changed jobs reload, removed jobs stop with staleness markers. A config whose HTTP/TLS
/// settings cannot be used is refused as a whole. Thread-safe. Dispose to stop everything (no staleness markers:
/// that is a shutdown).
/// </summary>
public sealed class ScrapeManager : IDisposable
{
    private readonly IAppendable _storage;
    private readonly ScrapeManagerOptions _options;
    private readonly object _lock = new();
    private readonly Dictionary<string, ScrapePool> _pools = new(StringComparer.Ordinal);
    private bool _disposed;

    public ScrapeManager(IAppendable storage, ScrapeManagerOptions? options = null)
    {
        _storage = storage;
        _options = options ?? new ScrapeManagerOptions();
    }

    /// <summary>The config currently running (null before the first successful apply).</summary>
    public PrometheusConfig? Config { get; private set; }

    /// <summary>Loads and applies YAML. Throws <see cref="ScrapeConfigRejectedException"/> (old config kept) when it does not validate.</summary>
    public void ApplyConfig(string yaml, string fileName = "prometheus.yml")
    {
        var res = PrometheusConfigLoader.Load(yaml, fileName);
        if (!res.Success) throw new ScrapeConfigRejectedException(res.Errors.Select(e => e.ToString()).ToList());
        ApplyConfig(res.Config!);
    }

    /// <summary>Applies a loaded and validated config. Throws <see cref="ScrapeConfigRejectedException"/> (old config kept) when it cannot be used.</summary>
    public void ApplyConfig(PrometheusConfig cfg)
    {
        var jobs = cfg.ScrapeConfigs ?? [];
        var errors = new List<string>();
        var clients = new Dictionary<string, TargetHttpClient>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sc in jobs)
        {
            var name = sc.JobName ?? "";
            if (name.Length == 0) { errors.Add("job_name is empty"); continue; }
            if (!seen.Add(name)) { errors.Add($"found multiple scrape configs with job name \"{name}\""); continue; }
            try
            {
                clients[name] = TargetHttpClient.Create(sc.HttpClientConfig, sc.EnableCompression, _options.ConnectCallback);
            }
            catch (InvalidOperationException e)
            {
                errors.Add($"scrape config \"{name}\": {e.Message}");
            }
        }
        if (errors.Count > 0)
        {
            foreach (var c in clients.Values) c.Dispose();
            throw new ScrapeConfigRejectedException(errors);
        }

        var removed = new List<ScrapePool>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var sc in jobs)
            {
                var name = sc.JobName!;
                var client = clients[name];
                if (_pools.TryGetValue(name, out var pool))
                {
                    if (pool.Fingerprint == ConfigFingerprint.Of(sc)) client.Dispose();
                    else pool.Reload(sc, client);
                }
                else
                {
                    var factory = _options.ScraperFactory ?? ((c, o) => new HttpTargetScraper(c, o.AcceptHeader, o.BodySizeLimit));
                    _pools[name] = new ScrapePool(sc, client, _storage, _options.OffsetSeed, factory);
                }
            }
            foreach (var name in _pools.Keys.Where(n => !seen.Contains(n)).ToList())
            {
                removed.Add(_pools[name]);
                _pools.Remove(name);
            }
            Config = cfg;
        }
        Task.WhenAll(removed.Select(p => p.StopAsync(staleMarkers: true))).GetAwaiter().GetResult();
    }

    /// <summary>Scrape pools by job name.</summary>
    public IReadOnlyDictionary<string, ScrapePool> Pools
    {
        get { lock (_lock) return new Dictionary<string, ScrapePool>(_pools, StringComparer.Ordinal); }
    }

    /// <summary>Every active target of every job, ordered by job then labels.</summary>
    public IReadOnlyList<ScrapeTarget> ActiveTargets()
    {
        lock (_lock) return _pools.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.ActiveTargets()).ToList();
    }

    /// <summary>Every discovered target that relabeling dropped (or that was invalid, with the error).</summary>
    public IReadOnlyList<DroppedTarget> DroppedTargets()
    {
        lock (_lock) return _pools.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.DroppedTargets()).ToList();
    }

    public void Dispose()
    {
        List<ScrapePool> pools;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            pools = _pools.Values.ToList();
            _pools.Clear();
        }
        Task.WhenAll(pools.Select(p => p.StopAsync(staleMarkers: false))).GetAwaiter().GetResult();
    }
}
