using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Portal.Alerting.Receivers;
using Portal.Config;
using Portal.Config.Alertmanager;

namespace Portal.Alerting.Tests;

/// <summary>Receivers' http_config (global and per receiver) as Alertmanager honours it: credentials, TLS, proxies, hosted mode.</summary>
public class HttpConfigTests
{
    private static (Alertmanager Am, FakeClock Clock, MemoryNotificationRecorder Recorder) Make(string yaml,
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null)
    {
        var clock = new FakeClock();
        var rec = new MemoryNotificationRecorder();
        var am = new Alertmanager(new AlertmanagerOptions
        {
            TenantId = "t1",
            Clock = clock,
            Recorder = rec,
            OutboundConnect = connect,
            Templates = _ => new ReceiverTests.FixedTemplater(),
            Retry = new RetryOptions { Initial = TimeSpan.FromMilliseconds(1), Max = TimeSpan.FromMilliseconds(1), Jitter = 0 },
        });
        am.ApplyConfig(TestUtil.Load(yaml), yaml);
        return (am, clock, rec);
    }

    /// <summary>Sends one firing alert and waits (moving the fake clock) until <paramref name="done"/> holds for the recorded attempts.</summary>
    private static async Task<List<NotificationAttempt>> NotifyAsync(Alertmanager am, FakeClock clock, MemoryNotificationRecorder rec,
        Func<List<NotificationAttempt>, bool> done, string labels = "alertname=X")
    {
        am.PutAlerts([new PostableAlert(TestUtil.L(labels), TestUtil.L(""), clock.GetUtcNow(), default, "")]);
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 500 && !done(rec.Snapshot()); i++)
        {
            await Task.Delay(10);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        var attempts = rec.Snapshot();
        Assert.True(done(attempts), "attempts so far: " + string.Join("; ", attempts.Select(a => $"{a.Receiver}/{a.Integration}: {a.Success} {a.Error}")));
        return attempts;
    }

