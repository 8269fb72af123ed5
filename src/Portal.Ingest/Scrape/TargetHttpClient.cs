using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Portal.Config.Prometheus;

namespace Portal.Ingest.Scrape;

/// <summary>
/// An HTTP client built from a <see cref="HttpClientConfig"/> (basic_auth, authorization/bearer, TLS with CA,
/// client certificate and key, server_name, insecure_skip_verify, min_version, proxy_url, follow_redirects,
/// http_headers). One per scrape pool: connections are pooled across its targets. Credentials and header files
/// are re-read for every request, as Prometheus does. Thread-safe. Dispose when the pool goes away.
/// </summary>
public sealed class TargetHttpClient : IDisposable
{
    /// <summary>Go's http.Client gives up after this many redirects.</summary>
    public const int MaxRedirects = 10;

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
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = cfg.FollowRedirects,
            MaxAutomaticRedirections = MaxRedirects,
            AutomaticDecompression = enableCompression ? DecompressionMethods.GZip : DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            UseCookies = false,
        };
        if (connect is not null) handler.ConnectCallback = connect;
        var proxy = cfg.Proxy;
        if (!string.IsNullOrEmpty(proxy.ProxyUrl))
        {
            var wp = new WebProxy(new Uri(proxy.ProxyUrl));
            if (!string.IsNullOrEmpty(proxy.NoProxy))
                wp.BypassList = proxy.NoProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            handler.Proxy = wp;
            handler.UseProxy = true;
        }
        else handler.UseProxy = proxy.ProxyFromEnvironment;

        var tls = cfg.TlsConfig;
        var ssl = new SslClientAuthenticationOptions();
        X509Certificate2Collection? roots = null;
        if (tls is not null)
        {
            var caPem = !string.IsNullOrEmpty(tls.Ca) ? tls.Ca : !string.IsNullOrEmpty(tls.CaFile) ? ReadFile(tls.CaFile, "CA") : null;
            if (caPem is not null)
            {
                roots = new X509Certificate2Collection();
                try
                {
                    roots.ImportFromPem(caPem);
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new InvalidOperationException($"unable to load specified CA cert: {e.Message}");
                }
                if (roots.Count == 0) throw new InvalidOperationException("unable to use specified CA cert: no certificate found");
            }
            var certPem = !string.IsNullOrEmpty(tls.Cert) ? tls.Cert : !string.IsNullOrEmpty(tls.CertFile) ? ReadFile(tls.CertFile, "client certificate") : null;
            var keyPem = !string.IsNullOrEmpty(tls.Key?.Value) ? tls.Key!.Value : !string.IsNullOrEmpty(tls.KeyFile) ? ReadFile(tls.KeyFile, "client key") : null;
            if (certPem is not null && keyPem is not null)
            {
                try
                {
                    ssl.ClientCertificates = [X509Certificate2.CreateFromPem(certPem, keyPem)];
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    throw new InvalidOperationException($"unable to use specified client cert and key: {e.Message}");
                }
            }
            ssl.EnabledSslProtocols = tls.MinVersion switch
            {
                "TLS13" => SslProtocols.Tls13,
                _ => SslProtocols.Tls12 | SslProtocols.Tls13,
            };
            if (tls.MaxVersion == "TLS12") ssl.EnabledSslProtocols &= ~SslProtocols.Tls13;
        }
        bool insecure = tls?.InsecureSkipVerify == true;
        var serverName = tls?.ServerName;
        ssl.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            insecure || ValidateServer(cert, errors, roots, serverName);
        handler.SslOptions = ssl;

        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = cfg.EnableHttp2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (!enableCompression) client.DefaultRequestHeaders.AcceptEncoding.ParseAdd("identity");
        return new TargetHttpClient(cfg, client);
    }

    private static bool ValidateServer(X509Certificate? cert, SslPolicyErrors errors, X509Certificate2Collection? roots, string? serverName)
    {
        if (cert is null) return false;
        var c2 = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        bool chainOk;
        if (roots is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chainOk = chain.Build(c2);
        }
        else chainOk = (errors & (SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0;
        bool nameOk = !string.IsNullOrEmpty(serverName)
            ? c2.MatchesHostname(serverName)
            : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        return chainOk && nameOk;
    }

    private static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"unable to read {what} file {path}: {e.Message}");
        }
    }

    /// <summary>Adds the configured credentials and headers to <paramref name="request"/> (files are read now).</summary>
    public void Authorize(HttpRequestMessage request)
    {
        if (_cfg.BasicAuth is { } ba)
        {
            var user = !string.IsNullOrEmpty(ba.UsernameFile) ? ReadFile(ba.UsernameFile, "username").Trim() : ba.Username ?? "";
            var pass = !string.IsNullOrEmpty(ba.PasswordFile) ? ReadFile(ba.PasswordFile, "password").Trim() : ba.Password?.Value ?? "";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass)));
        }
        else if (_cfg.Authorization is { } au)
        {
            var cred = !string.IsNullOrEmpty(au.CredentialsFile) ? ReadFile(au.CredentialsFile, "credentials").Trim() : au.Credentials?.Value ?? "";
            request.Headers.TryAddWithoutValidation("Authorization", (string.IsNullOrEmpty(au.Type) ? "Bearer" : au.Type) + " " + cred);
        }
        else if (!string.IsNullOrEmpty(_cfg.BearerToken?.Value) || !string.IsNullOrEmpty(_cfg.BearerTokenFile))
        {
            var token = !string.IsNullOrEmpty(_cfg.BearerTokenFile) ? ReadFile(_cfg.BearerTokenFile, "bearer token").Trim() : _cfg.BearerToken!.Value;
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
        if (_cfg.HttpHeaders is not null)
        {
            foreach (var (name, h) in _cfg.HttpHeaders)
            {
                foreach (var v in h.Values ?? []) request.Headers.TryAddWithoutValidation(name, v);
                foreach (var s in h.Secrets ?? []) request.Headers.TryAddWithoutValidation(name, s.Value);
                foreach (var f in h.Files ?? []) request.Headers.TryAddWithoutValidation(name, ReadFile(f, "header").Trim());
            }
        }
    }

    public void Dispose() => Client.Dispose();
}
