using Portal.Config.Prometheus;

namespace Portal.Config.Tests;

public class PrometheusLoaderTests
{
    [Fact]
    public void EmptyDocumentGivesDefaults()
    {
        var r = PrometheusConfigLoader.Load("", "p.yml");
        Assert.True(r.Success);
        var g = r.Config!.Global!;
        Assert.Equal("1m", g.ScrapeInterval.ToString());
        Assert.Equal("10s", g.ScrapeTimeout.ToString());
        Assert.Equal("1m", g.EvaluationInterval.ToString());
    }

    [Fact]
    public void ScrapeConfigInheritsGlobalsAndDefaults()
    {
        var r = PrometheusConfigLoader.Load("""
            global:
              scrape_interval: 15s
              sample_limit: 100
            scrape_configs:
              - job_name: a
                static_configs:
                  - targets: ['localhost:9090']
              - job_name: b
                scrape_interval: 5s
            """, "p.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var a = r.Config!.ScrapeConfigs![0];
        Assert.Equal("15s", a.ScrapeInterval.ToString());
        Assert.Equal("10s", a.ScrapeTimeout.ToString());
        Assert.Equal(100u, a.SampleLimit);
        Assert.Equal("/metrics", a.MetricsPath);
        Assert.Equal("http", a.Scheme);
        Assert.True(a.HonorTimestamps);
        Assert.True(a.HttpClientConfig.FollowRedirects);
        var b = r.Config.ScrapeConfigs[1];
        Assert.Equal("5s", b.ScrapeTimeout.ToString());
    }

    [Fact]
    public void EveryErrorIsListedWithLineAndColumn()
    {
        var r = PrometheusConfigLoader.Load("""
            global:
              scrape_intervall: 15s
            scrape_configs:
              - job_name: a
                scrape_interval: 5x
              - job_name: a
                relabel_configs:
                  - action: hashmod
                    target_label: t
            """, "prom.yml");
        Assert.False(r.Success);
        var text = r.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("prom.yml:2:3: field scrape_intervall not found in type global_config (did you mean scrape_interval?)", text);
        Assert.Contains(text, t => t.StartsWith("prom.yml:5:22: scrape_interval: not a valid duration string", StringComparison.Ordinal));
        Assert.Contains("prom.yml:6:15: found multiple scrape configs with job name \"a\"", text);
        Assert.Contains("prom.yml:8:17: relabel configuration for hashmod requires non-zero modulus", text);
    }

    [Fact]
    public void SyntaxErrorHasPosition()
    {
        var r = PrometheusConfigLoader.Load("global:\n  scrape_interval: [1m\n", "x.yml");
        Assert.False(r.Success);
        Assert.Single(r.Errors);
        Assert.StartsWith("YAML syntax error", r.Errors[0].Message);
        Assert.True(r.Errors[0].Line >= 2);
    }

    [Fact]
    public void BearerTokenBecomesAuthorization()
    {
        var r = PrometheusConfigLoader.Load("scrape_configs:\n  - job_name: a\n    bearer_token: tok\n", "p.yml");
        Assert.True(r.Success);
        var auth = r.Config!.ScrapeConfigs![0].HttpClientConfig.Authorization!;
        Assert.Equal("Bearer", auth.Type);
        Assert.Equal("tok", auth.Credentials!.Value);
        Assert.Null(r.Config.ScrapeConfigs[0].HttpClientConfig.BearerToken);
    }

    [Fact]
    public void QueryLogFileIsIgnoredWithANote()
    {
        var r = PrometheusConfigLoader.Load("global:\n  query_log_file: q.log\n", "p.yml");
        Assert.True(r.Success);
        Assert.Contains(r.Notes, n => n.Message.Contains("query_log_file is ignored", StringComparison.Ordinal) && n.Line == 2);
    }

    [Theory]
    [InlineData("body_size_limit: 15MB", 15L << 20)]
    [InlineData("body_size_limit: 1KiB", 1024L)]
    [InlineData("body_size_limit: 0B", 0L)]
    public void ByteSizes(string line, long bytes)
    {
        var r = PrometheusConfigLoader.Load("global:\n  " + line + "\n", "p.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        Assert.Equal(bytes, r.Config!.Global!.BodySizeLimit.Bytes);
    }
}