    private static string Basic(string user, string pass) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + pass));

    [Fact]
    public async Task WebhookAndSlackSendBasicAndBearerCredentialsFromGlobalAndReceiverHttpConfig()
    {
        using var hook = new LocalHttpServer();
        using var slack = new LocalHttpServer();
        using var bare = new LocalHttpServer();
        var yaml = $"""
            global:
              http_config:
                authorization:
                  credentials: global-token
            route:
              receiver: all
              group_by: [alertname]
              group_wait: 1s
            receivers:
            - name: all
              webhook_configs:
              - url: '{hook.Url}hook'
                http_config:
                  basic_auth: {"{"} username: alert, password: 'p@ss:word' {"}"}
              - url: '{bare.Url}bare'
              slack_configs:
              - api_url: '{slack.Url}services/T/B/X'
                channel: '#ops'
                http_config:
                  bearer_token: slack-token
                  http_headers:
                    X-Team: {"{"} values: [payments] {"}"}
            """;
        var (am, clock, rec) = Make(yaml);
        using var _ = am;
        await NotifyAsync(am, clock, rec, a => a.Count(x => x.Success) == 3);
        Assert.Equal(Basic("alert", "p@ss:word"), Assert.Single(hook.Requests).Authorization);
        Assert.Equal("Bearer slack-token", Assert.Single(slack.Requests).Authorization);
        Assert.Equal("Bearer global-token", Assert.Single(bare.Requests).Authorization);
        // One client per distinct http_config: the global one (shared by the bare webhook), the webhook's and Slack's.
        Assert.Equal(3, am.HttpClientCount);

        // A second notification reuses them; a reload keeps only those still configured.
        await NotifyAsync(am, clock, rec, a => a.Count(x => x.Success) == 6, "alertname=Y");
        Assert.Equal(3, am.HttpClientCount);
        var smaller = $"route: {{receiver: hook, group_wait: 1s}}\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: '{hook.Url}hook'\n";
        am.ApplyConfig(TestUtil.Load(smaller), smaller);
        Assert.Equal(1, am.HttpClientCount);
        await NotifyAsync(am, clock, rec, a => a.Count(x => x.Success) == 7, "alertname=Z");
        Assert.Null(hook.Requests.Last().Authorization);
        Assert.Equal(1, am.HttpClientCount);
    }

    [Fact]
    public async Task SlacksAppTokenTakesTheAuthorizationHeaderBeforeHttpConfig()
    {
        using var slack = new LocalHttpServer { Respond = _ => (200, "application/json", "{\"ok\":true}") };
        var yaml = $"""
            route: {"{"} receiver: s, group_wait: 1s {"}"}
            receivers:
            - name: s
              slack_configs:
              - app_token: xoxb-app
                app_url: '{slack.Url}api/chat.postMessage'
                channel: '#ops'
                http_config:
                  basic_auth: {"{"} username: u, password: p {"}"}
            """;
        var (am, clock, rec) = Make(yaml);
        using var _ = am;
        await NotifyAsync(am, clock, rec, a => a.Any(x => x.Success));
        Assert.Equal("Bearer xoxb-app", Assert.Single(slack.Requests).Authorization);
    }

    [Fact]
    public async Task TlsConfigsCaLetsTheWebhookTrustASelfSignedServerAndItsAbsenceFailsWithAReason()
    {
        using var ca = SelfSignedCa();
        using var server = new RawHttpServer(ServerCertificate(ca));
        var caPem = ca.ExportCertificatePem();
        string Yaml(string tls) => $"""
            route: {"{"} receiver: hook, group_wait: 1s {"}"}
            receivers:
            - name: hook
              webhook_configs:
              - url: 'https://127.0.0.1:{server.Port}/tls-hook'
                http_config:
                  authorization: {"{"} credentials: tls-token {"}"}
            {tls}
            """;
        var tls = "      tls_config:\n        ca: |\n" + string.Join("\n", caPem.TrimEnd().Split('\n').Select(l => "          " + l));
        var (trusted, clock, rec) = Make(Yaml(tls));
        using (trusted)
        {
            await NotifyAsync(trusted, clock, rec, a => a.Any(x => x.Success));
            var req = Assert.Single(server.Requests);
            Assert.StartsWith("POST /tls-hook ", req.RequestLine);
            Assert.Equal("Bearer tls-token", req.Headers["authorization"]);
        }

        var (untrusted, clock2, rec2) = Make(Yaml(""));
        using (untrusted)
        {
            var attempts = await NotifyAsync(untrusted, clock2, rec2, a => a.Count > 0);
            Assert.False(attempts[0].Success);
            Assert.Contains("TLS handshake failed", attempts[0].Error);
            Assert.Contains("tls_config", attempts[0].Error);
            Assert.DoesNotContain("tls-hook", attempts[0].Error);
        }
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RedirectsAreFollowedUnlessFollowRedirectsIsFalse()
    {
        using var server = new RawHttpServer(null)
        {
            Respond = line => line.Contains(" /old ", StringComparison.Ordinal) ? ("302 Found", "Location: /new\r\n") : ("200 OK", ""),
        };
        string Yaml(bool follow) => $"""
            route: {"{"} receiver: hook, group_wait: 1s {"}"}
            receivers:
            - name: hook
              webhook_configs:
              - url: 'http://127.0.0.1:{server.Port}/old'
                http_config: {"{"} follow_redirects: {(follow ? "true" : "false")} {"}"}
            """;
        var (following, clock, rec) = Make(Yaml(true));
        using (following) await NotifyAsync(following, clock, rec, a => a.Any(x => x.Success));
        Assert.Equal(["POST /old HTTP/1.1", "GET /new HTTP/1.1"], server.Requests.Select(r => r.RequestLine).ToArray());

        var (stopping, clock2, rec2) = Make(Yaml(false));
        using (stopping)
        {
            var a = (await NotifyAsync(stopping, clock2, rec2, x => x.Count > 0))[0];
            Assert.False(a.Success);
            Assert.Contains("unexpected status code 302", a.Error);
        }
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public void AnUnusableCaRefusesTheConfigurationAndKeepsTheRunningOne()
    {
        var (am, _, _) = Make("route: {receiver: r}\nreceivers:\n- name: r\n");
        using var _am = am;
        const string bad = "route: {receiver: hook}\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: 'https://hooks.example/'\n    http_config:\n      tls_config: {ca: not-a-pem}\n";
        var e = Assert.Throws<ArgumentException>(() => am.ApplyConfig(TestUtil.Load(bad), bad));
        Assert.Contains("receiver \"hook\": webhook_configs http_config (line 7, column 7)", e.Message);
        Assert.Contains("CA", e.Message);
        Assert.Equal(["r"], am.ReceiverNames);
    }

    [Fact]
    public void BothBasicAuthAndAuthorizationAreRefusedAtLoadWithLineAndColumn()
    {
        const string yaml = """
            route: {receiver: hook}
            receivers:
            - name: hook
              webhook_configs:
              - url: 'https://hooks.example/'
                http_config:
                  basic_auth: {username: u, password: p}
                  authorization: {credentials: t}
            """;
        var r = AlertmanagerConfigLoader.Load(yaml, "alertmanager.yml");
        Assert.False(r.Success);
        var e = Assert.Single(r.Errors);
        Assert.Equal((8, 22), (e.Line, e.Column));
        Assert.Contains("at most one of basic_auth, oauth2 & authorization must be configured", e.Message);
    }

    [Fact]
    public async Task ProxyUrlIsUsedAndInHostedModeTheProxyAndTheDestinationMustBothPassTheConnectRule()
    {
        using var proxy = new RawHttpServer(null);
        string Yaml(string url) => $"""
            route: {"{"} receiver: hook, group_wait: 1s {"}"}
            receivers:
            - name: hook
              webhook_configs:
              - url: '{url}'
                http_config:
                  proxy_url: 'http://127.0.0.1:{proxy.Port}'
                  basic_auth: {"{"} username: u, password: p {"}"}
            """;

        // Self-hosted: the request goes to the proxy, with the absolute destination URL.
        var (direct, clock, rec) = Make(Yaml("http://hooks.example/via-proxy"));
        using (direct)
        {
            await NotifyAsync(direct, clock, rec, a => a.Any(x => x.Success));
            var req = Assert.Single(proxy.Requests);
            Assert.StartsWith("POST http://hooks.example/via-proxy ", req.RequestLine);
            Assert.Equal(Basic("u", "p"), req.Headers["authorization"]);
        }

        // Hosted, strict rule: the proxy itself is on loopback, so nothing is sent.
        var (strict, clock2, rec2) = Make(Yaml("http://93.184.216.34/x"), HostedNetwork.ConnectCallback());
        using (strict)
        {
            var a = (await NotifyAsync(strict, clock2, rec2, x => x.Count > 0))[0];
            Assert.False(a.Success);
            Assert.False(a.Retryable);
            Assert.Contains("refused to connect to 127.0.0.1", a.Error);
        }

        // Hosted, the operator allows the proxy's loopback address: the destination must still be public.
        var (allowed, clock3, rec3) = Make(Yaml("http://10.1.2.3/private"), HostedNetwork.ConnectCallback(IPAddress.IsLoopback));
        using (allowed)
        {
            var a = (await NotifyAsync(allowed, clock3, rec3, x => x.Count > 0))[0];
            Assert.False(a.Success);
            Assert.False(a.Retryable);
            Assert.Contains("10.1.2.3", a.Error);
            Assert.Contains("private network", a.Error);
            Assert.Contains("through the configured proxy", a.Error);
        }
        Assert.Single(proxy.Requests);
    }

    [Fact]
    public async Task InHostedModeRedirectsThroughAProxyAreFollowedOnlyToPublicDestinations()
    {
        using var proxy = new RawHttpServer(null)
        {
            Respond = line =>
                line.Contains("/start ", StringComparison.Ordinal) ? ("302 Found", "Location: /next\r\n") :
                line.Contains("/sneaky ", StringComparison.Ordinal) ? ("307 Temporary Redirect", "Location: http://10.9.9.9/internal\r\n") :
                ("200 OK", ""),
        };
        string Yaml(string path) => $"""
            route: {"{"} receiver: hook, group_wait: 1s {"}"}
            receivers:
            - name: hook
              webhook_configs:
              - url: 'http://93.184.216.34/{path}'
                http_config:
                  proxy_url: 'http://127.0.0.1:{proxy.Port}'
                  authorization: {"{"} credentials: proxied-token {"}"}
            """;
        var connect = HostedNetwork.ConnectCallback(IPAddress.IsLoopback);
        var (am, clock, rec) = Make(Yaml("start"), connect);
        using (am) await NotifyAsync(am, clock, rec, a => a.Any(x => x.Success));
        Assert.Equal(["POST http://93.184.216.34/start HTTP/1.1", "GET http://93.184.216.34/next HTTP/1.1"], proxy.Requests.Select(r => r.RequestLine).ToArray());
        Assert.All(proxy.Requests, r => Assert.Equal("Bearer proxied-token", r.Headers["authorization"]));

        var (sneaky, clock2, rec2) = Make(Yaml("sneaky"), connect);
        using (sneaky)
        {
            var a = (await NotifyAsync(sneaky, clock2, rec2, x => x.Count > 0))[0];
            Assert.False(a.Success);
            Assert.False(a.Retryable);
            Assert.Contains("10.9.9.9", a.Error);
            Assert.Contains("through the configured proxy", a.Error);
        }
        Assert.Equal(3, proxy.Requests.Count);
    }

    private static X509Certificate2 SelfSignedCa()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=Portal Test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 ServerCertificate(X509Certificate2 ca)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = req.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>
/// A loopback HTTP/1.1 server on a raw socket, over TLS when given a certificate: records each request line and its
/// headers (names lower-cased) and answers 200 "ok". Serves proxy-style absolute URLs too. Dispose to stop.
/// </summary>
public sealed class RawHttpServer : IDisposable
{
    public sealed record Received(string RequestLine, Dictionary<string, string> Headers, string Body);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();

    public ConcurrentQueue<Received> Requests { get; } = new();
    public int Port { get; }

    /// <summary>The status line and extra header lines of the answer to a request line; by default <c>200 OK</c>.</summary>
    public Func<string, (string Status, string Headers)> Respond { get; init; } = _ => ("200 OK", "");

    public RawHttpServer(X509Certificate2? certificate)
    {
        _certificate = certificate;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate);
                stream = ssl;
            }
            using var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
            var line = await reader.ReadLineAsync() ?? "";
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            string? h;
            while (!string.IsNullOrEmpty(h = await reader.ReadLineAsync()))
            {
                int colon = h.IndexOf(':');
                if (colon > 0) headers[h[..colon].Trim().ToLowerInvariant()] = h[(colon + 1)..].Trim();
            }
            var body = new char[headers.TryGetValue("content-length", out var cl) ? int.Parse(cl) : 0];
            int read = 0;
            while (read < body.Length)
            {
                int n = await reader.ReadAsync(body, read, body.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (line.Length > 0) Requests.Enqueue(new Received(line, headers, new string(body, 0, read)));
            var (status, extra) = Respond(line);
            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{extra}Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            await stream.WriteAsync(answer);
            await stream.FlushAsync();
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
        {
            // A client that refused our certificate hangs up during the handshake.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _certificate?.Dispose();
    }
}
