using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.E2E;

/// <summary>
/// A portal started as its own process (the build output of src/Portal.Web) on a free loopback
/// port with a throwaway storage folder. Disposing stops it and deletes the folder.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public string BaseUrl { get; }
    public string StoragePath { get; }

    /// <summary>Everything the process printed so far, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    private PortalProcess(Process process, string baseUrl, string storagePath)
    {
        _process = process;
        BaseUrl = baseUrl;
        StoragePath = storagePath;
    }

    /// <summary>Starts a portal and waits until /-/ready answers. <paramref name="extraArgs"/> are passed as --Key=value settings.</summary>
    public static async Task<PortalProcess> StartAsync(string scheme = "http", params string[] extraArgs)
    {
        var dll = RepoPaths.PortalWebDll();
        var port = FreePort();
        var storage = Path.Combine(Path.GetTempPath(), "portal-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(storage);
        var baseUrl = $"{scheme}://127.0.0.1:{port}";

        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = storage,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(dll);
        if (scheme == "http") psi.ArgumentList.Add($"--urls={baseUrl}");
        else psi.ArgumentList.Add($"--Kestrel:Endpoints:Https:Url={baseUrl}");
        psi.ArgumentList.Add($"--Storage:Path={storage}");
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the portal");
        var portal = new PortalProcess(process, baseUrl, storage);
        process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the portal exited with code {process.ExitCode}:\n{portal.Log}");
            try
            {
                var r = await client.GetAsync(baseUrl + "/-/ready");
                if (r.StatusCode == HttpStatusCode.OK) return portal;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await portal.DisposeAsync();
        throw new TimeoutException($"the portal did not become ready within 60 s:\n{portal.Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(StoragePath, recursive: true); } catch (IOException) { }
    }
}
