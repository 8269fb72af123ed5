using Portal.Config.Prometheus;
using Portal.Tenancy;

namespace Portal.Web.Tests;

/// <summary>Applying a tenant's prometheus.yml keeps unchanged remote write queues running, as Prometheus does.</summary>
public sealed class RemoteWriteQueueReloadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "portal-rw-reload-" + Guid.NewGuid().ToString("N"));

    private static PrometheusConfig Config(string urls, string externalLabel = "eu")
    {
        var yaml = $"global:\n  external_labels:\n    region: {externalLabel}\nremote_write:\n" +
            string.Concat(urls.Split(',').Select(u => $"  - url: {u}\n"));
        var loaded = PrometheusConfigLoader.Load(yaml, "prometheus.yml");
        Assert.True(loaded.Success, string.Join("\n", loaded.Errors.Select(e => e.ToString())));
        return loaded.Config!;
    }

    [Fact]
    public void UnchangedQueuesKeepRunningChangedOnesAreReplaced()
    {
        using var registry = new TenantEngineRegistry(_dir, _ => new TenantLimits());
        var push = registry.Get("reload").Push;
        push.ApplyConfig(Config("http://127.0.0.1:9/a,http://127.0.0.1:9/b"));
        var first = push.RemoteWriteQueues.ToList();
        Assert.Equal(2, first.Count);

        push.ApplyConfig(Config("http://127.0.0.1:9/b,http://127.0.0.1:9/c"));
        var second = push.RemoteWriteQueues.ToList();
        Assert.Same(first[1], second[0]);
        Assert.DoesNotContain(second[1], first);

        push.ApplyConfig(Config("http://127.0.0.1:9/b,http://127.0.0.1:9/c", externalLabel: "us"));
        Assert.Empty(push.RemoteWriteQueues.Intersect(second));

        push.ApplyConfig(Config("http://127.0.0.1:9/b", externalLabel: "us"));
        Assert.Single(push.RemoteWriteQueues);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
