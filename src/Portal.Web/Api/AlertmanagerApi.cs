using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Alerting;
using Portal.Config.Alertmanager;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Auth;
using AlertmanagerInstance = Portal.Alerting.Alertmanager;
using MatchType = Portal.Model.MatchType;

namespace Portal.Web.Api;

/// <summary>
/// Alertmanager's API v2 per tenant under <c>/alertmanager/api/v2/</c> (alerts GET/POST, alerts/groups, silences
/// GET/POST, silence/{id} GET/DELETE, receivers, status) with the JSON shapes, filters and status codes of
/// Alertmanager's OpenAPI document, so amtool and Prometheus's Alertmanager client work unchanged. The tenant
/// always comes from the credential (scope <c>alerts</c>).
/// </summary>
public static class AlertmanagerApi
{
    /// <summary>The Alertmanager version whose API this one matches.</summary>
    public const string CompatibleVersion = "0.28.1";

    public static IEndpointRouteBuilder MapAlertmanagerApi(this IEndpointRouteBuilder endpoints)
    {
        var g = endpoints.MapGroup("/alertmanager/api/v2").RequireAuthorization(MachineAuth.Policy(TokenScopes.Alerts)).DisableAntiforgery();
        g.MapGet("/status", Status);
        g.MapGet("/receivers", Receivers);
        g.MapGet("/alerts", GetAlerts);
        g.MapPost("/alerts", PostAlerts);
        g.MapGet("/alerts/groups", GetGroups);
        g.MapGet("/silences", GetSilences);
        g.MapPost("/silences", PostSilence);
        g.MapGet("/silence/{id}", GetSilence);
        g.MapDelete("/silence/{id}", DeleteSilence);
        return endpoints;
    }

