using Portal.Config.Rules;

namespace Portal.Config.Tests;

public class RuleFileTests
{
    /// <summary>
    /// Upstream rule files and whether they load. bad-rules-error.yml is named for the error its unit test expects
    /// at evaluation time (many-to-many matching); as a rule file it is valid, as promtool check rules agrees.
    /// Files in those folders that are not rule files (unit tests, SD files) are not listed.
    /// </summary>
    public static TheoryData<string, bool> UpstreamRuleFiles() => new()
    {
        { "prometheus/cmd/promtool/testdata/rules.yml", true },
        { "prometheus/cmd/promtool/testdata/rules_duplicates.yml", true },
        { "prometheus/cmd/promtool/testdata/prometheus-rules.lint.yml", true },
        { "prometheus/cmd/promtool/testdata/bad-rules-error.yml", true },
        { "prometheus/cmd/promtool/testdata/bad-rules-syntax.yml", false },
        { "prometheus/cmd/promtool/testdata/rules-bad.yml", false },
        { "prometheus/rules/fixtures/alert_rule.yaml", true },
        { "prometheus/rules/fixtures/alert_rule1.yaml", true },
        { "prometheus/rules/fixtures/rules.yaml", true },
        { "prometheus/rules/fixtures/rules1.yaml", true },
        { "prometheus/rules/fixtures/rules2.yaml", true },
        { "prometheus/rules/fixtures/rules2_copy.yaml", true },
        { "prometheus/rules/fixtures/rules_chain.yaml", true },
        { "prometheus/rules/fixtures/rules_dependencies.yaml", true },
        { "prometheus/rules/fixtures/rules_indeterminates.yaml", true },
        { "prometheus/rules/fixtures/rules_multi_doc.yaml", true },
        { "prometheus/rules/fixtures/rules_multiple.yaml", true },
        { "prometheus/rules/fixtures/rules_multiple_dependents_on_base.yaml", true },
        { "prometheus/rules/fixtures/rules_multiple_groups.yaml", true },
        { "prometheus/rules/fixtures/rules_multiple_independent.yaml", true },
        { "prometheus/rules/fixtures/invalid_rules.yaml", false },
    };

    [SharedTheory]
    [MemberData(nameof(UpstreamRuleFiles))]
    public void UpstreamRuleFileLoadsOrFails(string relative, bool loads)
    {
        var r = RuleFileLoader.LoadFile(SharedData.Path_(["upstream", .. relative.Split('/')]));
        Assert.True(loads == r.Success, $"{relative}: expected {(loads ? "success" : "failure")}; errors:\n{string.Join("\n", r.Errors)}");
        foreach (var e in r.Errors) Assert.True(e.Line >= 1 && e.Column >= 1);
    }

    [SharedFact]
    public void EveryUpstreamRuleFileIsClassified()
    {
        var listed = new HashSet<string>(UpstreamRuleFiles().Select(row => (string)row[0]));
        foreach (var f in Directory.GetFiles(SharedData.Path_("upstream", "prometheus", "rules", "fixtures")))
            Assert.Contains("prometheus/rules/fixtures/" + Path.GetFileName(f), listed);
    }

    [SharedFact]
    public void TemplateTypoIsPointedAt()
    {
        var r = RuleFileLoader.LoadFile(SharedData.Path_("upstream", "prometheus", "cmd", "promtool", "testdata", "rules-bad.yml"));
        var e = Assert.Single(r.Errors);
        Assert.Equal(12, e.Line);
        Assert.Equal(33, e.Column);
        Assert.Contains("undefined variable \"$label\"", e.Message);
    }

    [Fact]
    public void RecordingRuleChecks()
    {
        var r = RuleFileLoader.Load("""
            groups:
              - name: g
                rules:
                  - record: a
                    expr: up
                    for: 5m
                    annotations:
                      x: y
                  - expr: up
                  - record: b
                    alert: c
                    expr: up
                  - record: d
              - name: g
                rules: []
            """, "r.yml");
        var msgs = r.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("r.yml:6:14: invalid field 'for' in recording rule", msgs);
        Assert.Contains("r.yml:8:11: invalid field 'annotations' in recording rule", msgs);
        Assert.Contains("r.yml:9:9: one of 'record' or 'alert' must be set", msgs);
        Assert.Contains("r.yml:11:16: only one of 'record' and 'alert' must be set", msgs);
        Assert.Contains("r.yml:13:9: field 'expr' must be set in rule", msgs);
        Assert.Contains("r.yml:14:11: groupname: \"g\" is repeated in the same file", msgs);
    }

    [Fact]
    public void UnknownRuleFieldIsNamed()
    {
        var r = RuleFileLoader.Load("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        summary: x\n", "r.yml");
        var e = Assert.Single(r.Errors);
        Assert.Equal("r.yml:6:9: field summary not found in type rule", e.ToString());
    }

    [Fact]
    public void ExpressionErrorPointsInsideABlockScalar()
    {
        var r = RuleFileLoader.Load("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: |\n          sum(rate(x[5m])\n", "r.yml");
        Assert.False(r.Success);
        var e = r.Errors[0];
        Assert.Equal(6, e.Line);
        Assert.True(e.Column >= 11, e.ToString());
        Assert.StartsWith("could not parse expression", e.Message);
    }
}
