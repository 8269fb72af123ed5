using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portal.Config.Prometheus;

/// <summary>How <see cref="HttpClientHandlers.CreateHandler"/> sets up the parts an <see cref="HttpClientConfig"/> does not say. Immutable.</summary>
public sealed record HttpHandlerOptions
{
    /// <summary>Ask for gzip and decompress answers (scrapes); false sends no Accept-Encoding of its own.</summary>
    public bool EnableCompression { get; init; } = true;

    /// <summary>When set, every connection (to the destination or to the proxy) is opened through it, e.g. hosted mode's <see cref="HostedNetwork.ConnectCallback"/>.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? Connect { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Turns Prometheus's <c>http_config</c> (<see cref="HttpClientConfig"/>) into a .NET handler and request credentials,
/// as prometheus/common's <c>NewClientFromConfig</c> does: TLS (CA, client certificate and key, server_name,
/// insecure_skip_verify, min/max version), proxy_url with no_proxy or proxy_from_environment, follow_redirects (at most
/// <see cref="MaxRedirects"/>), and per request basic_auth, authorization (bearer) and http_headers, with credential
/// and header files read again for every request. Used by scraping, remote write and notifications alike. oauth2 is not
/// supported. Stateless; thread-safe.
/// </summary>
public static class HttpClientHandlers
{
    /// <summary>Go's http.Client gives up after this many redirects.</summary>
    public const int MaxRedirects = 10;

    /// <summary>
    /// A handler for <paramref name="cfg"/>. Throws <see cref="InvalidOperationException"/> with a readable reason when a
    /// TLS file cannot be read or a PEM cannot be used, or when oauth2 is configured.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(HttpClientConfig cfg, HttpHandlerOptions? options = null)
    {
        options ??= new HttpHandlerOptions();
        if (cfg.OAuth2 is not null) throw new InvalidOperationException("oauth2 is not supported yet");
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = cfg.FollowRedirects,
            MaxAutomaticRedirections = MaxRedirects,
            AutomaticDecompression = options.EnableCompression ? DecompressionMethods.GZip : DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.ConnectTimeout,
            UseCookies = false,
        };
        if (options.Connect is not null) handler.ConnectCallback = options.Connect;
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
        return handler;
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

    /// <summary>A file's text; <see cref="InvalidOperationException"/> naming <paramref name="what"/> when it cannot be read.</summary>
    public static string ReadFile(string path, string what)
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

    /// <summary>
    /// Adds <paramref name="cfg"/>'s credentials (files read now) and http_headers to <paramref name="request"/>. A request
    /// that already carries an Authorization header keeps it, as prometheus/common's round trippers do.
    /// Throws <see cref="InvalidOperationException"/> when a credentials or header file cannot be read.
    /// </summary>
    public static void Authorize(HttpClientConfig cfg, HttpRequestMessage request)
    {
        if (request.Headers.Authorization is null) AddCredentials(cfg, request);
        if (cfg.HttpHeaders is not null)
        {
            foreach (var (name, h) in cfg.HttpHeaders)
            {
                foreach (var v in h.Values ?? []) request.Headers.TryAddWithoutValidation(name, v);
                foreach (var s in h.Secrets ?? []) request.Headers.TryAddWithoutValidation(name, s.Value);
                foreach (var f in h.Files ?? []) request.Headers.TryAddWithoutValidation(name, ReadFile(f, "header").Trim());
            }
        }
    }

    private static void AddCredentials(HttpClientConfig cfg, HttpRequestMessage request)
    {
        if (cfg.BasicAuth is { } ba)
        {
            var user = !string.IsNullOrEmpty(ba.UsernameFile) ? ReadFile(ba.UsernameFile, "username").Trim() : ba.Username ?? "";
            var pass = !string.IsNullOrEmpty(ba.PasswordFile) ? ReadFile(ba.PasswordFile, "password").Trim() : ba.Password?.Value ?? "";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass)));
        }
        else if (cfg.Authorization is { } au)
        {
            var cred = !string.IsNullOrEmpty(au.CredentialsFile) ? ReadFile(au.CredentialsFile, "credentials").Trim() : au.Credentials?.Value ?? "";
            request.Headers.TryAddWithoutValidation("Authorization", (string.IsNullOrEmpty(au.Type) ? "Bearer" : au.Type) + " " + cred);
        }
        else if (!string.IsNullOrEmpty(cfg.BearerToken?.Value) || !string.IsNullOrEmpty(cfg.BearerTokenFile))
        {
            var token = !string.IsNullOrEmpty(cfg.BearerTokenFile) ? ReadFile(cfg.BearerTokenFile, "bearer token").Trim() : cfg.BearerToken!.Value;
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }
}
