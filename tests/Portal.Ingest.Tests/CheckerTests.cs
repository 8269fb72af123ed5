using Portal.Ingest.TextParse;

namespace Portal.Ingest.Tests;

public class CheckerTests
{
    [Fact]
    public void PromTextLintWarnings()
    {
        var r = ExpositionChecker.Check("# TYPE requests counter\nrequests 1\n# HELP ok_total x\n# TYPE ok_total counter\nok_total 2\n", openMetrics: false);
        Assert.False(r.HasErrors);
        Assert.Contains(r.Problems, p => p.Message == "requests no help text");
        Assert.Contains(r.Problems, p => p.Message == "requests counter metrics should have \"_total\" suffix");
        Assert.Equal(2, r.Samples);
        Assert.Equal(2, r.Families);
    }

    [Fact]
    public void DuplicateLabelNamesAreErrors()
    {
        var r = ExpositionChecker.Check("a{b=\"1\",b=\"2\"} 1\n", openMetrics: false);
        Assert.True(r.HasErrors);
        Assert.Contains("not unique", r.Problems[0].Message);
    }

    [Fact]
    public void OpenMetricsSemanticErrorHasLine()
    {
        var r = ExpositionChecker.Check("# TYPE a counter\na_total 1\na_total -1\n# EOF\n", openMetrics: true);
        Assert.True(r.HasErrors);
        Assert.Equal(3, r.Problems[0].Line);
        Assert.Contains("negative", r.Problems[0].Message);
    }
}
