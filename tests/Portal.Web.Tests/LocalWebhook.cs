using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Web.Tests;

/// <summary>A webhook receiver on loopback that keeps every request body and answers 200.</summary>
public sealed class LocalWebhook : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public ConcurrentQueue<string> Bodies { get; } = new();

    /// <summary>The Authorization header of each request (empty when there was none), in arrival order.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();
    public string Url { get; }

    public LocalWebhook()
    {
        Url = $"http://127.0.0.1:{FreePort()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A loopback port nothing listens on (free a moment ago).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Authorizations.Enqueue(ctx.Request.Headers["Authorization"] ?? "");
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            Bodies.Enqueue(await reader.ReadToEndAsync());
            ctx.Response.StatusCode = 200;
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
