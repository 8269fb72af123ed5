using System.Collections.Concurrent;
using Portal.Config;
using Portal.Config.Prometheus;

namespace Portal.Alerting.Receivers;

/// <summary>
/// The HTTP client of one distinct <c>http_config</c>: its connection pool (TLS, proxy, redirects) and the credentials
/// and headers it adds to every request. Thread-safe.
/// </summary>
public sealed class NotifierHttpClient
{
    private readonly HttpClientConfig? _config;

    internal NotifierHttpClient(HttpClient client, HttpClientConfig? config)
    {
        Client = client;
        _config = config;
    }

    public HttpClient Client { get; }

    /// <summary>
    /// Adds the http_config's basic_auth, authorization (bearer) and http_headers to <paramref name="request"/> (a preset
    /// Authorization header, e.g. Slack's app token, is kept). Throws <see cref="InvalidOperationException"/> when a
    /// credentials file cannot be read.
    /// </summary>
    public void Authorize(HttpRequestMessage request)
    {
        if (_config is not null) HttpClientHandlers.Authorize(_config, request);
    }
}

/// <summary>
/// The HTTP clients of one Alertmanager's notifiers, one per distinct <c>http_config</c> (global or per receiver), built
/// with <see cref="HttpClientHandlers"/> as Alertmanager builds them and kept across notifications and reloads while a
/// configuration uses them. In hosted mode (a connect rule is given) every connection goes through that rule —
/// to the destination, to each redirect's destination, and to a configured proxy — and a request sent through a
/// proxy has its destination checked by the same rule before it leaves (the proxy then connects, so redirects are not
/// followed through a proxy in hosted mode). The proxy of the server's environment is never used in hosted mode.
/// Thread-safe; dispose once.
/// </summary>
public sealed class NotifierHttpClients : IDisposable
{
    private readonly Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? _connect;
    private readonly HttpClient? _shared;
    private readonly ConcurrentDictionary<string, NotifierHttpClient> _clients = new(StringComparer.Ordinal);
    private readonly NotifierHttpClient? _sharedClient;

    /// <param name="connect">Hosted mode's connect rule (e.g. <see cref="HostedNetwork.ConnectCallback"/>); null connects anywhere.</param>
    /// <param name="shared">
    /// When given, every notifier sends through this client (owned by the caller) and only credentials and headers of
    /// its http_config apply; for tests and embedding.
    /// </param>
    public NotifierHttpClients(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect, HttpClient? shared = null)
    {
        _connect = connect;
        _shared = shared;
        if (shared is not null) _sharedClient = new NotifierHttpClient(shared, null);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClientConfig, string> Keys = new();

    /// <summary>The http_config as YAML (secrets included, never shown): equal settings give equal keys. Computed once per loaded object.</summary>
    private static string KeyOf(HttpClientConfig? config) =>
        config is null ? "" : Keys.GetValue(config, static c => ConfigSerializer.ToYaml(c, maskSecrets: false));

    /// <summary>
    /// The client for <paramref name="config"/> (null: Alertmanager's defaults), built on first use. Throws
    /// <see cref="InvalidOperationException"/> when the http_config cannot be used (e.g. an unreadable CA).
    /// </summary>
    public NotifierHttpClient For(HttpClientConfig? config)
    {
        if (_shared is not null)
            return config is null ? _sharedClient! : new NotifierHttpClient(_shared, config);
        var key = KeyOf(config);
        if (_clients.TryGetValue(key, out var c)) return c;
        lock (_clients)
        {
            if (_clients.TryGetValue(key, out c)) return c;
            c = new NotifierHttpClient(Build(config ?? new HttpClientConfig()), config);
            _clients[key] = c;
            return c;
        }
    }

    /// <summary>How many distinct clients are held (one per distinct http_config in use).</summary>
    public int Count => _clients.Count;

    /// <summary>Disposes the clients whose http_config is not in <paramref name="inUse"/> (after a configuration change).</summary>
    public void Retain(IEnumerable<HttpClientConfig?> inUse)
    {
        var keep = new HashSet<string>(inUse.Select(KeyOf), StringComparer.Ordinal);
        lock (_clients)
        {
            foreach (var key in _clients.Keys)
                if (!keep.Contains(key) && _clients.TryRemove(key, out var c)) c.Client.Dispose();
        }
    }

    private HttpClient Build(HttpClientConfig config)
    {
        var handler = HttpClientHandlers.CreateHandler(config, new HttpHandlerOptions
        {
            EnableCompression = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Connect = _connect is null ? null : SafeHttp.Refusing(_connect),
        });
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        HttpMessageHandler outer = handler;
        if (_connect is not null)
        {
            bool proxied = !string.IsNullOrEmpty(config.Proxy.ProxyUrl);
            handler.UseProxy = proxied;
            if (proxied)
            {
                handler.AllowAutoRedirect = false;
                outer = new ProxiedDestinationCheck(_connect) { InnerHandler = handler };
            }
        }
        return new HttpClient(outer, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = config.EnableHttp2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var c in _clients.Values) c.Client.Dispose();
            _clients.Clear();
        }
    }

    /// <summary>Hosted mode through a proxy: the request's own destination must pass the connect rule too.</summary>
    private sealed class ProxiedDestinationCheck(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var host = request.RequestUri!.IdnHost;
            try
            {
                await HostedNetwork.CheckDestinationAsync(connect, host, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new ForbiddenDestinationException(e.Message + " (through the configured proxy)");
            }
            return await base.SendAsync(request, ct).ConfigureAwait(false);
        }
    }
}
