using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Hosting;
using Xunit.Abstractions;

namespace Portal.Web.Tests.ApiDocs;

/// <summary>A fact skipped (with the reason) when Prometheus's api.md in ../shared is missing.</summary>
public sealed class ApiDocFactAttribute : FactAttribute
{
    public ApiDocFactAttribute()
    {
        if (ApiDocExamples.Locate() is null) Skip = "needs ../shared/upstream/prometheus/docs/querying/api.md, absent here";
    }
}

/// <summary>
/// Runs every request documented in Prometheus's HTTP API page against a tenant holding matching data and compares
/// each answer with the documented one field by field (shape and fixed values, see <see cref="JsonShape"/>).
/// </summary>
public sealed class ApiDocExampleTests(PortalFactory factory, ITestOutputHelper output) : IClassFixture<PortalFactory>
{
    /// <summary>Documented endpoints this portal does not serve, with why.</summary>
    private static readonly Dictionary<string, string> NotServed = new(StringComparer.Ordinal)
    {
        ["/api/v1/search/"] = "search endpoints are experimental upstream (behind a feature flag)",
        ["/api/v1/scrape_pools"] = "scrape pool listing is newer than the API Grafana uses",
        ["/api/v1/targets/relabel_steps"] = "relabel steps are shown on the Targets page instead",
        ["/api/v1/alertmanagers"] = "rules notify the tenant's own Alertmanager, not a discovered list",
        ["/api/v1/status/tsdb/blocks"] = "block listing is an operator view",
        ["/api/v1/status/walreplay"] = "WAL replay progress is logged, not served",
        ["/api/v1/status/self_metrics"] = "self metrics are served on /metrics",
        ["/api/v1/admin/tsdb/snapshot"] = "snapshots are an operator task (copy the tenant folder)",
        ["/api/v1/admin/tsdb/clean_tombstones"] = "tombstones are cleaned by compaction",
        ["/api/v1/notifications"] = "server notifications are shown in the portal's pages",
        ["/api/v1/features"] = "feature listing is newer than the API Grafana uses",
    };

    /// <summary>
    /// Documented examples whose answer here differs from the page for a reason that Prometheus itself shares; each is
    /// reported, and counted apart from the matches.
    /// </summary>
    private static readonly Dictionary<string, string> Explained = new(StringComparer.Ordinal)
    {
        ["/api/v1/label/U__http_2e_status_code/values"] =
            "the page encodes \"http.status_code\" with a single '_' where its own rules need \"__\"; Prometheus's decoder then keeps the name as written and answers [] too (the correct spelling is checked below)",
        ["/api/v1/query_exemplars"] =
            "exemplars are not stored, which is Prometheus's default (exemplar storage is behind --enable-feature=exemplar-storage); the answer is the same empty list",
    };

    /// <summary>Endpoints whose data object is keyed by data (metric or flag names).</summary>
    private static readonly HashSet<string> DataIsMap = new(StringComparer.Ordinal) { "/api/v1/metadata", "/api/v1/status/flags" };

    private const string Rules = """
        groups:
          - name: example
            rules:
              - alert: HighErrorRate
                expr: vector(1)
                labels:
                  severity: page
                annotations:
                  summary: High request latency
              - record: job:http_inprogress_requests:sum
                expr: sum by (job) (http_inprogress_requests)
        """;

    private const string TargetPayload = """
        # HELP go_goroutines Number of goroutines that currently exist.
        # TYPE go_goroutines gauge
        go_goroutines 42
        # HELP http_requests_total Count of all HTTP requests
        # TYPE http_requests_total counter
        http_requests_total{code="200"} 10
        # HELP prometheus_build_info A metric with a constant '1' value labeled by version, revision, branch, and goversion.
        # TYPE prometheus_build_info gauge
        prometheus_build_info{version="3.0.0"} 1

        """;

