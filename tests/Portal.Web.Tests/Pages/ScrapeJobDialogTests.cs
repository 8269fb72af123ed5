using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Config.Prometheus;
using Portal.Web.Components.Shared;
using Portal.Web.Hosting;

namespace Portal.Web.Tests.Pages;

/// <summary>The add/edit target form: what it sends, and how it shows what was refused.</summary>
public sealed class ScrapeJobDialogTests : IAsyncLifetime
{
    private readonly PageTestContext _t = new();

    public Task InitializeAsync() => _t.InitializeAsync();

    public Task DisposeAsync() => _t.DisposeAsync();

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync(Func<SimpleScrapeJob, Task<ScrapeJobChange>> save, SimpleScrapeJob? initial = null)
    {
        var provider = _t.Ctx.Render<MudDialogProvider>();
        var dialogs = _t.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ScrapeJobDialog> { { d => d.Save, save } };
        if (initial is not null)
        {
            parameters.Add(d => d.Initial, initial);
            parameters.Add(d => d.Editing, initial.JobName);
        }
        await provider.InvokeAsync(() => dialogs.ShowAsync<ScrapeJobDialog>("Add scrape targets", parameters));
        return provider;
    }

    private static ScrapeJobChange Ok() => new(new Dictionary<string, string>(), new ConfigApplyResult(null, [], false));

    [Fact]
    public async Task SendsTheFormAsAJobAndClosesWhenApplied()
    {
        SimpleScrapeJob? sent = null;
        var provider = await OpenAsync(job => { sent = job; return Task.FromResult(Ok()); });
        provider.Find("#job-name").Input("node");
        provider.Find("#job-targets").Input("10.0.0.5:9100\n10.0.0.6:9100");
        provider.Find("#job-interval").Input("15s");
        provider.Find("#job-labels").Input("env=prod\nteam = db");
        provider.Find("[data-testid=job-save]").Click();
        provider.WaitForAssertion(() => Assert.NotNull(sent));
        Assert.Equal("node", sent!.JobName);
        Assert.Equal(["10.0.0.5:9100", "10.0.0.6:9100"], sent.Targets);
        Assert.Equal("15s", sent.ScrapeInterval);
        Assert.Equal("prod", sent.Labels["env"]);
        Assert.Equal("db", sent.Labels["team"]);
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("#job-name")));
    }

    [Fact]
    public async Task ShowsFieldAndFileErrorsAndStaysOpen()
    {
        int calls = 0;
        var provider = await OpenAsync(_ =>
        {
            calls++;
            return Task.FromResult(calls == 1
                ? new ScrapeJobChange(new Dictionary<string, string> { ["job"] = "A job named \"node\" exists already" }, null)
                : new ScrapeJobChange(new Dictionary<string, string>(), new ConfigApplyResult(null,
                    [new Portal.Config.ConfigError("prometheus.yml", 7, 22, "scrape_interval 1ms is shorter than this tenant's minimum")], false)));
        });
        provider.Find("#job-name").Input("node");
        provider.Find("#job-targets").Input("x:1");
        provider.Find("[data-testid=job-save]").Click();
        provider.WaitForAssertion(() => Assert.Contains("exists already", provider.Markup));
        provider.Find("[data-testid=job-save]").Click();
        provider.WaitForAssertion(() => Assert.Contains("prometheus.yml:7:22", provider.Find("[data-testid=job-error]").TextContent));
        Assert.Single(provider.FindAll("#job-name"));
    }

    [Fact]
    public async Task ABadLabelLineIsRefusedBeforeAnythingIsSent()
    {
        bool called = false;
        var provider = await OpenAsync(_ => { called = true; return Task.FromResult(Ok()); });
        provider.Find("#job-name").Input("node");
        provider.Find("#job-targets").Input("x:1");
        provider.Find("#job-labels").Input("no-equals-sign");
        provider.Find("[data-testid=job-save]").Click();
        provider.WaitForAssertion(() => Assert.Contains("is not name=value", provider.Markup));
        Assert.False(called);
    }

    [Fact]
    public async Task EditingStartsFromTheJobsValues()
    {
        var provider = await OpenAsync(_ => Task.FromResult(Ok()), new SimpleScrapeJob
        {
            JobName = "node", Targets = ["a:1", "b:2"], BearerToken = "tok", MetricsPath = "/m",
        });
        Assert.Equal("node", provider.Find("#job-name").GetAttribute("value"));
        Assert.Equal("/m", provider.Find("#job-path").GetAttribute("value"));
        Assert.Single(provider.FindAll("#job-token"));
        Assert.Contains("Edit job node", provider.Markup);
    }
}
