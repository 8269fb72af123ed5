using System.Diagnostics;
using System.Reflection;

namespace Portal.Web.Hosting;

/// <summary>Facts about this portal process shown on the home page and in build info. Thread-safe.</summary>
public sealed class NodeInfo(IHostEnvironment environment, IConfiguration configuration)
{
    /// <summary>The assembly version with the first 12 characters of the source revision, e.g. <c>1.0.0+a44a4ef92fa2</c>.</summary>
    public string Version { get; } = ShortVersion(
        typeof(NodeInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");

    public DateTimeOffset StartedAt { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public string Mode => configuration[$"{PortalOptions.Section}:Mode"] ?? nameof(PortalMode.SelfHosted);

    /// <summary>The absolute storage folder (Storage:Path, relative paths resolved against the content root).</summary>
    public string StoragePath { get; } = ResolveStoragePath(configuration, environment);

    /// <summary>Storage:Path made absolute: relative paths are taken from the content root (the clone's root under `dotnet run`).</summary>
    public static string ResolveStoragePath(IConfiguration configuration, IHostEnvironment environment) =>
        Path.GetFullPath(configuration["Storage:Path"] ?? "./data", environment.ContentRootPath);

    public string RuntimeVersion => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    public TimeSpan Uptime => DateTimeOffset.UtcNow - StartedAt;

    internal static string ShortVersion(string informational)
    {
        int plus = informational.IndexOf('+');
        return plus < 0 || informational.Length - plus <= 13 ? informational : informational[..(plus + 13)];
    }
}
