using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Web.Dashboards;

/// <summary>
/// The dashboard settings' form for template variables: creates and edits entries of <c>templating.list</c> in place
/// (fields the form does not show are kept) and checks them before they are applied.
/// </summary>
public static partial class VariableForm
{
    /// <summary>Variable types the form edits.</summary>
    public static readonly IReadOnlyList<string> Types = ["query", "custom", "interval", "constant", "textbox"];

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();

    /// <summary>A new variable of <paramref name="type"/> named <paramref name="name"/>, with Grafana's defaults for the type.</summary>
    public static JsonObject Create(string type, string name)
    {
        var v = new JsonObject { ["name"] = name, ["type"] = type, ["hide"] = 0 };
        switch (type)
        {
            case "query":
                v["query"] = "label_values(up, instance)";
                v["definition"] = "label_values(up, instance)";
                v["refresh"] = 1;
                v["regex"] = "";
                v["multi"] = false;
                v["includeAll"] = false;
                v["datasource"] = new JsonObject { ["type"] = "prometheus" };
                break;
            case "custom":
                v["query"] = "a,b,c";
                v["multi"] = false;
                v["includeAll"] = false;
                break;
            case "interval":
                v["query"] = "1m,5m,10m,30m,1h";
                break;
            default:
                v["query"] = "";
                break;
        }
        return v;
    }

    /// <summary>A name not yet used by <paramref name="list"/>: <c>var1</c>, <c>var2</c>, …</summary>
    public static string FreeName(JsonArray list)
    {
        var used = list.OfType<JsonObject>().Select(v => GrafanaJson.Str(v["name"])).ToHashSet(StringComparer.Ordinal);
        int i = 1;
        while (used.Contains("var" + i)) i++;
        return "var" + i;
    }

    /// <summary>The variable's query text (a string, or newer Grafana's <c>{query: …}</c> object).</summary>
    public static string Query(JsonObject v) => new VariableModel(v).Query;

    /// <summary>Sets the query where it was (the object's <c>query</c> field when the variable has one), and a query variable's <c>definition</c>.</summary>
    public static void SetQuery(JsonObject v, string query)
    {
        if (v["query"] is JsonObject o) o["query"] = query;
        else v["query"] = query;
        if (GrafanaJson.Str(v["type"]) == "query") v["definition"] = query;
    }

    /// <summary>Changes a variable's type, dropping the options Grafana does not keep for the new type.</summary>
    public static void SetType(JsonObject v, string type)
    {
        v["type"] = type;
        if (type is not ("query" or "custom"))
        {
            v.Remove("multi");
            v.Remove("includeAll");
            v.Remove("allValue");
        }
        if (type != "query")
        {
            v.Remove("regex");
            v.Remove("definition");
        }
    }

    /// <summary>
    /// Every problem of the list, each naming the variable by position and name: a name that is missing, not a valid
    /// identifier, or used twice; an empty query where the type needs one; a regex that does not compile.
    /// </summary>
    public static IReadOnlyList<string> Validate(JsonArray list)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var v in list.OfType<JsonObject>())
        {
            index++;
            var name = GrafanaJson.Str(v["name"]) ?? "";
            var where = name.Length > 0 ? $"variable {index} (\"{name}\")" : $"variable {index}";
            if (name.Length == 0) errors.Add($"{where}: give it a name, such as instance");
            else if (!NamePattern().IsMatch(name)) errors.Add($"{where}: a name has letters, digits and underscores only, and does not start with a digit");
            else if (!seen.Add(name)) errors.Add($"{where}: another variable has this name; names must be unique");
            var type = GrafanaJson.Str(v["type"]) ?? "query";
            var query = Query(v).Trim();
            if (type is "query" or "custom" or "interval" && query.Length == 0)
                errors.Add($"{where}: a {type} variable needs {(type == "query" ? "a query such as label_values(up, instance)" : "values separated by commas")}");
            if (type == "interval" && query.Length > 0)
                foreach (var item in VariableModel.CustomValues(query))
                    if (item != "auto" && Intervals.ParseMinStep(item) <= 0)
                        errors.Add($"{where}: \"{item}\" is not an interval such as 5m");
            if (type == "query" && GrafanaJson.Str(v["regex"]) is { Length: > 0 } regex && ValueMappings.ToRegex(regex.StartsWith('/') ? regex : "/" + regex + "/") is null)
                errors.Add($"{where}: the regex \"{regex}\" does not compile; check its brackets and escapes");
        }
        return errors;
    }
}
