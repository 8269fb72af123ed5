using Portal.Config;
using Portal.Ingest.Scrape;

namespace Portal.Ingest.Tests;

/// <summary>Hosted mode's public-address rule applied when a scrape connects, whatever the configuration said.</summary>
public sealed class HostedScrapeTests
{
    [Fact]
    public async Task ALoopbackTargetIsRefusedAtConnectTimeAndReportedOnTheTarget()
    {
        await using var server = new TestHttpServer(_ => new TestResponse(Body: "secret_metric 1\n"));
        var store = new RecordingAppendable();
        using var m = new ScrapeManager(store, new ScrapeManagerOptions { ConnectCallback = HostedNetwork.ConnectCallback() });
        m.ApplyConfig($"""
            global:
              scrape_interval: 200ms
              scrape_timeout: 150ms
            scrape_configs:
              - job_name: app
                static_configs:
                  - targets: ['{server.Address}']
            """);
        var t = Assert.Single(m.ActiveTargets());

        await ScrapeManagerTests.WaitFor(() => t.State.Health == TargetHealth.Down, "the scrape to fail");

        Assert.Contains("refused to connect", t.State.LastError);
        Assert.Contains("loopback", t.State.LastError);
        Assert.Empty(server.Requests);
        Assert.Null(store.Find("secret_metric"));
        Assert.Equal(0, store.Last("up"));
    }
}
