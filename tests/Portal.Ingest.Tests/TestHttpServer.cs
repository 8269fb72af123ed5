using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portal.Ingest.Tests;

/// <summary>A request as the test server saw it.</summary>
public sealed record TestRequest(string Method, string Target, Dictionary<string, string> Headers, X509Certificate2? ClientCertificate);

/// <summary>What the test server answers.</summary>
public sealed record TestResponse(int Status = 200, string? ContentType = "text/plain; version=0.0.4; charset=utf-8", string Body = "", TimeSpan Delay = default, string? Location = null, bool Gzip = false);

/// <summary>
/// A minimal HTTP/1.1 server on loopback (plain or TLS, optionally requiring client certificates): one request per
/// connection, answered by a handler. Enough to act as a scrape target or an HTTP SD endpoint.
/// </summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<TestRequest, TestResponse> _handler;
    private readonly X509Certificate2? _cert;
    private readonly bool _requireClientCert;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _accept;

    public List<TestRequest> Requests { get; } = new();

    public TestHttpServer(Func<TestRequest, TestResponse> handler, X509Certificate2? serverCertificate = null, bool requireClientCertificate = false)
    {
        _handler = handler;
        _cert = serverCertificate;
        _requireClientCert = requireClientCertificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient c;
            try
            {
                c = await _listener.AcceptTcpClientAsync(_cts.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Serve(c));
        }
    }

    private async Task Serve(TcpClient c)
    {
        using var _ = c;
        try
        {
            Stream s = c.GetStream();
            X509Certificate2? clientCert = null;
            if (_cert is not null)
            {
                var ssl = new SslStream(s, false, (_, cert, _, errors) => !_requireClientCert || cert is not null);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _cert,
                    ClientCertificateRequired = _requireClientCert,
                }, _cts.Token);
                if (ssl.RemoteCertificate is { } rc) clientCert = rc as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(rc.GetRawCertData());
                if (_requireClientCert && clientCert is null) return;
                s = ssl;
            }
            var head = new StringBuilder();
            var buf = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await s.ReadAsync(buf, _cts.Token) == 0) return;
                head.Append((char)buf[0]);
            }
            var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var first = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var l in lines.Skip(1))
            {
                int i = l.IndexOf(':');
                if (i > 0) headers[l[..i].Trim()] = l[(i + 1)..].Trim();
            }
            var req = new TestRequest(first[0], first[1], headers, clientCert);
            lock (Requests) Requests.Add(req);
            var resp = _handler(req);
            if (resp.Delay > TimeSpan.Zero) await Task.Delay(resp.Delay, _cts.Token);
            var body = Encoding.UTF8.GetBytes(resp.Body);
            if (resp.Gzip)
            {
                using var ms = new MemoryStream();
                using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, true)) gz.Write(body);
                body = ms.ToArray();
            }
            var sb = new StringBuilder();
            sb.Append($"HTTP/1.1 {resp.Status} {ReasonPhrase(resp.Status)}\r\n");
            if (resp.ContentType is not null) sb.Append($"Content-Type: {resp.ContentType}\r\n");
            if (resp.Location is not null) sb.Append($"Location: {resp.Location}\r\n");
            if (resp.Gzip) sb.Append("Content-Encoding: gzip\r\n");
            sb.Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await s.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()), _cts.Token);
            await s.WriteAsync(body, _cts.Token);
            await s.FlushAsync(_cts.Token);
        }
        catch (Exception)
        {
            // The client went away or the test ended.
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }
        _cts.Dispose();
    }
}
