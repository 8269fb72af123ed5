using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Config.Prometheus;
using Portal.Ingest.Scrape;
using Portal.Model;

namespace Portal.Ingest.Tests;

/// <summary>A fact skipped (with the reason) when Debian's prometheus-node-exporter is not installed.</summary>
public sealed class NodeExporterFactAttribute : FactAttribute
{
    public const string Binary = "/usr/bin/prometheus-node-exporter";

    public NodeExporterFactAttribute()
    {
        if (!File.Exists(Binary)) Skip = $"{Binary} is absent (apt-get install -y prometheus-node-exporter)";
    }
}

public class IntegrationTests
{
    /// <summary>A payload like an application instrumented with a Prometheus client library, as the course's example app exposes.</summary>
    private const string AppPayload = """
        # HELP python_gc_objects_collected_total Objects collected during gc
        # TYPE python_gc_objects_collected_total counter
        python_gc_objects_collected_total{generation="0"} 230.0
        python_gc_objects_collected_total{generation="1"} 12.0
        # HELP request_latency_seconds Flask Request Latency
        # TYPE request_latency_seconds histogram
        request_latency_seconds_bucket{endpoint="/",le="0.005",method="GET"} 3.0
        request_latency_seconds_bucket{endpoint="/",le="0.1",method="GET"} 5.0
        request_latency_seconds_bucket{endpoint="/",le="+Inf",method="GET"} 6.0
        request_latency_seconds_count{endpoint="/",method="GET"} 6.0
        request_latency_seconds_sum{endpoint="/",method="GET"} 0.75
        # HELP request_count_total App Request Count
        # TYPE request_count_total counter
        request_count_total{app_name="webapp",endpoint="/",http_status="200",method="GET"} 6.0
        # HELP process_resident_memory_bytes Resident memory size in bytes.
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes 2.4e+07

        """;

    private static ScrapeTarget Target(string scheme, string address, TimeSpan? timeout = null, string path = "/metrics") =>
        new(Labels.FromStrings("__address__", address, "job", "it", "instance", address), Labels.Empty, "it",
            new Uri($"{scheme}://{address}{path}"), TimeSpan.FromSeconds(5), timeout ?? TimeSpan.FromSeconds(3));

    private static ScrapeLoop HttpLoop(ScrapeTarget t, RecordingAppendable store, HttpClientConfig? http = null, long bodyLimit = 0)
    {
        var client = TargetHttpClient.Create(http ?? new HttpClientConfig());
        var opts = new ScrapeOptions { BodySizeLimit = bodyLimit };
        return new ScrapeLoop(t, store, new HttpTargetScraper(client, opts.AcceptHeader, bodyLimit), opts);
    }

