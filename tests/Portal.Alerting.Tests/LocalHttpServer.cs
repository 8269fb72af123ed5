using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Alerting.Tests;

/// <summary>A real HTTP server on loopback recording every request body; answers with a programmable status and body.</summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public sealed record Received(string Method, string Path, string ContentType, string UserAgent, string? Authorization, string Body);

    public ConcurrentQueue<Received> Requests { get; } = new();
    public Func<int, (int Status, string ContentType, string Body)> Respond { get; set; } = _ => (200, "text/plain", "ok");
    public string Url { get; }
    private int _count;

    public LocalHttpServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
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
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Requests.Enqueue(new Received(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, ctx.Request.ContentType ?? "",
                ctx.Request.UserAgent ?? "", ctx.Request.Headers["Authorization"], body));
            var (status, type, text) = Respond(Interlocked.Increment(ref _count));
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = type;
            var bytes = Encoding.UTF8.GetBytes(text);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
