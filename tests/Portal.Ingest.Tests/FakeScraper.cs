using System.Text;
using Portal.Ingest.Scrape;

namespace Portal.Ingest.Tests;

/// <summary>A scraper that "fetches" <see cref="Body"/> with <see cref="ContentType"/>, or fails with <see cref="Fail"/> when set.</summary>
internal sealed class FakeScraper : ITargetScraper
{
    public string Body = "";
    public string? ContentType = "text/plain; version=0.0.4";
    public string? Fail;

    public Task<string?> ScrapeAsync(ScrapeTarget target, ScrapeBuffer buffer, TimeSpan timeout, CancellationToken ct)
    {
        if (Fail is not null) throw new ScrapeException(Fail);
        var b = Encoding.UTF8.GetBytes(Body);
        buffer.Length = 0;
        buffer.EnsureSpare(b.Length);
        b.CopyTo(buffer.Data, 0);
        buffer.Length = b.Length;
        return Task.FromResult(ContentType);
    }
}
