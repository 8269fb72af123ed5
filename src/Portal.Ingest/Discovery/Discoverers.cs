using System.Net;
using Portal.Config.Prometheus;
using Portal.Ingest.Scrape;
using Portal.Model;

namespace Portal.Ingest.Discovery;

/// <summary>Targets listed in the configuration (<c>static_configs</c>): one group per entry, emitted once.</summary>
public sealed class StaticDiscoverer(IReadOnlyList<StaticConfig> configs) : IDiscoverer
{
    public event Action<IReadOnlyList<TargetGroup>>? Updated;
    public string? LastError => null;

    public static List<TargetGroup> Groups(IReadOnlyList<StaticConfig> configs)
    {
        var groups = new List<TargetGroup>();
        for (int i = 0; i < configs.Count; i++)
        {
            var c = configs[i];
            var targets = new List<Labels>();
            foreach (var t in c.Targets ?? []) targets.Add(Labels.FromStrings(TargetGroup.AddressLabel, t));
            var lb = new LabelsBuilder();
            foreach (var (k, v) in c.Labels ?? []) lb.Set(k, v);
            groups.Add(new TargetGroup(i.ToString(System.Globalization.CultureInfo.InvariantCulture), targets, lb.Build()));
        }
        return groups;
    }

    public void Start() => Updated?.Invoke(Groups(configs));

    public void Dispose() { }
}

/// <summary>
/// <c>file_sd_configs</c>: reads every file matching the configured paths (one <c>*</c> allowed in the file name),
/// JSON or YAML by extension, adds <c>__meta_filepath</c>, and re-reads on file-system change events and every
/// refresh_interval. A file that fails to parse keeps its previous groups and sets <see cref="LastError"/>.
/// Thread-safe.
/// </summary>
public sealed class FileDiscoverer : IDiscoverer
{
    private readonly IReadOnlyList<string> _patterns;
    private readonly TimeSpan _refresh;
    private readonly object _lock = new();
    private readonly Dictionary<string, List<TargetGroup>> _byFile = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _watchers = new();
    private Timer? _timer;
    private Timer? _debounce;
    private volatile bool _disposed;

    public FileDiscoverer(FileSdConfig cfg)
    {
        _patterns = cfg.Files ?? [];
        _refresh = cfg.RefreshInterval.IsZero ? TimeSpan.FromMinutes(5) : cfg.RefreshInterval.ToTimeSpan();
    }

    public event Action<IReadOnlyList<TargetGroup>>? Updated;
    public string? LastError { get; private set; }

    public void Start()
    {
        foreach (var dir in _patterns.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(dir)) continue;
            var w = new FileSystemWatcher(dir) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            w.Changed += (_, _) => Schedule();
            w.Created += (_, _) => Schedule();
            w.Deleted += (_, _) => Schedule();
            w.Renamed += (_, _) => Schedule();
            w.EnableRaisingEvents = true;
            _watchers.Add(w);
        }
        _debounce = new Timer(_ => Refresh(), null, Timeout.Infinite, Timeout.Infinite);
        _timer = new Timer(_ => Refresh(), null, TimeSpan.Zero, _refresh);
    }

    private void Schedule()
    {
        if (!_disposed) _debounce?.Change(TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Re-reads all files now and publishes the result.</summary>
    public void Refresh()
    {
        if (_disposed) return;
        List<TargetGroup> all;
        lock (_lock)
        {
            var files = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var p in _patterns) foreach (var f in Expand(p)) files.Add(f);
            string? error = null;
            foreach (var gone in _byFile.Keys.Where(k => !files.Contains(k)).ToList())
            {
                // A vanished file clears its groups (by publishing them empty).
                _byFile[gone] = _byFile[gone].Select(g => g with { Targets = [] }).ToList();
            }
            foreach (var f in files)
            {
                try
                {
                    var text = File.ReadAllText(f);
                    var meta = Labels.FromStrings("__meta_filepath", f);
                    var ext = Path.GetExtension(f).ToLowerInvariant();
                    var groups = ext == ".json" ? TargetGroupParser.ParseJson(text, f, meta) : TargetGroupParser.ParseYaml(text, f, meta);
                    if (_byFile.TryGetValue(f, out var old))
                        for (int i = groups.Count; i < old.Count; i++) groups.Add(old[i] with { Targets = [] });
                    _byFile[f] = groups;
                }
                catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
                {
                    error = $"{f}: {e.Message}";
                }
            }
            LastError = error;
            all = _byFile.Values.SelectMany(g => g).ToList();
            foreach (var k in _byFile.Keys.Where(k => !files.Contains(k)).ToList()) _byFile.Remove(k);
        }
        Updated?.Invoke(all);
    }

    private static IEnumerable<string> Expand(string pattern)
    {
        var full = Path.GetFullPath(pattern);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) return [];
        if (!name.Contains('*')) return File.Exists(full) ? [full] : [];
        return Directory.GetFiles(dir, name);
    }

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
        _debounce?.Dispose();
        foreach (var w in _watchers) w.Dispose();
    }
}

/// <summary>
/// <c>http_sd_configs</c>: GETs the URL every refresh_interval (JSON target groups, HTTP 200,
/// Content-Type application/json) and adds <c>__meta_url</c>. On failure the previous groups stay and
/// <see cref="LastError"/> says why. Thread-safe.
/// </summary>
public sealed class HttpDiscoverer : IDiscoverer
{
    private readonly HttpSdConfig _cfg;
    private readonly TargetHttpClient _client;
    private readonly TimeSpan _refresh;
    private readonly CancellationTokenSource _cts = new();
    private int _lastCount;

    public HttpDiscoverer(HttpSdConfig cfg)
    {
        _cfg = cfg;
        _client = TargetHttpClient.Create(cfg.HttpClientConfig);
        _refresh = cfg.RefreshInterval.IsZero ? TimeSpan.FromSeconds(60) : cfg.RefreshInterval.ToTimeSpan();
    }

    public event Action<IReadOnlyList<TargetGroup>>? Updated;
    public string? LastError { get; private set; }

    public void Start() => _ = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            await RefreshAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(_refresh, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Fetches once and publishes the groups (or records the error).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var url = _cfg.Url!;
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, url);
            req.Headers.TryAddWithoutValidation("User-Agent", HttpTargetScraper.UserAgent);
            req.Headers.TryAddWithoutValidation("X-Prometheus-Refresh-Interval-Seconds", TargetBuilder.FormatSeconds(_refresh));
            _client.Authorize(req);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(30));
            using var resp = await _client.Client.SendAsync(req, cts.Token).ConfigureAwait(false);
            if (resp.StatusCode != HttpStatusCode.OK) throw new FormatException($"server returned HTTP status {(int)resp.StatusCode} {resp.ReasonPhrase}");
            var mt = resp.Content.Headers.ContentType?.MediaType;
            if (mt != "application/json") throw new FormatException($"unsupported content type \"{resp.Content.Headers.ContentType}\"");
            var body = await resp.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            var groups = TargetGroupParser.ParseJson(body, url, Labels.FromStrings("__meta_url", url));
            for (int i = groups.Count; i < _lastCount; i++) groups.Add(new TargetGroup($"{url}:{i}", [], Labels.Empty));
            _lastCount = groups.Count;
            LastError = null;
            Updated?.Invoke(groups);
        }
        catch (Exception e) when (e is HttpRequestException or FormatException or OperationCanceledException or InvalidOperationException)
        {
            if (ct.IsCancellationRequested) return;
            LastError = $"http_sd {url}: {e.Message}";
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _client.Dispose();
    }
}
