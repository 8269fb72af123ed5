using Portal.PromQL.Ast;
using Portal.PromQL.PromqlTest;
using Portal.PromQL.Tests.Script;

namespace Portal.PromQL.Tests.Parsing;

/// <summary>Every eval query of the upstream promqltest files parses, prints (single-line and pretty) and parses back to the same tree.</summary>
public class UpstreamRoundTripTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (SharedData.Folder is null)
        {
            data.Add("(absent)");
            return data;
        }
        foreach (var f in Directory.GetFiles(SharedData.TestDataDir, "*.test").OrderBy(x => x, StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Files))]
    public void EveryEvalQueryRoundTrips(string file)
    {
        var cmds = ScriptParser.ParseFile(Path.Combine(SharedData.TestDataDir, file));
        var failures = new List<string>();
        int count = 0;
        foreach (var cmd in cmds)
        {
            if (cmd is not EvalCommand e) continue;
            count++;
            Expr first;
            try
            {
                first = PromQLParser.ParseExpr(e.Expr);
            }
            catch (PromQLParseException ex)
            {
                // Upstream's reader parses every eval query, so none of them may fail to parse.
                failures.Add($"line {e.Line}: {e.Expr}\n    {ex.Message}");
                continue;
            }
            string printed = first.ToString();
            try
            {
                var second = PromQLParser.ParseExpr(printed);
                string? diff = AstAssert.Diff(first, second, "$");
                if (diff is not null) failures.Add($"line {e.Line}: {e.Expr}\n    printed {printed}\n    differs at {diff}");
                else if (second.ToString() != printed) failures.Add($"line {e.Line}: printing is not idempotent: {printed} vs {second}");
                string pretty = first.Pretty();
                string? prettyDiff = AstAssert.Diff(first, PromQLParser.ParseExpr(pretty), "$");
                if (prettyDiff is not null) failures.Add($"line {e.Line}: pretty form {pretty} differs at {prettyDiff}");
            }
            catch (PromQLParseException ex)
            {
                failures.Add($"line {e.Line}: {e.Expr}\n    printed {printed}\n    reparse failed: {ex.Message}");
            }
        }
        Assert.True(count > 0);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
