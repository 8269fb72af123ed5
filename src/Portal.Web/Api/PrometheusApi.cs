using System.Diagnostics;
using System.Text.Json;
using Portal.Data;
using Portal.Ingest.Scrape;
using Portal.Model;
using Portal.PromQL;
using Portal.Tenancy;
using Portal.Web.Auth;
using Portal.Web.Hosting;

namespace Portal.Web.Api;

/// <summary>
/// The Prometheus HTTP API (<c>/api/v1/…</c>) per tenant, as Prometheus documents it, so Grafana's
/// Prometheus data source and other tools work unchanged. The tenant always comes from the
/// credential; nothing in the request (headers such as X-Scope-OrgID, parameters) can name another.
/// </summary>
public static class PrometheusApi
{
    /// <summary>The Prometheus version whose API this one matches; Grafana reads it to pick features.</summary>
    public const string CompatibleVersion = "3.0.0";

    public static IEndpointRouteBuilder MapPrometheusApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api/v1").RequireAuthorization(MachineAuth.Policy(TokenScopes.Read)).DisableAntiforgery();
        read.MapMethods("/query", ["GET", "POST"], Query);
        read.MapMethods("/query_range", ["GET", "POST"], QueryRange);
        read.MapMethods("/series", ["GET", "POST"], Series);
        read.MapMethods("/labels", ["GET", "POST"], LabelNamesEndpoint);
        read.MapGet("/label/{name}/values", LabelValues);
        read.MapGet("/metadata", Metadata);
        read.MapGet("/targets", Targets);
        read.MapGet("/targets/metadata", TargetsMetadata);
        read.MapMethods("/query_exemplars", ["GET", "POST"], (HttpContext ctx) => Handle(ctx, _ => ApiResponse.SuccessAsync(ctx, w => { w.WriteStartArray(); w.WriteEndArray(); })));
        read.MapMethods("/format_query", ["GET", "POST"], FormatQuery);
        read.MapMethods("/parse_query", ["GET", "POST"], ParseQuery);
        read.MapGet("/status/buildinfo", BuildInfo);
        read.MapGet("/status/config", Config);
        read.MapGet("/status/flags", Flags);
        read.MapGet("/status/runtimeinfo", RuntimeInfo);
        read.MapGet("/status/tsdb", TsdbStatus);
        read.MapGet("/status/limits", LimitsStatus);

