namespace Portal.Config.Prometheus;

/// <summary>HTTP basic authentication.</summary>
[YamlType("basic_auth")]
public sealed class BasicAuth : ConfigObject
{
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("username_file")] public string? UsernameFile { get; set; }
    [YamlKey("username_ref")] public string? UsernameRef { get; set; }
    [YamlKey("password")] public Secret? Password { get; set; }
    [YamlKey("password_file")] public string? PasswordFile { get; set; }
    [YamlKey("password_ref")] public string? PasswordRef { get; set; }
}

/// <summary>The <c>Authorization</c> header: a type (default Bearer) and credentials.</summary>
[YamlType("authorization")]
public sealed class Authorization : ConfigObject
{
    [YamlKey("type")] public string? Type { get; set; }
    [YamlKey("credentials")] public Secret? Credentials { get; set; }
    [YamlKey("credentials_file")] public string? CredentialsFile { get; set; }
    [YamlKey("credentials_ref")] public string? CredentialsRef { get; set; }
}

/// <summary>TLS settings of a client.</summary>
[YamlType("tls_config")]
public sealed class TlsConfig : ConfigObject
{
    [YamlKey("ca")] public string? Ca { get; set; }
    [YamlKey("ca_file")] public string? CaFile { get; set; }
    [YamlKey("ca_ref")] public string? CaRef { get; set; }
    [YamlKey("cert")] public string? Cert { get; set; }
    [YamlKey("cert_file")] public string? CertFile { get; set; }
    [YamlKey("cert_ref")] public string? CertRef { get; set; }
    [YamlKey("key")] public Secret? Key { get; set; }
    [YamlKey("key_file")] public string? KeyFile { get; set; }
    [YamlKey("key_ref")] public string? KeyRef { get; set; }
    [YamlKey("server_name")] public string? ServerName { get; set; }
    [YamlKey("insecure_skip_verify")] public bool InsecureSkipVerify { get; set; }
    [YamlKey("min_version")] public string? MinVersion { get; set; }
    [YamlKey("max_version")] public string? MaxVersion { get; set; }

    internal static readonly string[] Versions = ["TLS10", "TLS11", "TLS12", "TLS13"];

    internal override void Validate(LoadContext ctx)
    {
        if (Count(Ca, CaFile, CaRef) > 1) ctx.Error(this, "ca", "at most one of ca, ca_file & ca_ref must be configured");
        if (Count(Cert, CertFile, CertRef) > 1) ctx.Error(this, "cert", "at most one of cert, cert_file & cert_ref must be configured");
        if (Count(Key?.Value, KeyFile, KeyRef) > 1) ctx.Error(this, "key", "at most one of key and key_file must be configured");
        bool cert = Count(Cert, CertFile, CertRef) > 0, key = Count(Key?.Value, KeyFile, KeyRef) > 0;
        if (cert && !key) ctx.Error(this, null, "exactly one of key or key_file must be configured when a client certificate is configured");
        else if (key && !cert) ctx.Error(this, null, "exactly one of cert or cert_file must be configured when a client key is configured");
        foreach (var (k, v) in new[] { ("min_version", MinVersion), ("max_version", MaxVersion) })
            if (!string.IsNullOrEmpty(v) && Array.IndexOf(Versions, v) < 0)
                ctx.Error(this, k, $"unknown TLS version: {v} (use one of {string.Join(", ", Versions)})");
    }

    internal static int Count(params string?[] values)
    {
        int n = 0;
        foreach (var v in values) if (!string.IsNullOrEmpty(v)) n++;
        return n;
    }
}

/// <summary>OAuth 2.0 client credentials (or JWT bearer) settings.</summary>
[YamlType("oauth2")]
public sealed class OAuth2Config : ConfigObject
{
    [YamlKey("client_id")] public string? ClientId { get; set; }
    [YamlKey("client_secret")] public Secret? ClientSecret { get; set; }
    [YamlKey("client_secret_file")] public string? ClientSecretFile { get; set; }
    [YamlKey("client_secret_ref")] public string? ClientSecretRef { get; set; }
    [YamlKey("client_certificate_key_id")] public string? ClientCertificateKeyId { get; set; }
    [YamlKey("client_certificate_key")] public Secret? ClientCertificateKey { get; set; }
    [YamlKey("client_certificate_key_file")] public string? ClientCertificateKeyFile { get; set; }
    [YamlKey("client_certificate_key_ref")] public string? ClientCertificateKeyRef { get; set; }
    [YamlKey("grant_type")] public string? GrantType { get; set; }
    [YamlKey("signature_algorithm")] public string? SignatureAlgorithm { get; set; }
    [YamlKey("iss")] public string? Iss { get; set; }
    [YamlKey("audience")] public string? Audience { get; set; }
    [YamlKey("claims")] public Dictionary<string, string>? Claims { get; set; }
    [YamlKey("scopes")] public List<string>? Scopes { get; set; }
    [YamlKey("token_url")] public string? TokenUrl { get; set; }
    [YamlKey("endpoint_params")] public Dictionary<string, string>? EndpointParams { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlInline] public ProxyConfig Proxy { get; set; } = new();

