using System.Text.Json.Nodes;
using Bunit;
using Portal.Web.Components.Dashboards;
using Portal.Web.Dashboards;

namespace Portal.Web.Tests.Dashboards;

/// <summary>The template variable form edits templating.list in place and says what is wrong with it.</summary>
public sealed class VariableEditorTests : MudComponentTest
{
    private static JsonArray List() => (JsonArray)JsonNode.Parse("""
        [ { "name": "instance", "type": "query", "query": { "query": "label_values(up, instance)", "refId": "A" }, "regex": "", "multi": false,
            "includeAll": false, "current": { "value": "a" }, "options": [], "skipUrlSync": false } ]
        """)!;

    [Fact]
    public void EditingWritesNameQueryRegexAndFlagsAndKeepsOtherFields()
    {
        var list = List();
        int changes = 0;
        var cut = Ctx.Render<VariableEditor>(p => p.Add(c => c.Variables, list).Add(c => c.OnChange, () => changes++));
        cut.Find("#var-name-0").Input("host");
        cut.Find("#var-query-0").Input("label_values(node_uname_info, nodename)");
        cut.Find("#var-regex-0").Input("/web-(.*)/");
        cut.Find("input[data-testid=var-multi-0], [data-testid=var-multi-0] input").Change(true);
        cut.Find("input[data-testid=var-all-0], [data-testid=var-all-0] input").Change(true);
        cut.Find("#var-allvalue-0").Input(".*");

        var v = (JsonObject)list[0]!;
        Assert.Equal("host", (string)v["name"]!);
        Assert.Equal("label_values(node_uname_info, nodename)", (string)v["query"]!["query"]!);
        Assert.Equal("A", (string)v["query"]!["refId"]!);
        Assert.Equal("label_values(node_uname_info, nodename)", (string)v["definition"]!);
        Assert.Equal("/web-(.*)/", (string)v["regex"]!);
        Assert.True((bool)v["multi"]! && (bool)v["includeAll"]!);
        Assert.Equal(".*", (string)v["allValue"]!);
        Assert.False((bool)v["skipUrlSync"]!);
        Assert.True(changes >= 6);
        Assert.Empty(cut.FindAll("[data-testid=variable-error]"));
    }

    [Fact]
    public void NewVariablesGetFreeNamesAndProblemsAreShown()
    {
        var list = List();
        list.Add(VariableForm.Create("custom", VariableForm.FreeName(list)));
        list.Add(VariableForm.Create("interval", VariableForm.FreeName(list)));
        Assert.Equal(["instance", "var1", "var2"], list.Select(v => (string)v!["name"]!));
        Assert.Empty(VariableForm.Validate(list));

        var cut = Ctx.Render<VariableEditor>(p => p.Add(c => c.Variables, list));
        cut.Find("#var-name-1").Input("instance");
        cut.Find("#var-query-2").Input("1m,soon");
        cut.Find("#var-regex-0").Input("/web-(/");
        var errors = cut.FindAll("[data-testid=variable-error]").Select(e => e.TextContent).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("variable 1 (\"instance\"): the regex \"/web-(/\" does not compile", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("variable 2 (\"instance\"): another variable has this name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("variable 3 (\"var2\"): \"soon\" is not an interval", StringComparison.Ordinal));

        cut.Find("[data-testid=var-remove-1]").Click();
        Assert.Equal(["instance", "var2"], list.Select(v => (string)v!["name"]!));
    }

    [Fact]
    public void ChangingTheTypeDropsWhatTheNewTypeDoesNotKeep()
    {
        var v = (JsonObject)List()[0]!;
        v["multi"] = true;
        VariableForm.SetType(v, "constant");
        Assert.Equal("constant", (string)v["type"]!);
        Assert.Null(v["multi"]);
        Assert.Null(v["regex"]);
        Assert.Equal(2, VariableForm.Validate(new JsonArray(new JsonObject { ["name"] = "9lives", ["type"] = "custom", ["query"] = "" })).Count);
    }
}
