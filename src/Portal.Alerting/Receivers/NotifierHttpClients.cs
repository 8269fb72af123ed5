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
/// proxy has its destination, and each redirect's, checked by the same rule before it leaves (the proxy then
/// connects). The proxy of the server's environment is never used in hosted mode.
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
                outer = new ProxiedDestinationCheck(_connect, config.FollowRedirects) { InnerHandler = handler };
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

    /// <summary>
    /// Hosted mode through a proxy: the request's own destination must pass the connect rule too, and so must every
    /// redirect's, so redirects are followed here (at most <see cref="HttpClientHandlers.MaxRedirects"/>, as Go's client
    /// does: 301, 302 and 303 turn a POST into a GET without body, 307 and 308 repeat it; the Authorization header is
    /// dropped when the host changes) instead of inside the handler, which would hand them to the proxy unchecked.
    /// </summary>
    private sealed class ProxiedDestinationCheck(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect, bool followRedirects) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            await CheckAsync(request.RequestUri!, ct).ConfigureAwait(false);
            if (!followRedirects) return await base.SendAsync(request, ct).ConfigureAwait(false);
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var current = request;
            for (int hop = 0; ; hop++)
            {
                var response = await base.SendAsync(current, ct).ConfigureAwait(false);
                int code = (int)response.StatusCode;
                if (code is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location || hop >= HttpClientHandlers.MaxRedirects)
                    return response;
                var next = new Uri(current.RequestUri!, location);
                if (next.Scheme is not ("http" or "https")) return response;
                await CheckAsync(next, ct).ConfigureAwait(false);
                response.Dispose();
                bool keepBody = code is 307 or 308;
                var method = keepBody || current.Method == HttpMethod.Get || current.Method == HttpMethod.Head ? current.Method : HttpMethod.Get;
                var redirected = new HttpRequestMessage(method, next) { Version = current.Version, VersionPolicy = current.VersionPolicy };
                bool sameHost = string.Equals(next.IdnHost, request.RequestUri!.IdnHost, StringComparison.OrdinalIgnoreCase);
                foreach (var h in current.Headers)
                    if (sameHost || !string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
                        redirected.Headers.TryAddWithoutValidation(h.Key, h.Value);
                if (keepBody && body is not null)
                {
                    redirected.Content = new ByteArrayContent(body);
                    foreach (var h in request.Content!.Headers) redirected.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
                }
                if (!ReferenceEquals(current, request)) current.Dispose();
                current = redirected;
            }
        }

        private async Task CheckAsync(Uri destination, CancellationToken ct)
        {
            try
            {
                await HostedNetwork.CheckDestinationAsync(connect, destination.IdnHost, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new ForbiddenDestinationException(e.Message + " (through the configured proxy)");
            }
        }
    }
}