    internal override void Validate(LoadContext ctx)
    {
        bool jwt = GrantType is not null && GrantType.Contains("jwt-bearer", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(ClientId) && !jwt) ctx.Error(this, null, "oauth2 client_id must be configured");
        if (string.IsNullOrEmpty(TokenUrl)) ctx.Error(this, null, "oauth2 token_url must be configured");
        if (TlsConfig.Count(ClientSecret?.Value, ClientSecretFile, ClientSecretRef) > 1)
            ctx.Error(this, "client_secret", "at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured");
        if (!string.IsNullOrEmpty(TokenUrl)) UrlCheck.Validate(ctx, this, "token_url", TokenUrl, requireHttp: false);
    }
}

/// <summary>Proxy settings (inline in HTTP client settings and oauth2).</summary>
public sealed class ProxyConfig : ConfigObject
{
    [YamlKey("proxy_url")] public string? ProxyUrl { get; set; }
    [YamlKey("no_proxy")] public string? NoProxy { get; set; }
    [YamlKey("proxy_from_environment")] public bool ProxyFromEnvironment { get; set; }
    [YamlKey("proxy_connect_header")] public Dictionary<string, List<Secret>>? ProxyConnectHeader { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        bool url = !string.IsNullOrEmpty(ProxyUrl);
        if (ProxyConnectHeader is { Count: > 0 } && !ProxyFromEnvironment && !url)
            ctx.Error(this, "proxy_connect_header", "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured");
        if (ProxyFromEnvironment && url)
            ctx.Error(this, "proxy_url", "if proxy_from_environment is configured, proxy_url must not be configured");
        if (ProxyFromEnvironment && !string.IsNullOrEmpty(NoProxy))
            ctx.Error(this, "no_proxy", "if proxy_from_environment is configured, no_proxy must not be configured");
        if (!url && !string.IsNullOrEmpty(NoProxy))
            ctx.Error(this, "no_proxy", "if no_proxy is configured, proxy_url must also be configured");
        if (url) UrlCheck.Validate(ctx, this, "proxy_url", ProxyUrl!, requireHttp: false);
    }
}

/// <summary>One custom header: literal values, secret values and values read from files.</summary>
[YamlType("header")]
public sealed class HttpHeader : ConfigObject
{
    [YamlKey("values")] public List<string>? Values { get; set; }
    [YamlKey("secrets")] public List<Secret>? Secrets { get; set; }
    [YamlKey("files")] public List<string>? Files { get; set; }
}

/// <summary>
/// The HTTP client settings shared by scraping, discovery, remote write/read and notifications
/// (Prometheus's <c>http_config</c>). Defaults: follow_redirects and enable_http2 true.
/// A legacy <c>bearer_token</c>/<c>bearer_token_file</c> is turned into <see cref="Authorization"/> on load, as Prometheus does.
/// </summary>
[YamlType("http_config")]
public sealed class HttpClientConfig : ConfigObject
{
    [YamlKey("basic_auth")] public BasicAuth? BasicAuth { get; set; }
    [YamlKey("authorization")] public Authorization? Authorization { get; set; }
    [YamlKey("oauth2")] public OAuth2Config? OAuth2 { get; set; }
    [YamlKey("bearer_token")] public Secret? BearerToken { get; set; }
    [YamlKey("bearer_token_file")] public string? BearerTokenFile { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("follow_redirects")] public bool FollowRedirects { get; set; } = true;
    [YamlKey("enable_http2")] public bool EnableHttp2 { get; set; } = true;
    [YamlKey("http_headers")] public Dictionary<string, HttpHeader>? HttpHeaders { get; set; }
    [YamlInline] public ProxyConfig Proxy { get; set; } = new();

