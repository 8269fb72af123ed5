using Microsoft.Extensions.DependencyInjection;
using Portal.Config.Prometheus;
using Portal.Data;
using Portal.Tenancy;
using Portal.Web.Hosting;

namespace Portal.Web.Tests;

/// <summary>The target form's service: each change is a validated revision of the tenant's own prometheus.yml.</summary>
public sealed class ScrapeJobServiceTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private ScrapeJobService Jobs => factory.Services.GetRequiredService<ScrapeJobService>();
    private ConfigRevisionStore Revisions => factory.Services.GetRequiredService<ConfigRevisionStore>();

    private async Task<string> TenantAsync()
    {
        var id = "jobs-" + Guid.NewGuid().ToString("N")[..8];
        await factory.Services.GetRequiredService<TenantService>().CreateAsync(id, id, null);
        return id;
    }

    private static SimpleScrapeJob Job(string name, params string[] targets) => new() { JobName = name, Targets = [.. targets], ScrapeInterval = "30s" };

    [Fact]
    public async Task AddEditAndRemoveAreRevisionsOfTheTenantsOwnConfig()
    {
        string a = await TenantAsync(), b = await TenantAsync();
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        await configs.ApplyAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, "# ours\nglobal:\n  scrape_interval: 1m\n", "alice");

        var added = await Jobs.AddAsync(a, Job("node", "http://127.0.0.1:1/metrics"), "alice");
        Assert.True(added.Applied, string.Join("; ", added.Problems));
        var running = await Revisions.CurrentAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument);
        Assert.Equal("alice", running!.Author);
        Assert.StartsWith("# ours\n", running.Yaml);
        var engines = factory.Services.GetRequiredService<TenantEngineRegistry>();
        var target = Assert.Single(engines.Get(a).Scrape.ActiveTargets());
        Assert.Equal("node", target.ScrapePool);
        Assert.Equal("http://127.0.0.1:1/metrics", target.Url.ToString());
        Assert.Empty(engines.Get(b).Scrape.ActiveTargets());
        Assert.Empty(await Jobs.JobsAsync(b));

        var entry = Assert.Single(await Jobs.JobsAsync(a));
        Assert.NotNull(entry.Form);
        var edited = entry.Form!;
        edited.Targets = ["127.0.0.1:2", "127.0.0.1:3"];
        var replaced = await Jobs.ReplaceAsync(a, "node", edited, "bob");
        Assert.True(replaced.Applied, string.Join("; ", replaced.Problems));
        Assert.Equal(2, engines.Get(a).Scrape.ActiveTargets().Count);
        Assert.Equal(3, (await Revisions.HistoryAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument)).Count);

        var removed = await Jobs.RemoveAsync(a, "node", "bob");
        Assert.True(removed.Applied);
        Assert.Empty(engines.Get(a).Scrape.ActiveTargets());
        Assert.Empty(await Jobs.JobsAsync(a));
    }

    [Fact]
    public async Task FieldErrorsRecordNothing()
    {
        var a = await TenantAsync();
        Assert.True((await Jobs.AddAsync(a, Job("node", "127.0.0.1:9100"), "alice")).Applied);
        var before = await Revisions.HistoryAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument);

        var duplicate = await Jobs.AddAsync(a, Job("node", "127.0.0.1:9101"), "alice");
        Assert.False(duplicate.Applied);
        Assert.Contains("exists already", duplicate.FieldErrors["job"]);
        var badTarget = await Jobs.AddAsync(a, Job("other", "not a target"), "alice");
        Assert.Contains("targets", badTarget.FieldErrors.Keys);
        var missing = await Jobs.ReplaceAsync(a, "gone", Job("gone", "127.0.0.1:1"), "alice");
        Assert.Contains("reload the page", missing.FieldErrors["job"]);

        var after = await Revisions.HistoryAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument);
        Assert.Equal(before.Count, after.Count);
    }

    [Fact]
    public async Task AWholeFileErrorLeavesTheRunningConfigInPlace()
    {
        var a = await TenantAsync();
        Assert.True((await Jobs.AddAsync(a, Job("node", "127.0.0.1:9100"), "alice")).Applied);
        var running = await Revisions.CurrentAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument);

        var tooFast = Job("fast", "127.0.0.1:9200");
        tooFast.ScrapeInterval = "1ms";
        var change = await Jobs.AddAsync(a, tooFast, "alice");
        Assert.False(change.Applied);
        Assert.Contains(change.Problems, p => p.Contains("shorter than this tenant's minimum", StringComparison.Ordinal));
        Assert.Equal(running!.Id, (await Revisions.CurrentAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument))!.Id);
        Assert.Equal(["node"], (await Jobs.JobsAsync(a)).Select(j => j.JobName));
    }

    [Fact]
    public async Task JobsTheFormCannotRepresentAreListedWithoutAForm()
    {
        var a = await TenantAsync();
        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        const string yaml = "scrape_configs:\n  - job_name: relabeled\n    static_configs:\n      - targets: ['127.0.0.1:1']\n    relabel_configs:\n      - target_label: env\n        replacement: prod\n";
        Assert.True((await configs.ApplyAsync(a, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, yaml, "alice")).Applied);
        var entry = Assert.Single(await Jobs.JobsAsync(a));
        Assert.Null(entry.Form);
        var removed = await Jobs.RemoveAsync(a, "relabeled", "alice");
        Assert.True(removed.Applied);
    }
}
