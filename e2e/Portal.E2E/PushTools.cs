using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Portal.E2E;

/// <summary>Helpers for the push-path checks: a provisioned tenant with a fixed token, external programs, polling queries.</summary>
public static class PushTools
{
    public const string Tenant = "pushers";
    public const string Token = "pushers-write-token-0123456789abcdef";

    /// <summary>A provisioning folder with one tenant whose token has the read, write and admin scopes.</summary>
    public static string ProvisioningFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-push-prov-" + Guid.NewGuid().ToString("N"));
        var tenantDir = Path.Combine(dir, "tenants", Tenant);
        Directory.CreateDirectory(tenantDir);
        File.WriteAllText(Path.Combine(tenantDir, "tenant.yml"), $"""
            name: Pushers
            api_tokens:
              - name: pusher
                token: "{Token}"
                scopes: [read, write, admin]
            """);
        return dir;
    }

    public static HttpClient Client(string baseUrl)
    {
        var c = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Tenant}:{Token}")));
        return c;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The result array of an instant query, or an empty array.</summary>
    public static async Task<JsonElement> QueryAsync(HttpClient c, string query)
    {
        var r = await c.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        return json.TryGetProperty("data", out var d) ? d.GetProperty("result") : JsonDocument.Parse("[]").RootElement;
    }

    /// <summary>Polls <paramref name="query"/> until it returns a series or <paramref name="timeout"/> passes.</summary>
    public static async Task<JsonElement> WaitForSeriesAsync(HttpClient c, string query, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(c, query);
            if (result.GetArrayLength() > 0 || DateTime.UtcNow > deadline) return result;
            await Task.Delay(500);
        }
    }

    /// <summary>Runs a program to completion; returns its exit code and combined output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string file, string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await outTask + await errTask);
    }
}

/// <summary>A long-running external program (Prometheus, node_exporter) started for a test and killed on dispose.</summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public ExternalProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A fact skipped, with the reason, when an external program it needs is not installed.</summary>
public sealed class NeedsProgramsFactAttribute : FactAttribute
{
    public NeedsProgramsFactAttribute(params string[] files)
    {
        foreach (var f in files)
            if (!File.Exists(f))
            {
                Skip = $"needs {f} (Debian package), absent here";
                return;
            }
    }
}

/// <summary>A fact skipped when python3 cannot import prometheus_client (Debian python3-prometheus-client).</summary>
public sealed class NeedsPythonClientFactAttribute : FactAttribute
{
    public NeedsPythonClientFactAttribute()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            Skip = "needs /usr/bin/python3, absent here";
            return;
        }
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import prometheus_client"]) { RedirectStandardError = true })!;
        p.WaitForExit(30_000);
        if (!p.HasExited || p.ExitCode != 0) Skip = "needs the python3 prometheus_client module (Debian python3-prometheus-client), absent here";
    }
}