    internal static readonly HashSet<string> ReservedHttpHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type", "User-Agent", "Connection",
        "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Www-Authenticate", "Accept-Encoding",
        "X-Prometheus-Remote-Write-Version", "X-Prometheus-Remote-Read-Version", "X-Prometheus-Scrape-Timeout-Seconds",
        "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
    };

    internal bool AnyAuth => BasicAuth is not null || Authorization is not null || OAuth2 is not null;

    internal override void Validate(LoadContext ctx)
    {
        bool bt = !string.IsNullOrEmpty(BearerToken?.Value), btf = !string.IsNullOrEmpty(BearerTokenFile);
        if (bt && btf) ctx.Error(this, "bearer_token", "at most one of bearer_token & bearer_token_file must be configured");
        if ((BasicAuth is not null || OAuth2 is not null) && (bt || btf))
            ctx.Error(this, bt ? "bearer_token" : "bearer_token_file", "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
        if (BasicAuth is { } ba)
        {
            if (TlsConfig.Count(ba.Username, ba.UsernameFile, ba.UsernameRef) > 1)
                ctx.Error(ba, "username", "at most one of basic_auth username, username_file & username_ref must be configured");
            if (TlsConfig.Count(ba.Password?.Value, ba.PasswordFile, ba.PasswordRef) > 1)
                ctx.Error(ba, "password", "at most one of basic_auth password, password_file & password_ref must be configured");
        }
        if (Authorization is { } au)
        {
            if (bt || btf) ctx.Error(this, "authorization", "authorization is not compatible with bearer_token & bearer_token_file");
            if (TlsConfig.Count(au.Credentials?.Value, au.CredentialsFile, au.CredentialsRef) > 1)
                ctx.Error(au, "credentials", "at most one of authorization credentials & credentials_file must be configured");
            au.Type = au.Type?.Trim();
            if (string.IsNullOrEmpty(au.Type)) au.Type = "Bearer";
            if (string.Equals(au.Type, "basic", StringComparison.OrdinalIgnoreCase))
                ctx.Error(au, "type", "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
            if (BasicAuth is not null || OAuth2 is not null)
                ctx.Error(this, "authorization", "at most one of basic_auth, oauth2 & authorization must be configured");
        }
        else if (bt && !btf || btf && !bt)
        {
            var key = bt ? "bearer_token" : "bearer_token_file";
            Authorization = new Authorization
            {
                Type = "Bearer",
                Credentials = bt ? BearerToken : null,
                CredentialsFile = btf ? BearerTokenFile : null,
                Position = PositionOf(key),
                KeyPositions = PositionOf(key) is { } p
                    ? new Dictionary<string, SourcePosition> { [bt ? "credentials" : "credentials_file"] = p }
                    : null,
            };
            if (BasicAuth is null && OAuth2 is null)
            {
                BearerToken = null;
                BearerTokenFile = null;
            }
        }
        if (OAuth2 is not null && BasicAuth is not null)
            ctx.Error(this, "oauth2", "at most one of oauth2 & basic_auth must be configured");
        if (HttpHeaders is not null)
            foreach (var name in HttpHeaders.Keys)
                if (ReservedHttpHeaders.Contains(name))
                    ctx.Error(this, "http_headers", $"setting header \"{name}\" is not allowed");
    }
}

/// <summary>URL checks shared by the sections that take URLs.</summary>
internal static class UrlCheck
{
    /// <summary>Reports a URL Go's url.Parse would refuse; with <paramref name="requireHttp"/> also a scheme other than http(s) or a missing host.</summary>
    public static bool Validate(LoadContext ctx, ConfigObject obj, string key, string url, bool requireHttp)
    {
        if (url.Contains(' ') && url.Contains("://", StringComparison.Ordinal) || url.StartsWith("://", StringComparison.Ordinal))
        {
            ctx.Error(obj, key, $"invalid URL \"{url}\"");
            return false;
        }
        if (!requireHttp) return true;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            int i = url.IndexOf("://", StringComparison.Ordinal);
            var scheme = i > 0 ? url[..i] : "";
            if (scheme is "http" or "https" && url.Length == i + 3)
            {
                ctx.Error(obj, key, "host is missing in URL");
                return false;
            }
            ctx.Error(obj, key, "URL scheme must be 'http' or 'https'");
            return false;
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            ctx.Error(obj, key, "host is missing in URL");
            return false;
        }
        return true;
    }
}
