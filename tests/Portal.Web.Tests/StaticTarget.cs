using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Web.Tests;

/// <summary>A target serving a fixed text-format payload on a free loopback port until disposed.</summary>
public sealed class StaticTarget : IDisposable
{
    private readonly HttpListener _listener = new();
    public int Port { get; }

    public StaticTarget(string payload)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                var bytes = Encoding.UTF8.GetBytes(payload);
                ctx.Response.ContentType = "text/plain; version=0.0.4";
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
        });
    }

    public void Dispose() => _listener.Close();
}
