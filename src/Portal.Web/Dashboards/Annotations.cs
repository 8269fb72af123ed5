using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Portal.Model;
using Portal.PromQL;
using Portal.Tenancy;

namespace Portal.Web.Dashboards;

/// <summary>One annotation query of a dashboard (Grafana's <c>annotations.list[]</c>), read in place.</summary>
public sealed class AnnotationModel(JsonObject json)
{
    /// <summary>Grafana's default step of a Prometheus annotation query.</summary>
    public const string DefaultStep = "60s";

    public JsonObject Json { get; } = json;

    public string Name => GrafanaJson.Str(Json["name"]) ?? "";

    /// <summary>Whether the query runs when the dashboard opens (the toggle's first state).</summary>
    public bool Enable => GrafanaJson.Bool(Json["enable"], true);

    /// <summary>Hidden annotations run but get no toggle.</summary>
    public bool Hide => GrafanaJson.Bool(Json["hide"]);

    /// <summary>Grafana's built-in "Annotations &amp; Alerts" (annotations stored in Grafana itself), which the portal does not have.</summary>
    public bool BuiltIn =>
        GrafanaJson.Num(Json["builtIn"]) == 1 || GrafanaJson.Bool(Json["builtIn"])
        || GrafanaJson.Str(Json["datasource"]) is "-- Grafana --"
        || GrafanaJson.Str((Json["datasource"] as JsonObject)?["type"]) is "grafana" or "datasource";

    public string IconColor => GrafanaJson.Str(Json["iconColor"]) is { Length: > 0 } c ? c : "rgba(255, 96, 96, 1)";

    /// <summary>The PromQL expression: <c>expr</c>, or in newer Grafana <c>target.expr</c>.</summary>
    public string Expr => GrafanaJson.Str(Json["expr"]) is { Length: > 0 } e ? e : GrafanaJson.Str((Json["target"] as JsonObject)?["expr"]) ?? "";

    public string Step => GrafanaJson.Str(Json["step"]) is { Length: > 0 } s ? s : DefaultStep;
    public string TitleFormat => GrafanaJson.Str(Json["titleFormat"]) ?? "";
    public string TextFormat => GrafanaJson.Str(Json["textFormat"]) ?? "";

    /// <summary>Label names whose values become the events' tags (<c>tagKeys</c>, comma-separated).</summary>
    public IReadOnlyList<string> TagKeys => (GrafanaJson.Str(Json["tagKeys"]) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The sample value is the event's time in milliseconds (rather than the sample's time).</summary>
    public bool UseValueForTime => GrafanaJson.Bool(Json["useValueForTime"]);

    /// <summary>Whether the events show on panel <paramref name="panelId"/> (<c>filter: {ids, exclude}</c>; every panel without one).</summary>
    public bool ShowsOn(int panelId)
    {
        if (Json["filter"] is not JsonObject f || f["ids"] is not JsonArray ids || ids.Count == 0) return true;
        bool listed = ids.Any(i => GrafanaJson.Num(i) == panelId);
        return listed != GrafanaJson.Bool(f["exclude"]);
    }

    /// <summary>The Prometheus annotation queries of a dashboard, Grafana's built-in one and those without an expression left out.</summary>
    public static List<AnnotationModel> List(JsonObject dashboard) =>
        ((dashboard["annotations"] as JsonObject)?["list"] as JsonArray ?? []).OfType<JsonObject>().Select(j => new AnnotationModel(j))
            .Where(a => !a.BuiltIn && a.Expr.Trim().Length > 0).ToList();
}

/// <summary>An annotation event: a point in time (<see cref="TimeEnd"/> equal to <see cref="Time"/>) or a region, in Unix ms.</summary>
public sealed record AnnotationEvent(string Annotation, long Time, long TimeEnd, string Title, string Text, IReadOnlyList<string> Tags, string Color)
{
    public bool IsRegion => TimeEnd > Time;
}

