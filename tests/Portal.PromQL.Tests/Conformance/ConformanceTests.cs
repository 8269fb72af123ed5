using Portal.PromQL.PromqlTest;
using Portal.PromQL.Tests.Script;
using Xunit.Abstractions;

namespace Portal.PromQL.Tests.Conformance;

/// <summary>Runs the upstream promqltest suite and our own cases through the engine.</summary>
public class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>Files whose float cases must all pass; the rest are experimental and reported only.</summary>
    public static readonly string[] TargetFiles =
    [
        "aggregators", "at_modifier", "collision", "functions", "histograms", "limit", "literals",
        "name_label_dropping", "operators", "range_queries", "selectors", "staleness", "subquery", "trig_functions",
    ];

    public static readonly string[] ExperimentalFiles =
    [
        "duration_expression", "extended_vectors", "fill-modifier", "info", "start_timestamps", "type_and_unit",
    ];

    private RunReport RunAndPrint(string path)
    {
        var report = new RunReport();
        new Runner().RunFile(path, report);
        foreach (var c in report.Cases)
            if (c.Outcome == CaseOutcome.Failed)
                output.WriteLine($"  FAIL {c.File}:{c.Line}: {c.Query}: {c.Message}");
        output.WriteLine($"{Path.GetFileName(path)}: {report.Summary}");
        return report;
    }

    public static TheoryData<string> Targets() => new(TargetFiles);

    public static TheoryData<string> Experimental() => new(ExperimentalFiles);

    [SharedTheory]
    [MemberData(nameof(Targets))]
    public void UpstreamTargetFileHasNoFailures(string name)
    {
        var report = RunAndPrint(Path.Combine(SharedData.TestDataDir, name + ".test"));
        Assert.True(report.Passed > 0, "no case passed");
        foreach (var c in report.Cases)
            if (c.Outcome == CaseOutcome.Skipped) Assert.Equal("needs native histograms", c.Message);
        Assert.Equal(0, report.Failed);
    }

    [SharedTheory]
    [MemberData(nameof(Experimental))]
    public void UpstreamExperimentalFileIsReported(string name)
    {
        var report = RunAndPrint(Path.Combine(SharedData.TestDataDir, name + ".test"));
        Assert.Equal(report.Cases.Count, report.Passed + report.Failed + report.Skipped);
    }

    [Fact]
    public void OwnCasesPass()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "testdata");
        var files = Directory.GetFiles(dir, "*.test");
        Assert.NotEmpty(files);
        int failed = 0;
        foreach (var f in files) failed += RunAndPrint(f).Failed;
        Assert.Equal(0, failed);
    }
}
