using System.Text.Json;
using Portal.Data;
using Portal.Model;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// <c>GET /api/v1/alert_history</c> (a Portal extension, under the <c>read</c> scope, tenant from the credential):
/// the tenant's alert state changes and notification attempts, newest first, in Prometheus's JSON envelope.
/// Filters: <c>alertname</c>, <c>match[]</c> (series selectors, any of which an alert's labels must satisfy),
/// <c>team</c>, <c>state</c> (pending, firing, resolved, inactive), <c>start</c>/<c>end</c> (RFC 3339 or Unix
/// seconds) and <c>limit</c> (per list, default 1000). Data:
/// <c>{"changes":[{fingerprint, alertname, team, state, labels, annotations, value, at, activeAt}],
/// "notifications":[{receiver, team, integration, at, success, error, summary, fingerprints, alertCount}]}</c>,
/// times as RFC 3339 UTC.
/// </summary>
public static class AlertHistoryApi
{
    public const int DefaultLimit = 1000;

    public static IEndpointRouteBuilder MapAlertHistoryApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/v1").RequireAuthorization(MachineAuth.Policy(TokenScopes.Read)).DisableAntiforgery()
            .MapGet("/alert_history", History);
        return endpoints;
    }

    private static async Task History(HttpContext ctx)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        AlertHistoryQuery q;
        try
        {
            q = await ParseAsync(ctx.Request);
        }
        catch (BadParameterException e)
        {
            await ApiResponse.ErrorAsync(ctx, "bad_data", e.Message);
            return;
        }
        var page = await ctx.RequestServices.GetRequiredService<AlertHistoryStore>().QueryAsync(tenant, q, ctx.RequestAborted);
        await ApiResponse.SuccessAsync(ctx, w => Write(w, page));
    }

    /// <summary>Reads the API's filters; throws <see cref="BadParameterException"/> naming the bad parameter.</summary>
    public static async Task<AlertHistoryQuery> ParseAsync(HttpRequest request)
    {
        var p = await ApiParams.ReadAsync(request);
        var state = p.Get("state");
        if (!string.IsNullOrEmpty(state) && !AlertHistoryStore.States.Contains(state))
            throw new BadParameterException($"invalid parameter \"state\": \"{state}\" is not one of {string.Join(", ", AlertHistoryStore.States)}");
        long? start = string.IsNullOrEmpty(p.Get("start")) ? null : p.Time("start", 0);
        long? end = string.IsNullOrEmpty(p.Get("end")) ? null : p.Time("end", 0);
        if (start is { } s && end is { } e && e < s) throw new BadParameterException("invalid parameter \"end\": end timestamp must not be before start time");
        int limit = p.Limit();
        return new AlertHistoryQuery
        {
            AlertName = NullIfEmpty(p.Get("alertname")),
            Team = NullIfEmpty(p.Get("team")),
            State = NullIfEmpty(state),
            MatcherSets = p.Selectors(required: false).Select(m => (IReadOnlyList<Matcher>)m).ToList(),
            Start = start is { } a ? FromMs(a) : null,
            End = end is { } b ? FromMs(b) : null,
            Limit = limit == 0 ? DefaultLimit : Math.Min(limit, AlertHistoryStore.MaxScannedRows),
        };
    }

    private static DateTimeOffset FromMs(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static void Write(Utf8JsonWriter w, AlertHistoryPage page)
    {
        w.WriteStartObject();
        w.WriteStartArray("changes");
        foreach (var c in page.Changes)
        {
            w.WriteStartObject();
            w.WriteString("fingerprint", c.Fingerprint);
            w.WriteString("alertname", c.AlertName);
            if (c.Team is null) w.WriteNull("team");
            else w.WriteString("team", c.Team);
            w.WriteString("state", c.State);
            WriteMap(w, "labels", c.LabelsJson);
            WriteMap(w, "annotations", c.AnnotationsJson);
            w.WriteString("value", PromFormat.Value(c.Value));
            w.WriteString("at", Rfc3339(c.At));
            if (c.ActiveAt is { } act) w.WriteString("activeAt", Rfc3339(act));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("notifications");
        foreach (var n in page.Notifications)
        {
            w.WriteStartObject();
            w.WriteString("receiver", n.Receiver);
            if (n.Team is null) w.WriteNull("team");
            else w.WriteString("team", n.Team);
            w.WriteString("integration", n.Integration);
            w.WriteString("at", Rfc3339(n.At));
            w.WriteBoolean("success", n.Success);
            if (n.Error is not null) w.WriteString("error", n.Error);
            w.WriteString("summary", n.Summary);
            w.WriteStartArray("fingerprints");
            foreach (var f in n.Fingerprints.Split(',', StringSplitOptions.RemoveEmptyEntries)) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteNumber("alertCount", n.AlertCount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, string json)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in AlertHistoryStore.ParseLabels(json)) w.WriteString(k, v);
        w.WriteEndObject();
    }

    /// <summary>RFC 3339 in UTC with milliseconds, as Prometheus writes activeAt.</summary>
    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