    [Fact]
    public async Task SeedStyleApplicationTarget()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: AppPayload, Gzip: true));
        var store = new RecordingAppendable();
        var loop = HttpLoop(Target("http", server.Address), store);
        var r = await loop.ScrapeAndReportAsync();
        Assert.True(r.Up, r.Error);
        Assert.Equal(9, r.Scraped);
        Assert.Equal("0.1", store.Find("request_latency_seconds_bucket", "le", "0.1")!.Get("le"));
        Assert.Equal(24_000_000, store.Last("process_resident_memory_bytes"));
        Assert.Equal("webapp", store.Find("request_count_total")!.Get("app_name"));
        Assert.Equal("gzip", server.Requests[0].Headers["Accept-Encoding"]);
        Assert.Equal(HttpTargetScraper.UserAgent, server.Requests[0].Headers["User-Agent"]);
    }

    public static TheoryData<string, string> BadTargets() => new()
    {
        { "slow", "context deadline exceeded" },
        { "big", "body size limit exceeded" },
        { "loop", "stopped after 10 redirects" },
        { "error", "server returned HTTP status 500 Internal Server Error" },
        { "malformed", "parse error at line 2" },
        { "badtype", "received unsupported Content-Type \"application/json\"" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public async Task BadTargetsFailCleanly(string kind, string expected)
    {
        await using var server = new TestHttpServer(req => kind switch
        {
            "slow" => new TestResponse(Body: "a 1\n", Delay: TimeSpan.FromSeconds(3)),
            "big" => new TestResponse(Body: new string('#', 5000) + "\n"),
            "loop" => new TestResponse(302, Location: req.Target + "x"),
            "error" => new TestResponse(500, Body: "oops"),
            "malformed" => new TestResponse(Body: "ok 1\nbroken{ 1\n"),
            _ => new TestResponse(ContentType: "application/json", Body: "{}"),
        });
        var store = new RecordingAppendable();
        // Only the slow target needs a timeout shorter than its delay; the others get room for eleven round trips on a busy machine.
        var timeout = kind == "slow" ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(5);
        var loop = HttpLoop(Target("http", server.Address, timeout), store, bodyLimit: 1000);
        var sw = Stopwatch.StartNew();
        var r = await loop.ScrapeAndReportAsync();
        Assert.True(sw.Elapsed < timeout + TimeSpan.FromSeconds(2), "the scrape timeout bounds the wait");
        Assert.False(r.Up);
        Assert.Contains(expected, r.Error);
        Assert.Equal(TargetHealth.Down, loop.Target.State.Health);
        Assert.Equal(0, store.Last("up"));
        Assert.Null(store.Find("ok"));
        Assert.Null(store.Find("a"));
    }

    [Fact]
    public async Task AuthorizationHeaders()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: "a 1\n"));
        var store = new RecordingAppendable();
        var cfg = Load($"""
            scrape_configs:
              - job_name: a
                basic_auth: {"{"}username: u, password: p{"}"}
                static_configs: [{"{"}targets: ['{server.Address}']{"}"}]
              - job_name: b
                authorization: {"{"}credentials: tok{"}"}
                static_configs: [{"{"}targets: ['{server.Address}']{"}"}]
            """);
        await HttpLoop(Target("http", server.Address), store, cfg.ScrapeConfigs![0].HttpClientConfig).ScrapeAndReportAsync();
        await HttpLoop(Target("http", server.Address), store, cfg.ScrapeConfigs![1].HttpClientConfig).ScrapeAndReportAsync();
        Assert.Equal("Basic dTpw", server.Requests[0].Headers["Authorization"]);
        Assert.Equal("Bearer tok", server.Requests[1].Headers["Authorization"]);
    }

    private static PrometheusConfig Load(string yaml)
    {
        var r = PrometheusConfigLoader.Load(yaml, "it.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return r.Config!;
    }

    private sealed class Pki : IDisposable
    {
        public readonly string Dir = Directory.CreateTempSubdirectory("portal-pki-").FullName;
        public readonly X509Certificate2 Ca;
        public readonly X509Certificate2 Server;
        public readonly X509Certificate2 OtherCa;

        public Pki()
        {
            Ca = MakeCa("Portal Test CA");
            OtherCa = MakeCa("Unrelated CA");
            Server = Issue(Ca, "target.test", server: true);
            var client = Issue(Ca, "scraper", server: false);
            Write("ca.pem", Ca.ExportCertificatePem());
            Write("other-ca.pem", OtherCa.ExportCertificatePem());
            Write("client.pem", client.ExportCertificatePem());
            Write("client-key.pem", client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        public string P(string name) => Path.Combine(Dir, name);
        private void Write(string name, string text) => File.WriteAllText(P(name), text);

        private static X509Certificate2 MakeCa(string cn)
        {
            using var key = RSA.Create(2048);
            var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }

        private static X509Certificate2 Issue(X509Certificate2 ca, string cn, bool server)
        {
            using var key = RSA.Create(2048);
            var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
            if (server)
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddDnsName(cn);
                req.CertificateExtensions.Add(san.Build());
            }
            var serial = RandomNumberGenerator.GetBytes(8);
            using var signed = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
            var withKey = signed.CopyWithPrivateKey(key);
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }

        public void Dispose() => Directory.Delete(Dir, true);
    }

    private static HttpClientConfig Tls(Pki pki, string ca = "ca.pem", bool clientCert = true, string? serverName = "target.test", bool insecure = false)
    {
        var yaml = $"""
            scrape_configs:
              - job_name: tls
                scheme: https
                tls_config:
                  ca_file: {pki.P(ca)}
            {(clientCert ? $"      cert_file: {pki.P("client.pem")}\n      key_file: {pki.P("client-key.pem")}" : "")}
            {(serverName is null ? "" : $"      server_name: {serverName}")}
                  insecure_skip_verify: {(insecure ? "true" : "false")}
                static_configs: [{"{"}targets: ['x:1']{"}"}]
            """;
        return Load(yaml).ScrapeConfigs![0].HttpClientConfig;
    }

    [Fact]
    public async Task MutualTlsTarget()
    {
        using var pki = new Pki();
        await using var server = new TestHttpServer(_ => new TestResponse(Body: "tls_ok 1\n"), pki.Server, requireClientCertificate: true);
        var store = new RecordingAppendable();
        var r = await HttpLoop(Target("https", server.Address), store, Tls(pki)).ScrapeAndReportAsync();
        Assert.True(r.Up, r.Error);
        Assert.Equal(1, store.Last("tls_ok"));
        Assert.Equal("CN=scraper", server.Requests[0].ClientCertificate!.Subject);
    }

    [Fact]
    public async Task TlsFailuresAreReported()
    {
        using var pki = new Pki();
        await using var server = new TestHttpServer(_ => new TestResponse(Body: "tls_ok 1\n"), pki.Server, requireClientCertificate: true);
        var store = new RecordingAppendable();
        // Unknown CA.
        var r1 = await HttpLoop(Target("https", server.Address), store, Tls(pki, ca: "other-ca.pem")).ScrapeAndReportAsync();
        Assert.False(r1.Up);
        Assert.Contains("SSL", r1.Error, StringComparison.OrdinalIgnoreCase);
        // Name mismatch without server_name (the certificate is for target.test, not 127.0.0.1).
        var r2 = await HttpLoop(Target("https", server.Address), store, Tls(pki, serverName: null)).ScrapeAndReportAsync();
        Assert.False(r2.Up);
        // No client certificate: the server refuses the handshake.
        var r3 = await HttpLoop(Target("https", server.Address), store, Tls(pki, clientCert: false)).ScrapeAndReportAsync();
        Assert.False(r3.Up);
        // insecure_skip_verify accepts any server certificate.
        var r4 = await HttpLoop(Target("https", server.Address), store, Tls(pki, ca: "other-ca.pem", serverName: null, insecure: true)).ScrapeAndReportAsync();
        Assert.True(r4.Up, r4.Error);
        Assert.Null(store.Find("tls_ok", "x", "y"));
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }

    [NodeExporterFact]
    public async Task DebianNodeExporter()
    {
        int port = FreePort();
        using var proc = Process.Start(new ProcessStartInfo(NodeExporterFactAttribute.Binary, $"--web.listen-address=127.0.0.1:{port}")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        proc.ErrorDataReceived += (_, _) => { };
        proc.OutputDataReceived += (_, _) => { };
        proc.BeginErrorReadLine();
        proc.BeginOutputReadLine();
        try
        {
            var address = $"127.0.0.1:{port}";
            await ScrapeManagerTests.WaitFor(() =>
            {
                try
                {
                    using var c = new TcpClient();
                    c.Connect(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, "node_exporter listening", 15000);
            var store = new RecordingAppendable();
            var r = await HttpLoop(Target("http", address, TimeSpan.FromSeconds(4)), store).ScrapeAndReportAsync();
            Assert.True(r.Up, r.Error);
            Assert.True(r.Scraped > 100, $"only {r.Scraped} samples");
            Assert.NotNull(store.Find("node_exporter_build_info"));
            Assert.NotNull(store.Find("node_cpu_seconds_total"));
            Assert.Equal(1, store.Last("up"));
            // A second scrape adds no new series for a stable exporter (most series are reused from the cache).
            var r2 = await HttpLoop(Target("http", address, TimeSpan.FromSeconds(4)), store).ScrapeAndReportAsync();
            Assert.True(r2.Up, r2.Error);
        }
        finally
        {
            proc.Kill();
            await proc.WaitForExitAsync();
        }
    }
}
