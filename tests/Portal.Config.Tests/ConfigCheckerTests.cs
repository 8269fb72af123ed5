namespace Portal.Config.Tests;

public sealed class ConfigCheckerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("portal-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void ValidConfigAndItsRuleFilesPass()
    {
        Write("r.yml", "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n");
        var cfg = Write("p.yml", "rule_files: ['r.yml']\nscrape_configs:\n  - job_name: a\n");
        var out_ = new StringWriter();
        var err = new StringWriter();
        Assert.True(ConfigChecker.CheckFiles(ConfigFileKind.Prometheus, [cfg], out_, err));
        Assert.Contains("SUCCESS: 1 rule files found", out_.ToString());
        Assert.Equal("", err.ToString());
    }

    [Fact]
    public void EveryErrorOfEveryFileIsListed()
    {
        var a = Write("a.yml", "global:\n  scrape_interval: 1x\n  foo: 1\n");
        var b = Write("b.yml", "scrape_configs:\n  - job_name: ''\n");
        var out_ = new StringWriter();
        var err = new StringWriter();
        Assert.False(ConfigChecker.CheckFiles(ConfigFileKind.Prometheus, [a, b], out_, err));
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(a + ":2:20:", lines[0]);
        Assert.StartsWith(a + ":3:3: field foo not found", lines[1]);
        Assert.Equal(b + ":2:15: job_name is empty", lines[2]);
    }

    [Fact]
    public void MissingFileFails()
    {
        var err = new StringWriter();
        Assert.False(ConfigChecker.CheckFiles(ConfigFileKind.Rules, [Path.Combine(_dir, "none.yml")], new StringWriter(), err));
        Assert.Contains("no such file", err.ToString());
    }
}
