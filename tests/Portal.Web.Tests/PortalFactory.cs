using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Portal.Web.Tests;

/// <summary>Hosts the real portal in-process with its storage in a throwaway folder.</summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "portal-web-tests-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Path", StoragePath);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(StoragePath)) Directory.Delete(StoragePath, recursive: true);
    }
}