/// <summary>
/// Runs annotation queries as Grafana's Prometheus data source does: a range query at the annotation's step; every
/// sample of value ≥ 1 is active, and active samples no more than a step apart join into one region. Title and text
/// come from their formats with <c>{{label}}</c> placeholders; tags are the values of the tag keys.
/// </summary>
public sealed partial class AnnotationRunner(TenantEngine engine)
{
    [GeneratedRegex(@"\{\{\s*(.+?)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Events of <paramref name="annotation"/> over [start, end]; throws <see cref="ArgumentException"/> saying why a query cannot run.</summary>
    public Task<IReadOnlyList<AnnotationEvent>> RunAsync(AnnotationModel annotation, long startMs, long endMs, Interpolator interpolator, CancellationToken ct) =>
        Task.Run(() =>
        {
            long step = Intervals.ParseMinStep(interpolator.Interpolate(annotation.Step));
            if (step <= 0) throw new ArgumentException($"annotation \"{annotation.Name}\": step \"{annotation.Step}\" is not a duration such as 60s");
            step = Math.Max(step, Intervals.Step(0, 1, 0, endMs - startMs));
            var expr = interpolator.Interpolate(annotation.Expr);
            long alignedStart = startMs / step * step, alignedEnd = Math.Max(alignedStart, endMs / step * step);
            var result = engine.Query.RangeQuery(engine.Queryable, expr, alignedStart, alignedEnd, step, ct);
            if (result.Error is { } err)
            {
                if (err.Kind == ErrorKind.Canceled) throw new OperationCanceledException(ct);
                throw new ArgumentException($"annotation \"{annotation.Name}\": {err.Message}");
            }
            return result.Value is MatrixResult m
                ? Events(annotation, m.Series.Select(s => (s.Metric, s.Floats.Select(p => (p.T, p.V)).ToList())), step)
                : (IReadOnlyList<AnnotationEvent>)[];
        }, ct);

    /// <summary>Grafana's grouping of one query's series into events, given each series' (time ms, value) samples.</summary>
    public static IReadOnlyList<AnnotationEvent> Events(AnnotationModel annotation, IEnumerable<(Labels Labels, List<(long T, double V)> Samples)> series, long stepMs)
    {
        var events = new List<AnnotationEvent>();
        var tagKeys = annotation.TagKeys;
        foreach (var (labels, samples) in series)
        {
            var tags = tagKeys.Select(k => labels.Get(k)).Where(v => v.Length > 0).ToList();
            var title = Render(annotation.TitleFormat, labels);
            var text = Render(annotation.TextFormat, labels);
            var active = new List<long>();
            foreach (var (t, v) in samples)
            {
                if (annotation.UseValueForTime) { if (double.IsFinite(v)) active.Add((long)Math.Floor(v)); }
                else if (v >= 1) active.Add(t);
            }
            long? open = null, last = null;
            foreach (var t in active)
            {
                if (open is not null && last!.Value + stepMs >= t) { last = t; continue; }
                if (open is not null) events.Add(new AnnotationEvent(annotation.Name, open.Value, last!.Value, title, text, tags, annotation.IconColor));
                open = t;
                last = t;
            }
            if (open is not null) events.Add(new AnnotationEvent(annotation.Name, open.Value, last!.Value, title, text, tags, annotation.IconColor));
        }
        return events.OrderBy(e => e.Time).ToList();
    }

    /// <summary>A title or text format with each <c>{{label}}</c> replaced by the label's value (empty when absent).</summary>
    public static string Render(string format, Labels labels) => Placeholder().Replace(format, m => labels.Get(m.Groups[1].Value));

    /// <summary>What wwwroot/js/portal-dashboard.js draws: points as vertical lines, regions as shaded areas.</summary>
    public static object Payload(IEnumerable<AnnotationEvent> events) =>
        events.Take(500).Select(e => new { time = e.Time, timeEnd = e.TimeEnd, title = e.Title, text = e.Text, tags = e.Tags, color = UnitFormat.Css(e.Color) }).ToList();
}