    private static AlertmanagerInstance Am(HttpContext ctx)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        var alerting = ctx.RequestServices.GetRequiredService<TenantEngineRegistry>().Get(tenant).Alerting;
        if (!alerting.IsStarted && alerting.ExternalUrl.Length == 0)
            alerting.ExternalUrl = $"{ctx.Request.Scheme}://{ctx.Request.Host}/alertmanager";
        return alerting.Alertmanager;
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        ms.WriteByte((byte)'\n');
        await ctx.Response.Body.WriteAsync(ms.ToArray());
    }

    /// <summary>An empty 404, as Alertmanager answers for unknown silences (the site's not-found page is not used).</summary>
    private static void NotFound(HttpContext ctx)
    {
        if (ctx.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        ctx.Response.StatusCode = 404;
    }

    /// <summary>go-swagger's error payloads: the message as a JSON string.</summary>
    private static Task ErrorAsync(HttpContext ctx, int status, string message) => WriteJsonAsync(ctx, status, w => w.WriteStringValue(message));

    /// <summary>strfmt.DateTime's format: milliseconds, UTC.</summary>
    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            throw new BadRequestException($"{name} in body must be of type date-time: \"{v}\"");
        return t;
    }

    private sealed class BadRequestException(string message) : Exception(message);

    private static Task Status(HttpContext ctx)
    {
        var am = Am(ctx);
        return WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("cluster");
            w.WriteString("name", "");
            w.WriteStartArray("peers");
            w.WriteEndArray();
            w.WriteString("status", "disabled");
            w.WriteEndObject();
            w.WriteStartObject("config");
            w.WriteString("original", am.DisplayConfigYaml);
            w.WriteEndObject();
            w.WriteString("uptime", Time(am.StartedAt));
            w.WriteStartObject("versionInfo");
            w.WriteString("branch", "portal");
            w.WriteString("buildDate", "");
            w.WriteString("buildUser", "portal");
            w.WriteString("goVersion", "");
            w.WriteString("revision", "");
            w.WriteString("version", CompatibleVersion);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static Task Receivers(HttpContext ctx)
    {
        var am = Am(ctx);
        return WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray();
            foreach (var n in am.ReceiverNames)
            {
                w.WriteStartObject();
                w.WriteString("name", n);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static bool BoolParam(HttpContext ctx, string name, bool def)
    {
        var v = ctx.Request.Query[name].ToString();
        if (v.Length == 0) return def;
        return bool.TryParse(v, out var b) ? b : throw new BadRequestException($"{name} in query must be of type boolean: \"{v}\"");
    }

    private static List<Matcher> FilterParam(HttpContext ctx)
    {
        var list = new List<Matcher>();
        foreach (var f in ctx.Request.Query["filter"])
        {
            if (string.IsNullOrEmpty(f)) continue;
            try
            {
                list.AddRange(AmMatchers.ParseLine(f));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new BadRequestException(e.Message);
            }
        }
        return list;
    }

    private static Regex? ReceiverParam(HttpContext ctx)
    {
        var r = ctx.Request.Query["receiver"].ToString();
        if (r.Length == 0) return null;
        try
        {
            return PromRegex.Compile(r);
        }
        catch (ArgumentException e)
        {
            throw new BadRequestException(e.Message);
        }
    }

    private static async Task Guard(HttpContext ctx, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (BadRequestException e)
        {
            await ErrorAsync(ctx, 400, e.Message);
        }
    }

    /// <summary>Alertmanager's alert filter for the list and group endpoints; null when the alert is filtered out.</summary>
    private static AlertStatusInfo? Filter(AlertmanagerInstance am, Alert a, DateTimeOffset now, bool active, bool silenced, bool inhibited, List<Matcher> matchers)
    {
        if (a.EndsAt != default && a.EndsAt < now) return null;
        var st = am.StatusOf(a);
        if (!active && st.State == "active") return null;
        if (!silenced && st.SilencedBy.Count > 0) return null;
        if (!inhibited && st.InhibitedBy.Count > 0) return null;
        return Matcher.AllMatch(matchers, a.Labels) ? st : null;
    }

    private static Task GetAlerts(HttpContext ctx) => Guard(ctx, async () =>
    {
        var am = Am(ctx);
        bool active = BoolParam(ctx, "active", true), silenced = BoolParam(ctx, "silenced", true), inhibited = BoolParam(ctx, "inhibited", true);
        BoolParam(ctx, "unprocessed", true);
        var matchers = FilterParam(ctx);
        var receiverRe = ReceiverParam(ctx);
        var now = am.Now;
        var rows = new List<(Alert Alert, AlertStatusInfo Status, List<string> Receivers)>();
        foreach (var a in am.Alerts.List())
        {
            var receivers = new List<string>();
            foreach (var r in am.Route.Match(a.Labels)) receivers.Add(r.Receiver);
            if (receiverRe is not null && !receivers.Exists(receiverRe.IsMatch)) continue;
            var st = Filter(am, a, now, active, silenced, inhibited, matchers);
            if (st is null) continue;
            rows.Add((a, st, receivers));
        }
        rows.Sort((x, y) => x.Alert.Fingerprint.CompareTo(y.Alert.Fingerprint));
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray();
            foreach (var (a, st, receivers) in rows) WriteAlert(w, a, st, receivers);
            w.WriteEndArray();
        });
    });

    private static void WriteLabels(Utf8JsonWriter w, string name, Labels labels)
    {
        w.WriteStartObject(name);
        foreach (var l in labels) w.WriteString(l.Name, l.Value);
        w.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter w, Alert a, AlertStatusInfo st, IEnumerable<string> receivers)
    {
        w.WriteStartObject();
        WriteLabels(w, "annotations", a.Annotations);
        w.WriteString("endsAt", Time(a.EndsAt));
        w.WriteString("fingerprint", Fingerprints.ToHex(a.Fingerprint));
        w.WriteStartArray("receivers");
        foreach (var r in receivers)
        {
            w.WriteStartObject();
            w.WriteString("name", r);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("startsAt", Time(a.StartsAt));
        w.WriteStartObject("status");
        w.WriteStartArray("inhibitedBy");
        foreach (var s in st.InhibitedBy) w.WriteStringValue(s);
        w.WriteEndArray();
        w.WriteStartArray("silencedBy");
        foreach (var s in st.SilencedBy) w.WriteStringValue(s);
        w.WriteEndArray();
        w.WriteString("state", st.State);
        w.WriteEndObject();
        w.WriteString("updatedAt", Time(a.UpdatedAt));
        if (a.GeneratorUrl.Length > 0) w.WriteString("generatorURL", a.GeneratorUrl);
        WriteLabels(w, "labels", a.Labels);
        w.WriteEndObject();
    }

    private static Labels ReadLabels(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return Labels.Empty;
        if (v.ValueKind != JsonValueKind.Object) throw new BadRequestException($"{name} in body must be of type object");
        var b = new LabelsBuilder();
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw new BadRequestException($"{name}.{p.Name} in body must be of type string");
            b.Set(p.Name, p.Value.GetString()!);
        }
        return b.Build();
    }

    private static Task PostAlerts(HttpContext ctx) => Guard(ctx, async () =>
    {
        var am = Am(ctx);
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"parsing alerts: {e.Message}");
        }
        using var parsed = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new BadRequestException("alerts in body must be of type array");
        var alerts = new List<PostableAlert>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) throw new BadRequestException("alerts in body must be objects");
            if (!e.TryGetProperty("labels", out var _)) throw new BadRequestException("labels in body is required");
            var gen = e.TryGetProperty("generatorURL", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : "";
            alerts.Add(new PostableAlert(ReadLabels(e, "labels"), ReadLabels(e, "annotations"), ParseTime(e, "startsAt") ?? default, ParseTime(e, "endsAt") ?? default, gen));
        }
        var errors = am.PutAlerts(alerts);
        if (errors.Count > 0)
        {
            await ErrorAsync(ctx, 400, string.Join("; ", errors));
            return;
        }
        ctx.Response.StatusCode = 200;
    });

    private static Task GetGroups(HttpContext ctx) => Guard(ctx, async () =>
    {
        var am = Am(ctx);
        bool active = BoolParam(ctx, "active", true), silenced = BoolParam(ctx, "silenced", true), inhibited = BoolParam(ctx, "inhibited", true);
        var matchers = FilterParam(ctx);
        var receiverRe = ReceiverParam(ctx);
        var now = am.Now;
        var statuses = new Dictionary<ulong, AlertStatusInfo>();
        var groups = am.Dispatcher.Groups(
            r => receiverRe is null || receiverRe.IsMatch(r.Receiver),
            a =>
            {
                var st = Filter(am, a, now, active, silenced, inhibited, matchers);
                if (st is not null) lock (statuses) statuses[a.Fingerprint] = st;
                return st is not null;
            });
        var receiversOf = new Dictionary<ulong, List<string>>();
        foreach (var grp in groups)
            foreach (var a in grp.Alerts)
            {
                if (!receiversOf.TryGetValue(a.Fingerprint, out var l)) receiversOf[a.Fingerprint] = l = [];
                l.Add(grp.Receiver);
            }
        foreach (var l in receiversOf.Values) l.Sort(StringComparer.Ordinal);
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray();
            foreach (var grp in groups)
            {
                w.WriteStartObject();
                w.WriteStartArray("alerts");
                foreach (var a in grp.Alerts) WriteAlert(w, a, statuses[a.Fingerprint], receiversOf[a.Fingerprint]);
                w.WriteEndArray();
                WriteLabels(w, "labels", grp.Labels);
                w.WriteStartObject("receiver");
                w.WriteString("name", grp.Receiver);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    });

    private static void WriteSilence(Utf8JsonWriter w, Silence s, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteStartObject("status");
        w.WriteString("state", s.StateAt(now) switch { SilenceState.Active => "active", SilenceState.Pending => "pending", _ => "expired" });
        w.WriteEndObject();
        w.WriteString("updatedAt", Time(s.UpdatedAt));
        w.WriteString("comment", s.Comment);
        w.WriteString("createdBy", s.CreatedBy);
        w.WriteString("endsAt", Time(s.EndsAt));
        w.WriteStartArray("matchers");
        foreach (var m in s.Matchers)
        {
            w.WriteStartObject();
            w.WriteBoolean("isEqual", m.Type is MatchType.Equal or MatchType.Regex);
            w.WriteBoolean("isRegex", m.Type is MatchType.Regex or MatchType.NotRegex);
            w.WriteString("name", m.Name);
            w.WriteString("value", m.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("startsAt", Time(s.StartsAt));
        w.WriteEndObject();
    }

    private static Task GetSilences(HttpContext ctx) => Guard(ctx, async () =>
    {
        var am = Am(ctx);
        var filter = FilterParam(ctx);
        var now = am.Now;
        var list = new List<Silence>();
        foreach (var s in am.Silences.List())
        {
            bool ok = true;
            foreach (var f in filter)
            {
                var own = s.Matchers.FirstOrDefault(m => m.Name == f.Name);
                if (own is null || !f.Matches(own.Value)) { ok = false; break; }
            }
            if (ok) list.Add(s);
        }
        static int Rank(SilenceState st) => st switch { SilenceState.Active => 0, SilenceState.Pending => 1, _ => 2 };
        list.Sort((a, b) =>
        {
            SilenceState sa = a.StateAt(now), sb = b.StateAt(now);
            if (sa != sb) return Rank(sa).CompareTo(Rank(sb));
            return sa switch
            {
                SilenceState.Active => a.EndsAt.CompareTo(b.EndsAt),
                SilenceState.Pending => a.StartsAt.CompareTo(b.StartsAt),
                _ => b.EndsAt.CompareTo(a.EndsAt),
            };
        });
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartArray();
            foreach (var s in list) WriteSilence(w, s, now);
            w.WriteEndArray();
        });
    });

    private static Task PostSilence(HttpContext ctx) => Guard(ctx, async () =>
    {
        var am = Am(ctx);
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        }
        catch (JsonException ex)
        {
            throw new BadRequestException($"parsing silence: {ex.Message}");
        }
        using var parsed = doc;
        var e = doc.RootElement;
        if (e.ValueKind != JsonValueKind.Object) throw new BadRequestException("silence in body must be of type object");
        string Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var start = ParseTime(e, "startsAt") ?? throw new BadRequestException("startsAt in body is required");
        var end = ParseTime(e, "endsAt") ?? throw new BadRequestException("endsAt in body is required");
        if (!e.TryGetProperty("matchers", out var ms) || ms.ValueKind != JsonValueKind.Array) throw new BadRequestException("matchers in body is required");
        var matchers = new List<Matcher>();
        foreach (var m in ms.EnumerateArray())
        {
            var name = m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new BadRequestException("matchers.name in body is required");
            var value = m.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new BadRequestException("matchers.value in body is required");
            bool isRegex = m.TryGetProperty("isRegex", out var r) && r.ValueKind == JsonValueKind.True;
            bool isEqual = !m.TryGetProperty("isEqual", out var q) || q.ValueKind != JsonValueKind.False;
            var type = (isRegex, isEqual) switch { (false, true) => MatchType.Equal, (false, false) => MatchType.NotEqual, (true, true) => MatchType.Regex, _ => MatchType.NotRegex };
            try
            {
                matchers.Add(new Matcher(type, name, value));
            }
            catch (ArgumentException ex)
            {
                throw new BadRequestException(ex.Message);
            }
        }
        if (start >= end) throw new BadRequestException("Failed to create silence: start time must be before end time");
        if (end < am.Now) throw new BadRequestException("Failed to create silence: end time can't be in the past");
        string id;
        try
        {
            id = am.Silences.Set(new Silence { Id = Str("id"), Matchers = matchers, StartsAt = start, EndsAt = end, CreatedBy = Str("createdBy"), Comment = Str("comment") });
        }
        catch (SilenceException ex) when (ex.NotFound)
        {
            await ErrorAsync(ctx, 404, ex.Message);
            return;
        }
        catch (SilenceException ex)
        {
            throw new BadRequestException(ex.Message);
        }
        await WriteJsonAsync(ctx, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("silenceID", id);
            w.WriteEndObject();
        });
    });

    private static async Task GetSilence(HttpContext ctx, string id)
    {
        var am = Am(ctx);
        var s = am.Silences.Get(id);
        if (s is null)
        {
            NotFound(ctx);
            return;
        }
        await WriteJsonAsync(ctx, 200, w => WriteSilence(w, s, am.Now));
    }

    private static async Task DeleteSilence(HttpContext ctx, string id)
    {
        var am = Am(ctx);
        try
        {
            am.Silences.Expire(id);
            ctx.Response.StatusCode = 200;
        }
        catch (SilenceException e) when (e.NotFound)
        {
            NotFound(ctx);
        }
        catch (SilenceException e)
        {
            await ErrorAsync(ctx, 500, e.Message);
        }
    }
}
