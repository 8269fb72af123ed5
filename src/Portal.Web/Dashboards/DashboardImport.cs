using System.Text.Json.Nodes;

namespace Portal.Web.Dashboards;

/// <summary>Import and export of Grafana dashboard JSON.</summary>
public static class DashboardImport
{
    /// <summary>
    /// Reads a dashboard to import: a Grafana dashboard JSON, or the <c>{"dashboard": …, "meta": …}</c> answer of
    /// Grafana's API. The <c>id</c> is dropped (ids are the portal's); the uid is kept. Throws
    /// <see cref="DashboardImportException"/> saying what is wrong and where.
    /// </summary>
    public static JsonObject Prepare(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new DashboardImportException("the JSON is empty; paste a dashboard or upload its file");
        var root = GrafanaJson.ParseObject(text);
        if (root["dashboard"] is JsonObject inner && root["title"] is null) root = (JsonObject)inner.DeepClone();
        if (GrafanaJson.Str(root["title"]) is not { } title || title.Trim().Length == 0)
            throw new DashboardImportException("the dashboard has no \"title\"; add \"title\": \"…\" at the top level");
        if (root["panels"] is { } panels && panels is not JsonArray)
            throw new DashboardImportException("\"panels\" must be an array of panels");
        if (root["rows"] is { } rows && rows is not JsonArray)
            throw new DashboardImportException("\"rows\" must be an array of rows");
        int index = 0;
        foreach (var p in (root["panels"] as JsonArray ?? []))
        {
            if (p is not JsonObject) throw new DashboardImportException($"panels[{index}] must be an object");
            index++;
        }
        if (root["templating"] is JsonObject t && t["list"] is { } list && list is not JsonArray)
            throw new DashboardImportException("\"templating.list\" must be an array of variables");
        if (GrafanaJson.Str(root["uid"]) is { Length: > 0 } uid && Portal.Data.DashboardService.ValidateUid(uid) is { } bad)
            throw new DashboardImportException(bad);
        root.Remove("id");
        return root;
    }

    /// <summary>
    /// The JSON to hand back to Grafana: the stored model with <c>id</c> null (as Grafana's export does), indented.
    /// </summary>
    public static string Export(JsonObject model)
    {
        var copy = (JsonObject)model.DeepClone();
        copy["id"] = null;
        return copy.ToJsonString(GrafanaJson.Indented);
    }
}