    [ApiDocFact]
    public async Task EveryDocumentedExampleOfAServedEndpointAnswersInTheDocumentedShape()
    {
        var examples = ApiDocExamples.Parse(await File.ReadAllTextAsync(ApiDocExamples.Locate()!));
        Assert.True(examples.Count >= 30, $"only {examples.Count} examples found in api.md; has its layout changed?");

        using var target = new StaticTarget(TargetPayload);
        var tenant = "docs-" + Guid.NewGuid().ToString("N")[..8];
        using var client = factory.ClientWithToken(await factory.TokenAsync(tenant, TokenScopes.Read | TokenScopes.Admin));
        await SeedAsync(tenant, target.Port);

        int matched = 0, statusOnly = 0;
        var failures = new List<string>();
        var explained = new List<string>();
        var skipped = new List<string>();
        foreach (var ex in examples)
        {
            var reason = NotServed.FirstOrDefault(p => ex.Path.StartsWith(p.Key, StringComparison.Ordinal)).Value;
            if (reason is not null)
            {
                skipped.Add($"{ex}: {reason}");
                continue;
            }
            var ps = ApiDocExamples.ShiftTimes(ex.Parameters, DateTimeOffset.UtcNow);
            using var response = await SendAsync(client, ex, ps);
            var body = await response.Content.ReadAsStringAsync();
            if (ex.Response is not { } documented)
            {
                if (response.IsSuccessStatusCode) statusOnly++;
                else failures.Add($"{ex}: HTTP {(int)response.StatusCode} {body}");
                continue;
            }
            JsonElement actual;
            try
            {
                actual = JsonDocument.Parse(body).RootElement;
            }
            catch (JsonException)
            {
                failures.Add($"{ex}: HTTP {(int)response.StatusCode}, not JSON: {body}");
                continue;
            }
            var diffs = JsonShape.Differences(documented, actual, DataIsMap.Contains(ex.Path));
            if (diffs.Count == 0) matched++;
            else if (Explained.TryGetValue(ex.Path, out var why)) explained.Add($"{ex}: {why}");
            else failures.Add($"{ex}:\n    " + string.Join("\n    ", diffs) + $"\n    got: {Truncate(body)}");
        }

        output.WriteLine($"api.md: {examples.Count} examples; {matched} answered in the documented shape, {statusOnly} without a documented body succeeded, " +
                         $"{explained.Count} differ as Prometheus's own answer does, {failures.Count} differ, {skipped.Count} are of endpoints not served here.");
        foreach (var f in failures) output.WriteLine("DIFFERS " + f);
        foreach (var e in explained) output.WriteLine("EXPLAINED " + e);
        foreach (var s in skipped) output.WriteLine("NOT SERVED " + s);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(matched >= 20, $"only {matched} examples matched");

        var escaped = JsonDocument.Parse(await client.GetStringAsync("/api/v1/label/U__http_2e_status__code/values")).RootElement;
        Assert.Equal(["200"], escaped.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    private static string Truncate(string s) => s.Length <= 600 ? s : s[..600] + "…";

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, ApiDocExample ex, IReadOnlyList<KeyValuePair<string, string>> ps)
    {
        var path = ex.Path;
        if (ex.ParametersInBody)
            return await client.SendAsync(new HttpRequestMessage(new HttpMethod(ex.Method), path) { Content = new FormUrlEncodedContent(ps) });
        var query = string.Join("&", ps.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return await client.SendAsync(new HttpRequestMessage(new HttpMethod(ex.Method), query.Length == 0 ? path : path + "?" + query));
    }

    /// <summary>
    /// Gives the tenant what the documented examples ask about: the series their queries name (sampled over the
    /// last minute), a scraped target with metadata, a dropped target, and a firing alert with a recording rule.
    /// </summary>
    private async Task SeedAsync(string tenant, int port)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var samples = Enumerable.Range(0, 9).Select(i => (now - 120_000 + i * 15_000, 1.0)).ToArray();
        Labels L(params string[] kv) => Labels.FromStrings(kv);
        factory.Append(tenant, L("__name__", "up", "job", "prometheus", "instance", "localhost:9090"), samples);
        factory.Append(tenant, L("__name__", "up", "job", "node", "instance", "localhost:9091"), samples);
        factory.Append(tenant, L("__name__", "process_start_time_seconds", "job", "prometheus", "instance", "localhost:9090"), samples);
        factory.Append(tenant, L("__name__", "http_requests_total", "http_status_code", "200", "http.status_code", "200"), samples);
        factory.Append(tenant, L("__name__", "test_exemplar_metric_total", "instance", "localhost:8090", "job", "prometheus", "service", "bar"), samples);
        factory.Append(tenant, L("__name__", "http_inprogress_requests", "job", "prometheus"), samples);

        var configs = factory.Services.GetRequiredService<TenantConfigService>();
        var yaml = $"""
            scrape_configs:
              - job_name: prometheus
                scrape_interval: 5s
                static_configs:
                  - targets: ['127.0.0.1:{port}']
                    labels: {"{"}instance: '127.0.0.1:9090'{"}"}
                  - targets: ['127.0.0.1:1']
                    labels: {"{"}drop: 'yes'{"}"}
                relabel_configs:
                  - source_labels: [drop]
                    regex: 'yes'
                    action: drop
              - job_name: node_exporter
                scrape_interval: 5s
                static_configs:
                  - targets: ['127.0.0.1:{port}']
            """;
        var applied = await configs.ApplyAsync(tenant, ConfigKind.Prometheus, TenantConfigService.PrometheusDocument, yaml, "test");
        Assert.True(applied.Applied, string.Join("; ", applied.Errors));
        var rules = await configs.ApplyAsync(tenant, ConfigKind.Rules, "example.yml", Rules, "test");
        Assert.True(rules.Applied, string.Join("; ", rules.Errors));

        var engine = factory.Services.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        foreach (var g in engine.Rules.Groups) g.Evaluate(DateTimeOffset.UtcNow);
        for (int i = 0; i < 100 && !engine.Scrape.ActiveTargets().All(t => t.Metadata.Count > 0); i++) await Task.Delay(200);
    }
}
