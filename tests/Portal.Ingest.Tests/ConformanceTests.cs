using System.Text.Json;
using Portal.Ingest.TextParse;

namespace Portal.Ingest.Tests;

public class ConformanceTests
{
    private static string ParsersDir => SharedData.Path_("upstream", "openmetrics", "parsers");

    /// <summary>Every case of the OpenMetrics parser suite: (case name, shouldParse).</summary>
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        if (!Directory.Exists(ParsersDir))
        {
            data.Add("(absent)", true);
            return data;
        }
        foreach (var dir in Directory.GetDirectories(ParsersDir).OrderBy(d => d, StringComparer.Ordinal))
        {
            var json = Path.Combine(dir, "test.json");
            if (!File.Exists(json)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            data.Add(Path.GetFileName(dir), doc.RootElement.GetProperty("shouldParse").GetBoolean());
        }
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void OpenMetricsSuiteAgrees(string name, bool shouldParse)
    {
        var bytes = File.ReadAllBytes(Path.Combine(ParsersDir, name, "metrics"));
        var result = ExpositionChecker.Check(bytes, bytes.Length, openMetrics: true);
        if (shouldParse) Assert.False(result.HasErrors, $"{name} should parse but: {string.Join("; ", result.Problems)}");
        else Assert.True(result.HasErrors, $"{name} should be refused but parsed");
    }

    [SharedFact]
    public void SuiteHasAllCases()
    {
        Assert.True(Cases().Count() >= 200);
    }

    public static TheoryData<string> TextparseFiles()
    {
        var data = new TheoryData<string>();
        var dir = SharedData.Path_("upstream", "prometheus", "model", "textparse", "testdata");
        if (!Directory.Exists(dir))
        {
            data.Add("(absent)");
            return data;
        }
        foreach (var f in Directory.GetFiles(dir).OrderBy(f => f, StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(TextparseFiles))]
    public void TextparseTestdataParses(string file)
    {
        var bytes = File.ReadAllBytes(SharedData.Path_("upstream", "prometheus", "model", "textparse", "testdata", file));
        bool om = file.Contains(".om.", StringComparison.Ordinal);
        ExpositionParser p = om ? new OpenMetricsParser(bytes) : new PromTextParser(bytes);
        int series = 0;
        Entry e;
        while ((e = p.Next()) != Entry.Eof)
        {
            if (e == Entry.Series)
            {
                series++;
                var labels = p.Labels();
                Assert.NotEqual("", labels.MetricNameValue);
                p.CreatedTimestamp();
            }
        }
        Assert.True(series > 0);
    }
}
