using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Data;
using Portal.Web.Auth;
using Portal.Web.Dashboards;

namespace Portal.Web.Api;

/// <summary>
/// The part of Grafana's HTTP API that dashboard automation uses, per tenant (the tenant comes from the credential):
/// <c>POST /api/dashboards/db</c>, <c>GET</c> and <c>DELETE /api/dashboards/uid/&lt;uid&gt;</c>, <c>GET /api/search</c>,
/// <c>GET</c> and <c>POST /api/folders</c>. Reads need scope <c>read</c>, changes scope <c>write</c>. Answers use
/// Grafana's shapes and status codes (412 with <c>version-mismatch</c> or <c>name-exists</c>; 404 <c>Dashboard not found</c>).
/// </summary>
public static class DashboardsApi
{
    public static IEndpointRouteBuilder MapDashboardsApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api").RequireAuthorization(MachineAuth.Policy(TokenScopes.Read));
        read.MapGet("/dashboards/uid/{uid}", Get);
        read.MapGet("/search", Search);
        read.MapGet("/folders", Folders);
        var write = endpoints.MapGroup("/api").RequireAuthorization(MachineAuth.Policy(TokenScopes.Write)).DisableAntiforgery();
        write.MapPost("/dashboards/db", Save);
        write.MapDelete("/dashboards/uid/{uid}", Delete);
        write.MapPost("/folders", CreateFolder);
        return endpoints;
    }

    private static string Tenant(HttpContext ctx) => ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");

    private static string Actor(HttpContext ctx) => "api:" + (ctx.User.FindFirst(PortalClaims.TokenId)?.Value ?? "token");

    private static IResult Message(int status, string message, string? statusText = null)
    {
        var body = new JsonObject { ["message"] = message };
        if (statusText is not null) body["status"] = statusText;
        return Results.Json(body, statusCode: status);
    }

    private static async Task<IResult> Save(HttpContext ctx, DashboardService dashboards)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject
                ?? throw new JsonException("the body must be a JSON object");
        }
        catch (JsonException e)
        {
            return Message(400, $"bad request body: {e.Message}; send {{\"dashboard\": {{…}}, \"folderUid\": \"…\", \"overwrite\": false}}");
        }
        if (body["dashboard"] is not JsonObject model)
            return Message(400, "the body needs a \"dashboard\" object with the dashboard JSON");
        try
        {
            DashboardMigrator.Migrate(model);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return Message(400, $"dashboard JSON cannot be read: {e.Message}");
        }
        var folderUid = GrafanaJson.Str(body["folderUid"]);
        bool overwrite = GrafanaJson.Bool(body["overwrite"]);
        var result = await dashboards.SaveAsync(Tenant(ctx), model, folderUid, overwrite, Actor(ctx), ct: ctx.RequestAborted);
        return result.Status switch
        {
            DashboardSaveStatus.Saved => Results.Json(new JsonObject
            {
                ["id"] = result.Dashboard!.Id,
                ["uid"] = result.Dashboard.Uid,
                ["url"] = DashboardService.Url(result.Dashboard.Uid, result.Dashboard.Title),
                ["status"] = "success",
                ["version"] = result.Dashboard.Version,
                ["slug"] = DashboardService.Slug(result.Dashboard.Title),
            }),
            DashboardSaveStatus.VersionMismatch => Message(412, result.Message, "version-mismatch"),
            DashboardSaveStatus.NameExists => Message(412, result.Message, "name-exists"),
            DashboardSaveStatus.NotFound => Message(404, result.Message, "not-found"),
            _ => Message(400, result.Message),
        };
    }

    private static async Task<IResult> Get(HttpContext ctx, string uid, DashboardService dashboards)
    {
        var tenant = Tenant(ctx);
        var d = await dashboards.GetAsync(tenant, uid, ctx.RequestAborted);
        if (d is null) return Message(404, "Dashboard not found");
        var folder = d.FolderUid is null ? null : (await dashboards.FoldersAsync(tenant, ctx.RequestAborted)).FirstOrDefault(f => f.Uid == d.FolderUid);
        var meta = new JsonObject
        {
            ["type"] = "db",
            ["canSave"] = !d.Provisioned,
            ["canEdit"] = true,
            ["canAdmin"] = false,
            ["canStar"] = false,
            ["canDelete"] = !d.Provisioned,
            ["slug"] = DashboardService.Slug(d.Title),
            ["url"] = DashboardService.Url(d.Uid, d.Title),
            ["expires"] = "0001-01-01T00:00:00Z",
            ["created"] = d.CreatedAt.UtcDateTime.ToString("O"),
            ["updated"] = d.UpdatedAt.UtcDateTime.ToString("O"),
            ["updatedBy"] = d.UpdatedBy,
            ["createdBy"] = d.UpdatedBy,
            ["version"] = d.Version,
            ["hasAcl"] = false,
            ["isFolder"] = false,
            ["folderId"] = folder?.Id ?? 0,
            ["folderUid"] = folder?.Uid ?? "",
            ["folderTitle"] = folder?.Title ?? "General",
            ["folderUrl"] = folder is null ? "" : FolderUrl(folder.Uid, folder.Title),
            ["provisioned"] = d.Provisioned,
            ["provisionedExternalId"] = d.ProvisionedFrom ?? "",
        };
        return Results.Json(new JsonObject { ["dashboard"] = DashboardService.Model(d), ["meta"] = meta });
    }

    private static async Task<IResult> Delete(HttpContext ctx, string uid, DashboardService dashboards)
    {
        try
        {
            var d = await dashboards.DeleteAsync(Tenant(ctx), uid, Actor(ctx), ct: ctx.RequestAborted);
            if (d is null) return Message(404, "Dashboard not found");
            return Results.Json(new JsonObject { ["title"] = d.Title, ["message"] = $"Dashboard {d.Title} deleted", ["id"] = d.Id, ["uid"] = d.Uid });
        }
        catch (InvalidOperationException e)
        {
            return Message(400, e.Message);
        }
    }

    private static string FolderUrl(string uid, string title) => $"/dashboards/f/{uid}/{DashboardService.Slug(title)}";

    private static async Task<IResult> Search(HttpContext ctx, DashboardService dashboards)
    {
        var q = ctx.Request.Query;
        var type = q["type"].ToString() is { Length: > 0 } t ? t : null;
        if (type is not (null or "dash-db" or "dash-folder")) return Message(400, $"type \"{type}\" is unknown: use dash-db or dash-folder");
        int limit = int.TryParse(q["limit"], out var l) && l > 0 ? Math.Min(l, 5000) : 1000;
        var folderUids = q["folderUIDs"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.TrimEntries)).Where(s => s.Length > 0).ToList();
        var dashboardUids = q["dashboardUIDs"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.TrimEntries)).Where(s => s.Length > 0).ToList();
        var hits = await dashboards.SearchAsync(Tenant(ctx), q["query"].ToString(), q["tag"].OfType<string>().ToList(), folderUids, dashboardUids, type, limit, ctx.RequestAborted);
        var arr = new JsonArray();
        foreach (var h in hits)
        {
            var slug = DashboardService.Slug(h.Title);
            var o = new JsonObject
            {
                ["id"] = h.Id,
                ["uid"] = h.Uid,
                ["orgId"] = 1,
                ["title"] = h.Title,
                ["uri"] = "db/" + slug,
                ["url"] = h.IsFolder ? FolderUrl(h.Uid, h.Title) : DashboardService.Url(h.Uid, h.Title),
                ["slug"] = slug,
                ["type"] = h.IsFolder ? "dash-folder" : "dash-db",
                ["tags"] = new JsonArray(h.Tags.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                ["isStarred"] = false,
                ["sortMeta"] = 0,
            };
            if (!h.IsFolder && h.FolderUid is not null)
            {
                o["folderId"] = h.FolderId;
                o["folderUid"] = h.FolderUid;
                o["folderTitle"] = h.FolderTitle;
                o["folderUrl"] = FolderUrl(h.FolderUid, h.FolderTitle ?? "");
            }
            arr.Add(o);
        }
        return Results.Json(arr);
    }

    private static async Task<IResult> Folders(HttpContext ctx, DashboardService dashboards)
    {
        var arr = new JsonArray();
        foreach (var f in await dashboards.FoldersAsync(Tenant(ctx), ctx.RequestAborted))
            arr.Add(new JsonObject { ["id"] = f.Id, ["uid"] = f.Uid, ["title"] = f.Title, ["url"] = FolderUrl(f.Uid, f.Title) });
        return Results.Json(arr);
    }

    private static async Task<IResult> CreateFolder(HttpContext ctx, DashboardService dashboards)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        }
        catch (JsonException e)
        {
            return Message(400, $"bad request body: {e.Message}; send {{\"title\": \"…\", \"uid\": \"…\"}}");
        }
        var title = GrafanaJson.Str(body?["title"]) ?? "";
        var uid = GrafanaJson.Str(body?["uid"]) is { Length: > 0 } u ? u : null;
        try
        {
            var f = await dashboards.CreateFolderAsync(Tenant(ctx), title, uid, Actor(ctx), ctx.RequestAborted);
            return Results.Json(new JsonObject { ["id"] = f.Id, ["uid"] = f.Uid, ["title"] = f.Title, ["url"] = FolderUrl(f.Uid, f.Title), ["version"] = 1 });
        }
        catch (ArgumentException e)
        {
            return Message(400, e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Message(409, e.Message);
        }
    }
}
