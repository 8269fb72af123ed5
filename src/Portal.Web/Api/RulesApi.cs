using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Data;
using Portal.Model;
using Portal.Rules;
using Portal.Rules.Templates;
using Portal.Tenancy;
using Portal.Web.Auth;

namespace Portal.Web.Api;

/// <summary>
/// <c>GET /api/v1/rules</c> and <c>GET /api/v1/alerts</c> per tenant, with Prometheus's filters (type, rule_name[],
/// rule_group[], file[], exclude_alerts, match[], group_limit/group_next_token) and JSON shapes.
/// </summary>
public static class RulesApi
{
    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api/v1").RequireAuthorization(MachineAuth.Policy(TokenScopes.Read)).DisableAntiforgery();
        read.MapGet("/rules", Rules);
        read.MapGet("/alerts", Alerts);
        return endpoints;
    }

    private static Task Alerts(HttpContext ctx) => PrometheusApi.Handle(ctx, engine => ApiResponse.SuccessAsync(ctx, w => WriteAlertsData(w, engine.Rules)));

    /// <summary>The data of /api/v1/alerts: every pending or firing alert of the tenant.</summary>
    public static void WriteAlertsData(Utf8JsonWriter w, RuleManager rules)
    {
        w.WriteStartObject();
        w.WriteStartArray("alerts");
        foreach (var rule in rules.AlertingRules())
            foreach (var a in rule.ActiveAlerts()) WriteAlert(w, a);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static Task Rules(HttpContext ctx) => PrometheusApi.Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var filter = RulesFilter.Parse(p);
        var groups = engine.Rules.Groups;
        if (filter.MaxGroups > 0 && filter.NextToken is { Length: > 0 } token)
        {
            bool found = false;
            foreach (var g in groups)
                if (NextToken(g) == token) { found = true; break; }
            if (!found)
            {
                await ApiResponse.ErrorAsync(ctx, "bad_data", $"invalid group_next_token '{token}'. were rule groups changed?");
                return;
            }
        }
        await ApiResponse.SuccessAsync(ctx, w => WriteRulesData(w, groups, filter));
    });

    /// <summary>The parsed filters of /api/v1/rules.</summary>
    public sealed record RulesFilter
    {
        public bool ReturnAlerting { get; init; } = true;
        public bool ReturnRecording { get; init; } = true;
        public IReadOnlySet<string> RuleNames { get; init; } = new HashSet<string>();
        public IReadOnlySet<string> GroupNames { get; init; } = new HashSet<string>();
        public IReadOnlySet<string> Files { get; init; } = new HashSet<string>();
        public bool ExcludeAlerts { get; init; }
        public IReadOnlyList<Matcher[]> MatcherSets { get; init; } = [];
        public int MaxGroups { get; init; }
        public string? NextToken { get; init; }

        internal bool FiltersRules => !ReturnAlerting || !ReturnRecording || RuleNames.Count > 0 || MatcherSets.Count > 0;

        internal static RulesFilter Parse(ApiParams p)
        {
            var typ = (p.Get("type") ?? "").ToLowerInvariant();
            if (typ is not ("" or "alert" or "record"))
                throw new BadParameterException($"invalid parameter \"type\": not supported value \"{typ}\"");
            bool exclude = false;
            if (p.Get("exclude_alerts") is { Length: > 0 } ex && !TryParseGoBool(ex, out exclude))
                throw new BadParameterException($"invalid parameter \"exclude_alerts\": strconv.ParseBool: parsing \"{ex}\": invalid syntax");
            var limitText = p.Get("group_limit");
            var next = p.Get("group_next_token");
            if (!string.IsNullOrEmpty(next) && string.IsNullOrEmpty(limitText))
                throw new BadParameterException("invalid parameter \"group_next_token\": group_limit needs to be present in order to paginate over the groups");
            int max = 0;
            if (!string.IsNullOrEmpty(limitText))
            {
                if (!int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out max))
                    throw new BadParameterException($"invalid parameter \"group_limit\": group_limit needs to be a valid number: strconv.ParseInt: parsing \"{limitText}\": invalid syntax");
                if (max <= 0) throw new BadParameterException("invalid parameter \"group_limit\": group_limit needs to be greater than 0");
            }
            return new RulesFilter
            {
                ReturnAlerting = typ is "" or "alert",
                ReturnRecording = typ is "" or "record",
                RuleNames = Set(p.GetAll("rule_name[]")),
                GroupNames = Set(p.GetAll("rule_group[]")),
                Files = Set(p.GetAll("file[]")),
                ExcludeAlerts = exclude,
                MatcherSets = p.Selectors(required: false),
                MaxGroups = max,
                NextToken = next,
            };
        }

        private static HashSet<string> Set(IReadOnlyList<string> values)
        {
            var s = new HashSet<string>(StringComparer.Ordinal);
            foreach (var v in values)
                if (v.Length > 0) s.Add(v);
            return s;
        }

        private static bool TryParseGoBool(string s, out bool value)
        {
            switch (s)
            {
                case "1" or "t" or "T" or "TRUE" or "true" or "True": value = true; return true;
                case "0" or "f" or "F" or "FALSE" or "false" or "False": value = false; return true;
                default: value = false; return false;
            }
        }
    }

    /// <summary>Prometheus's pagination token of a group: hex SHA-1 of "file;name".</summary>
    public static string NextToken(EvaluationGroup g) =>
        Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(g.File + ";" + g.Name))).ToLowerInvariant();

    /// <summary>The data of /api/v1/rules for <paramref name="groups"/> under <paramref name="filter"/>.</summary>
    public static void WriteRulesData(Utf8JsonWriter w, IReadOnlyList<EvaluationGroup> groups, RulesFilter filter)
    {
        w.WriteStartObject();
        w.WriteStartArray("groups");
        string? nextToken = null;
        bool foundToken = false;
        int written = 0;
        foreach (var g in groups)
        {
            if (filter.MaxGroups > 0 && !string.IsNullOrEmpty(filter.NextToken) && !foundToken)
            {
                if (NextToken(g) != filter.NextToken) continue;
                foundToken = true;
            }
            if (filter.MaxGroups > 0 && written == filter.MaxGroups)
            {
                nextToken = NextToken(g);
                break;
            }
            if (filter.GroupNames.Count > 0 && !filter.GroupNames.Contains(g.Name)) continue;
            if (filter.Files.Count > 0 && !filter.Files.Contains(g.File)) continue;
            var rules = new List<Rule>();
            foreach (var r in g.Rules)
            {
                if (filter.RuleNames.Count > 0 && !filter.RuleNames.Contains(r.Name)) continue;
                if (r is AlertingRule ? !filter.ReturnAlerting : !filter.ReturnRecording) continue;
                if (!Matches(filter.MatcherSets, r.Labels)) continue;
                rules.Add(r);
            }
            if (rules.Count == 0 && filter.FiltersRules) continue;
            WriteGroup(w, g, rules, filter.ExcludeAlerts);
            written++;
        }
        w.WriteEndArray();
        if (nextToken is not null) w.WriteString("groupNextToken", nextToken);
        w.WriteEndObject();
    }

    private static bool Matches(IReadOnlyList<Matcher[]> sets, Labels labels)
    {
        if (sets.Count == 0) return true;
        foreach (var set in sets)
            if (Matcher.AllMatch(set, labels)) return true;
        return false;
    }

    private static void WriteGroup(Utf8JsonWriter w, EvaluationGroup g, List<Rule> rules, bool excludeAlerts)
    {
        w.WriteStartObject();
        w.WriteString("name", g.Name);
        w.WriteString("file", g.File);
        w.WriteStartArray("rules");
        foreach (var r in rules)
        {
            w.WriteStartObject();
            if (r is AlertingRule a)
            {
                w.WriteString("state", a.State.Text());
                w.WriteString("name", a.Name);
                w.WriteString("query", a.Query);
                w.WriteNumber("duration", a.HoldDuration.TotalSeconds);
                w.WriteNumber("keepFiringFor", a.KeepFiringFor.TotalSeconds);
                w.WritePropertyName("labels");
                ApiResponse.WriteLabels(w, a.Labels);
                w.WritePropertyName("annotations");
                ApiResponse.WriteLabels(w, a.Annotations);
                if (excludeAlerts) w.WriteNull("alerts");
                else
                {
                    w.WriteStartArray("alerts");
                    foreach (var alert in a.ActiveAlerts()) WriteAlert(w, alert);
                    w.WriteEndArray();
                }
                WriteStatus(w, r);
                w.WriteString("type", "alerting");
            }
            else
            {
                w.WriteString("name", r.Name);
                w.WriteString("query", r.Query);
                if (r.Labels.Count > 0)
                {
                    w.WritePropertyName("labels");
                    ApiResponse.WriteLabels(w, r.Labels);
                }
                WriteStatus(w, r);
                w.WriteString("type", "recording");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("interval", g.Interval.TotalSeconds);
        w.WriteNumber("limit", g.Limit);
        w.WriteNumber("evaluationTime", g.EvaluationDuration.TotalSeconds);
        w.WriteString("lastEvaluation", GoTimeText(g.LastEvaluation));
        w.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter w, Rule r)
    {
        w.WriteString("health", r.Health.Text());
        if (r.LastError is { Length: > 0 } err) w.WriteString("lastError", err);
        w.WriteNumber("evaluationTime", r.EvaluationDuration.TotalSeconds);
        w.WriteString("lastEvaluation", GoTimeText(r.LastEvaluation));
    }

    private static void WriteAlert(Utf8JsonWriter w, Alert a)
    {
        w.WriteStartObject();
        w.WritePropertyName("labels");
        ApiResponse.WriteLabels(w, a.Labels);
        w.WritePropertyName("annotations");
        ApiResponse.WriteLabels(w, a.Annotations);
        w.WriteString("state", a.State.Text());
        w.WriteString("activeAt", GoTimeText(a.ActiveAt));
        if (a.KeepFiringSince != default) w.WriteString("keepFiringSince", GoTimeText(a.KeepFiringSince));
        w.WriteString("value", GoFormat.FormatFloat(a.Value, 'e', -1));
        w.WriteEndObject();
    }

    /// <summary>A time as Go's JSON writes time.Time (RFC 3339 with trimmed nanoseconds; the zero time for "never").</summary>
    public static string GoTimeText(DateTimeOffset t) =>
        t == default ? "0001-01-01T00:00:00Z" : new GoTime(t.ToUniversalTime()).Format("2006-01-02T15:04:05.999999999Z07:00");
}
