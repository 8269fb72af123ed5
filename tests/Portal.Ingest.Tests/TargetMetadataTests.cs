using Portal.Ingest.Scrape;
using Portal.Model;

namespace Portal.Ingest.Tests;

/// <summary>The metadata a scrape loop keeps per target from TYPE, HELP and UNIT lines, as the metadata APIs serve it.</summary>
public class TargetMetadataTests
{
    private static ScrapeTarget Target() =>
        new(Labels.FromStrings("__address__", "host:9100", "job", "node", "instance", "host:9100"), Labels.Empty, "node",
            new Uri("http://host:9100/metrics"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task TypeHelpAndUnitAreKeptPerFamilySortedByName()
    {
        var scraper = new FakeScraper
        {
            Body = "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.5\n" +
                   "# HELP http_requests_total Requests \\\\ by \"code\".\\nSecond line.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 3\n" +
                   "# HELP only_help Has no TYPE line.\nonly_help 1\nno_metadata 2\n",
        };
        var target = Target();
        using var loop = new ScrapeLoop(target, new RecordingAppendable(), scraper, new ScrapeOptions());
        Assert.Empty(target.Metadata);

        var r = await loop.ScrapeAndReportAsync();
        Assert.True(r.Up, r.Error);
        Assert.Equal(
            [
                new MetricMetadata("http_requests_total", "counter", "Requests \\ by \"code\".\nSecond line.", ""),
                new MetricMetadata("node_load1", "gauge", "1m load average.", ""),
                new MetricMetadata("only_help", "unknown", "Has no TYPE line.", ""),
            ],
            target.Metadata);
    }

    [Fact]
    public async Task OpenMetricsUnitsAreKept()
    {
        var scraper = new FakeScraper
        {
            ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Body = "# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n# HELP process_cpu_seconds CPU time.\nprocess_cpu_seconds_total 4.5\n# EOF\n",
        };
        var target = Target();
        using var loop = new ScrapeLoop(target, new RecordingAppendable(), scraper, new ScrapeOptions());
        Assert.True((await loop.ScrapeAndReportAsync()).Up);
        Assert.Equal(new MetricMetadata("process_cpu_seconds", "counter", "CPU time.", "seconds"), Assert.Single(target.Metadata));
    }

    [Fact]
    public async Task ChangesShowAtOnceAndAVanishedFamilyIsForgottenTenScrapesLater()
    {
        var scraper = new FakeScraper { Body = "# HELP a First.\n# TYPE a gauge\na 1\n# TYPE b counter\nb 1\n" };
        var target = Target();
        using var loop = new ScrapeLoop(target, new RecordingAppendable(), scraper, new ScrapeOptions());
        await loop.ScrapeAndReportAsync();
        var first = target.Metadata;
        await loop.ScrapeAndReportAsync();
        Assert.Same(first, target.Metadata);

        scraper.Body = "# HELP a Second.\n# TYPE a gauge\na 1\n";
        await loop.ScrapeAndReportAsync();
        Assert.Equal("Second.", target.Metadata.Single(m => m.Metric == "a").Help);
        Assert.Contains(target.Metadata, m => m.Metric == "b");

        // A family is kept for ten scrapes after it was last seen and dropped on the eleventh.
        for (int i = 0; i < 9; i++) await loop.ScrapeAndReportAsync();
        Assert.Contains(target.Metadata, m => m.Metric == "b");
        await loop.ScrapeAndReportAsync();
        Assert.Equal(["a"], target.Metadata.Select(m => m.Metric));

        // Failed scrapes count as scrapes but never drop anything; the next successful one does.
        scraper.Body = "# HELP a Second.\n# TYPE a gauge\na 1\n# TYPE c gauge\nc 1\n";
        await loop.ScrapeAndReportAsync();
        scraper.Fail = "connection refused";
        for (int i = 0; i < 15; i++) Assert.False((await loop.ScrapeAndReportAsync()).Up);
        Assert.Contains(target.Metadata, m => m.Metric == "c");
        scraper.Fail = null;
        scraper.Body = "# HELP a Second.\n# TYPE a gauge\na 1\n";
        await loop.ScrapeAndReportAsync();
        Assert.Equal(["a"], target.Metadata.Select(m => m.Metric));
    }

    [Fact]
    public async Task AReloadedLoopKeepsTheMetadata()
    {
        var scraper = new FakeScraper { Body = "# TYPE a gauge\na 1\n" };
        var target = Target();
        var storage = new RecordingAppendable();
        var old = new ScrapeLoop(target, storage, scraper, new ScrapeOptions());
        await old.ScrapeAndReportAsync();
        var again = Target();
        using var loop = new ScrapeLoop(again, storage, scraper, new ScrapeOptions(), inheritFrom: old);
        Assert.Equal("gauge", Assert.Single(again.Metadata).Type);
        old.Dispose();
    }
}
