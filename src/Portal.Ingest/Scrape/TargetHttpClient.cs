using System.Net;
using Portal.Config.Prometheus;

namespace Portal.Ingest.Scrape;

/// <summary>
/// An HTTP client built from a <see cref="HttpClientConfig"/> by <see cref="HttpClientHandlers"/> (basic_auth,
/// authorization/bearer, TLS with CA, client certificate and key, server_name, insecure_skip_verify, min_version,
/// proxy_url, follow_redirects, http_headers). One per scrape pool: connections are pooled across its targets. Credentials and header files
/// are re-read for every request, as Prometheus does. Thread-safe. Dispose when the pool goes away.
/// </summary>
public sealed class TargetHttpClient : IDisposable
{
    /// <summary>Go's http.Client gives up after this many redirects.</summary>
    public const int MaxRedirects = HttpClientHandlers.MaxRedirects;

    private readonly HttpClientConfig _cfg;

    public HttpClient Client { get; }

    public bool FollowRedirects { get; }

    private TargetHttpClient(HttpClientConfig cfg, HttpClient client)
    {
        _cfg = cfg;
        Client = client;
        FollowRedirects = cfg.FollowRedirects;
    }

    /// <summary>Builds the client. Throws <see cref="InvalidOperationException"/> with a readable reason when a TLS file cannot be loaded.</summary>
    /// <param name="connect">When set, every connection is opened through it (hosted mode's public-address check).</param>
    public static TargetHttpClient Create(HttpClientConfig cfg, bool enableCompression = true,
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        if (cfg.OAuth2 is not null) throw new InvalidOperationException("oauth2 is not supported for scraping yet");
        var handler = HttpClientHandlers.CreateHandler(cfg, new HttpHandlerOptions { EnableCompression = enableCompression, Connect = connect });
        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = cfg.EnableHttp2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (!enableCompression) client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("identity");
        return new TargetHttpClient(cfg, client);
    }

    /// <summary>Adds the configured credentials and headers to <paramref name="request"/> (files are read now).</summary>
    public void Authorize(HttpRequestMessage request) => HttpClientHandlers.Authorize(_cfg, request);

    public void Dispose() => Client.Dispose();
}