        var admin = endpoints.MapGroup("/api/v1/admin/tsdb").RequireAuthorization(MachineAuth.Policy(TokenScopes.Admin)).DisableAntiforgery();
        admin.MapMethods("/delete_series", ["POST", "PUT"], DeleteSeries);
        return endpoints;
    }

    /// <summary>Runs a handler with the caller's tenant engine, turning bad parameters into bad_data answers.</summary>
    internal static async Task Handle(HttpContext ctx, Func<TenantEngine, Task> handler)
    {
        var tenant = ctx.User.TenantId() ?? throw new InvalidOperationException("authorization let a request without tenant through");
        var engine = ctx.RequestServices.GetRequiredService<TenantEngineRegistry>().Get(tenant);
        try
        {
            await handler(engine);
        }
        catch (BadParameterException e)
        {
            await ApiResponse.ErrorAsync(ctx, "bad_data", e.Message);
        }
    }

    private static Task Query(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var query = p.Get("query") ?? "";
        var time = p.Time("time", Timestamp.Now());
        using var cts = QueryCancellation(ctx, p);
        var result = engine.Query.InstantQuery(engine.Queryable, query, time, cts.Token);
        await WriteQueryResultAsync(ctx, result);
    });

    private static Task QueryRange(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var query = p.Get("query") ?? "";
        long start = p.Time("start", long.MinValue);
        if (start == long.MinValue) throw new BadParameterException("invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
        long end = p.Time("end", long.MinValue);
        if (end == long.MinValue) throw new BadParameterException("invalid parameter \"end\": cannot parse \"\" to a valid timestamp");
        if (end < start) throw new BadParameterException("invalid parameter \"end\": end timestamp must not be before start time");
        var step = p.Duration("step") ?? throw new BadParameterException("invalid parameter \"step\": cannot parse \"\" to a valid duration");
        if (step <= 0)
            throw new BadParameterException("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        if ((end - start) / step > 11_000)
            throw new BadParameterException("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
        using var cts = QueryCancellation(ctx, p);
        var result = engine.Query.RangeQuery(engine.Queryable, query, start, end, step, cts.Token);
        await WriteQueryResultAsync(ctx, result);
    });

    /// <summary>Cancels with the client, and after the request's timeout parameter when it is shorter than the tenant's.</summary>
    private static CancellationTokenSource QueryCancellation(HttpContext ctx, ApiParams p)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        if (p.Duration("timeout") is { } ms && ms > 0) cts.CancelAfter(TimeSpan.FromMilliseconds(ms));
        return cts;
    }

    private static Task WriteQueryResultAsync(HttpContext ctx, QueryResult result)
    {
        if (result.Error is { } error) return ApiResponse.ErrorAsync(ctx, error.ErrorType, error.Message, result.Warnings);
        return ApiResponse.SuccessAsync(ctx, w => ApiResponse.WriteQueryData(w, result.Value!), result.Warnings, result.Infos);
    }

    /// <summary>The tenant's scrape targets as Prometheus's /api/v1/targets shows them (state=active|dropped|any, scrapePool=…).</summary>

    /// <summary>
    /// /api/v1/targets/metadata: every active target's metric metadata, as Prometheus lists it. match_target
    /// selects targets by their labels; with metric only that metric's entry is given (and the metric field left
    /// out); limit stops adding targets once that many entries are listed.
    /// </summary>
    private static Task TargetsMetadata(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        int limit = p.SignedLimit("limit");
        var metric = p.Get("metric") ?? "";
        Matcher[]? matchers = null;
        if (p.Get("match_target") is { Length: > 0 } selector)
        {
            try
            {
                matchers = PromQLParser.ParseMetricSelector(selector).ToArray();
            }
            catch (PromQLParseException e)
            {
                throw new BadParameterException($"invalid parameter \"match_target\": {e.Message}");
            }
        }
        var rows = new List<(Labels Target, MetricMetadata Meta)>();
        foreach (var t in engine.Scrape.ActiveTargets())
        {
            if (limit >= 0 && rows.Count >= limit) break;
            if (matchers is not null && !Matcher.AllMatch(matchers, t.Labels)) continue;
            foreach (var md in t.Metadata)
                if (metric.Length == 0 || md.Metric == metric) rows.Add((t.Labels, md));
        }
        await ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartArray();
            foreach (var (target, md) in rows)
            {
                w.WriteStartObject();
                w.WritePropertyName("target");
                ApiResponse.WriteLabels(w, target);
                if (metric.Length == 0) w.WriteString("metric", md.Metric);
                w.WriteString("type", md.Type);
                w.WriteString("help", md.Help);
                w.WriteString("unit", md.Unit);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    });

    /// <summary>
    /// /api/v1/metadata: the distinct (type, help, unit) of each metric over all active targets, as Prometheus
    /// serves it. limit caps the number of metrics, limit_per_metric the entries per metric; metric selects one.
    /// </summary>
    private static Task Metadata(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        int limit = p.SignedLimit("limit"), perMetric = p.SignedLimit("limit_per_metric");
        var metric = p.Get("metric") ?? "";
        var byMetric = new SortedDictionary<string, List<MetricMetadata>>(StringComparer.Ordinal);
        foreach (var t in engine.Scrape.ActiveTargets())
            foreach (var md in t.Metadata)
            {
                if (metric.Length > 0 && md.Metric != metric) continue;
                var norm = md with { Metric = "" };
                if (!byMetric.TryGetValue(md.Metric, out var list)) byMetric[md.Metric] = list = [];
                if (perMetric > 0 && list.Count >= perMetric) continue;
                if (!list.Contains(norm)) list.Add(norm);
            }
        await ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            int n = 0;
            foreach (var (name, list) in byMetric)
            {
                if (limit >= 0 && n++ >= limit) break;
                w.WriteStartArray(name);
                foreach (var md in list)
                {
                    w.WriteStartObject();
                    w.WriteString("type", md.Type);
                    w.WriteString("help", md.Help);
                    w.WriteString("unit", md.Unit);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    });

    private static Task Targets(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var state = (p.Get("state") ?? "any").ToLowerInvariant();
        var pool = p.Get("scrapePool");
        bool active = state is "any" or "active", dropped = state is "any" or "dropped";
        var targets = engine.Scrape.ActiveTargets().Where(t => pool is null || t.ScrapePool == pool).ToList();
        var droppedTargets = engine.Scrape.DroppedTargets();
        await ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("activeTargets");
            if (active)
            {
                foreach (var t in targets)
                {
                    var st = t.State;
                    w.WriteStartObject();
                    w.WritePropertyName("discoveredLabels");
                    ApiResponse.WriteLabels(w, t.DiscoveredLabels);
                    w.WritePropertyName("labels");
                    ApiResponse.WriteLabels(w, t.Labels);
                    w.WriteString("scrapePool", t.ScrapePool);
                    w.WriteString("scrapeUrl", t.Url.ToString());
                    w.WriteString("globalUrl", t.Url.ToString());
                    w.WriteString("lastError", st.LastError ?? "");
                    w.WriteString("lastScrape", (st.LastScrape ?? DateTimeOffset.UnixEpoch).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteNumber("lastScrapeDuration", st.LastDuration.TotalSeconds);
                    w.WriteString("health", st.Health.ToString().ToLowerInvariant());
                    w.WriteString("scrapeInterval", PromDuration.Format(t.Interval));
                    w.WriteString("scrapeTimeout", PromDuration.Format(t.Timeout));
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteStartArray("droppedTargets");
            if (dropped)
            {
                foreach (var d in droppedTargets.Where(d => pool is null || d.ScrapePool == pool))
                {
                    w.WriteStartObject();
                    w.WritePropertyName("discoveredLabels");
                    ApiResponse.WriteLabels(w, d.DiscoveredLabels);
                    w.WriteString("scrapePool", d.ScrapePool);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteStartObject("droppedTargetCounts");
            foreach (var g in droppedTargets.GroupBy(d => d.ScrapePool).OrderBy(g => g.Key, StringComparer.Ordinal))
                w.WriteNumber(g.Key, g.Count());
            w.WriteEndObject();
            w.WriteEndObject();
        });
    });

    private static Task Series(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var selectors = p.Selectors(required: true);
        long start = p.Time("start", ApiParams.MinTime), end = p.Time("end", ApiParams.MaxTime);
        int limit = p.Limit();
        var seen = new HashSet<Labels>();
        var list = new List<Labels>();
        var warnings = new List<string>();
        using (var q = engine.Queryable.Querier(start, end))
        {
            foreach (var matchers in selectors)
            {
                var set = q.Select(true, new SelectHints { Start = start, End = end, Func = "series" }, matchers);
                while (set.MoveNext())
                    if (seen.Add(set.Current.Labels)) list.Add(set.Current.Labels);
                if (set.Error is { } e) throw new BadParameterException(e.Message);
                warnings.AddRange(set.Warnings);
            }
        }
        if (selectors.Count > 1) list.Sort((a, b) => a.CompareTo(b));
        if (limit > 0 && list.Count > limit)
        {
            list.RemoveRange(limit, list.Count - limit);
            warnings.Add("results truncated due to limit");
        }
        await ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartArray();
            foreach (var l in list) ApiResponse.WriteLabels(w, l);
            w.WriteEndArray();
        }, warnings);
    });

    private static Task LabelNamesEndpoint(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var selectors = p.Selectors(required: false);
        long start = p.Time("start", ApiParams.MinTime), end = p.Time("end", ApiParams.MaxTime);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        using (var q = engine.Queryable.Querier(start, end))
        {
            if (selectors.Count == 0) names.UnionWith(q.LabelNames());
            foreach (var matchers in selectors) names.UnionWith(q.LabelNames(matchers));
        }
        await WriteStringListAsync(ctx, names, p.Limit());
    });

    private static Task LabelValues(HttpContext ctx, string name) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        if (name.StartsWith("U__", StringComparison.Ordinal)) name = UnescapeLabelName(name);
        if (!LabelNames.IsValidUtf8Name(name)) throw new BadParameterException($"invalid label name: \"{name}\"");
        var selectors = p.Selectors(required: false);
        long start = p.Time("start", ApiParams.MinTime), end = p.Time("end", ApiParams.MaxTime);
        var values = new SortedSet<string>(StringComparer.Ordinal);
        using (var q = engine.Queryable.Querier(start, end))
        {
            if (selectors.Count == 0) values.UnionWith(q.LabelValues(name));
            foreach (var matchers in selectors) values.UnionWith(q.LabelValues(name, matchers));
        }
        await WriteStringListAsync(ctx, values, p.Limit());
    });

    /// <summary>Prometheus's escaping for UTF-8 label names in a URL path: <c>U__</c>, with <c>_xx_</c> hex code points and <c>__</c> for '_'.</summary>
    internal static string UnescapeLabelName(string escaped)
    {
        var s = escaped[3..];
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '_') { sb.Append(s[i]); continue; }
            if (i + 1 < s.Length && s[i + 1] == '_') { sb.Append('_'); i++; continue; }
            int close = s.IndexOf('_', i + 1);
            if (close < 0 || !int.TryParse(s.AsSpan(i + 1, close - i - 1), System.Globalization.NumberStyles.HexNumber, null, out var cp))
                return escaped;
            sb.Append(char.ConvertFromUtf32(cp));
            i = close;
        }
        return sb.ToString();
    }

    private static Task WriteStringListAsync(HttpContext ctx, IEnumerable<string> values, int limit)
    {
        var warnings = new List<string>();
        var list = values.ToList();
        if (limit > 0 && list.Count > limit)
        {
            list.RemoveRange(limit, list.Count - limit);
            warnings.Add("results truncated due to limit");
        }
        return ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartArray();
            foreach (var v in list) w.WriteStringValue(v);
            w.WriteEndArray();
        }, warnings);
    }

    private static Task FormatQuery(HttpContext ctx) => Handle(ctx, async _ =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        string formatted;
        try
        {
            formatted = PromQLParser.ParseExpr(p.Get("query") ?? "").ToString();
        }
        catch (PromQLParseException e)
        {
            throw new BadParameterException(e.Message);
        }
        await ApiResponse.SuccessAsync(ctx, w => w.WriteStringValue(formatted));
    });

    /// <summary>The query's syntax tree as JSON (Prometheus's experimental tree-view endpoint).</summary>
    private static Task ParseQuery(HttpContext ctx) => Handle(ctx, async _ =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        Portal.PromQL.Ast.Expr expr;
        try
        {
            expr = PromQLParser.ParseExpr(p.Get("query") ?? "");
        }
        catch (PromQLParseException e)
        {
            throw new BadParameterException(e.Message);
        }
        await ApiResponse.SuccessAsync(ctx, w => AstJson.Write(w, expr));
    });

    private static Task BuildInfo(HttpContext ctx) => Handle(ctx, _ =>
    {
        var node = ctx.RequestServices.GetRequiredService<NodeInfo>();
        return ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteString("version", CompatibleVersion);
            w.WriteString("revision", node.Version);
            w.WriteString("branch", "main");
            w.WriteString("buildUser", "portal");
            w.WriteString("buildDate", "");
            w.WriteString("goVersion", node.RuntimeVersion);
            w.WriteString("application", "Portal");
            w.WriteEndObject();
        });
    });

    private static Task Config(HttpContext ctx) => Handle(ctx, engine =>
        ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteString("yaml", engine.DisplayConfigYaml);
            w.WriteEndObject();
        }));

    private static Task Flags(HttpContext ctx) => Handle(ctx, engine =>
        ApiResponse.SuccessAsync(ctx, w =>
        {
            var l = engine.Limits;
            w.WriteStartObject();
            w.WriteString("query.lookback-delta", "5m");
            w.WriteString("query.max-samples", l.MaxSamplesPerQuery.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("query.timeout", PromDuration.Format(l.QueryTimeout));
            w.WriteString("storage.tsdb.retention.time", PromDuration.Format(l.Retention));
            w.WriteString("storage.tsdb.path", "tenants/" + engine.TenantId);
            w.WriteString("web.enable-remote-write-receiver", "true");
            w.WriteEndObject();
        }));

    private static Task RuntimeInfo(HttpContext ctx) => Handle(ctx, engine =>
    {
        var node = ctx.RequestServices.GetRequiredService<NodeInfo>();
        return ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteString("startTime", node.StartedAt.UtcDateTime.ToString("O"));
            w.WriteString("CWD", "/");
            w.WriteBoolean("reloadConfigSuccess", true);
            w.WriteString("lastConfigTime", engine.ConfigAppliedAt.UtcDateTime.ToString("O"));
            w.WriteNumber("corruptionCount", 0);
            w.WriteNumber("goroutineCount", Process.GetCurrentProcess().Threads.Count);
            w.WriteNumber("GOMAXPROCS", Environment.ProcessorCount);
            w.WriteString("GOGC", "");
            w.WriteString("GODEBUG", "");
            w.WriteString("storageRetention", PromDuration.Format(engine.Limits.Retention));
            w.WriteString("hostname", Environment.MachineName);
            w.WriteString("serverTime", DateTimeOffset.UtcNow.UtcDateTime.ToString("O"));
            w.WriteNumber("timeSeriesCount", engine.Tsdb.HeadSeries);
            w.WriteEndObject();
        });
    });

    private static Task TsdbStatus(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        int limit = p.Limit();
        var status = engine.Tsdb.Status(limit == 0 ? 10 : limit);
        await ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("headStats");
            w.WriteNumber("numSeries", status.NumSeries);
            w.WriteNumber("numLabelPairs", status.SeriesCountByLabelValuePair.Count);
            w.WriteNumber("chunkCount", status.ChunkCount);
            w.WriteNumber("minTime", status.MinTime);
            w.WriteNumber("maxTime", status.MaxTime);
            w.WriteEndObject();
            WriteStats(w, "seriesCountByMetricName", status.SeriesCountByMetricName);
            WriteStats(w, "labelValueCountByLabelName", status.LabelValueCountByLabelName);
            WriteStats(w, "memoryInBytesByLabelName", status.MemoryInBytesByLabelName);
            WriteStats(w, "seriesCountByLabelValuePair", status.SeriesCountByLabelValuePair);
            w.WriteEndObject();
        });
    });

    private static void WriteStats(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, long>> stats)
    {
        w.WriteStartArray(name);
        foreach (var (k, v) in stats)
        {
            w.WriteStartObject();
            w.WriteString("name", k);
            w.WriteNumber("value", v);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static Task LimitsStatus(HttpContext ctx) => Handle(ctx, engine =>
    {
        var l = engine.Limits;
        var status = engine.Tsdb.Status(1);
        return ApiResponse.SuccessAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("limits");
            w.WriteNumber("ingestion_rate", l.IngestionRate);
            w.WriteNumber("ingestion_burst_size", l.IngestionBurstSize);
            w.WriteNumber("max_global_series_per_user", l.MaxGlobalSeriesPerUser);
            w.WriteNumber("max_label_names_per_series", l.MaxLabelNamesPerSeries);
            w.WriteNumber("max_scrape_targets", l.MaxScrapeTargets);
            w.WriteString("min_scrape_interval", PromDuration.Format(l.MinScrapeInterval));
            w.WriteNumber("max_samples_per_query", l.MaxSamplesPerQuery);
            w.WriteString("query_timeout", PromDuration.Format(l.QueryTimeout));
            w.WriteNumber("ruler_max_rule_groups_per_tenant", l.MaxRuleGroups);
            w.WriteString("compactor_blocks_retention_period", PromDuration.Format(l.Retention));
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("active_series", status.NumSeries);
            w.WriteNumber("samples_appended_total", engine.Usage.SamplesAppended);
            w.WriteNumber("samples_rate_limited_total", engine.Usage.SamplesRateLimited);
            w.WriteStartObject("samples_rejected_total");
            foreach (var (reason, n) in engine.Usage.Rejected) w.WriteNumber(reason.ToString(), n);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    });

    private static Task DeleteSeries(HttpContext ctx) => Handle(ctx, async engine =>
    {
        var p = await ApiParams.ReadAsync(ctx.Request);
        var selectors = p.Selectors(required: true);
        long start = p.Time("start", ApiParams.MinTime), end = p.Time("end", ApiParams.MaxTime);
        foreach (var matchers in selectors) engine.Tsdb.DeleteSeries(start, end, matchers);
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
    });
}
