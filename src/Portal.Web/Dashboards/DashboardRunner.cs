using System.Text.RegularExpressions;
using Portal.Model;
using Portal.PromQL;
using Portal.Tenancy;

namespace Portal.Web.Dashboards;

/// <summary>One series of a panel's data: its legend name, labels, query, the step it was queried with and points (null values are gaps).</summary>
public sealed record PanelSeries(string Name, Labels Labels, string RefId, long[] T, double?[] V, long StepMs = 0)
{
    /// <summary>The last non-null value, or null.</summary>
    public double? Last
    {
        get
        {
            for (int i = V.Length - 1; i >= 0; i--)
                if (V[i] is { } v) return v;
            return null;
        }
    }

    /// <summary>Grafana's reducers: <c>lastNotNull</c>/<c>last</c>, <c>first</c>/<c>firstNotNull</c>, <c>mean</c>, <c>min</c>, <c>max</c>, <c>sum</c>, <c>count</c>, <c>range</c>, <c>delta</c>; null when there is no value.</summary>
    public double? Reduce(string calc)
    {
        var values = V.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        if (calc == "count") return values.Count;
        if (values.Count == 0) return null;
        return calc switch
        {
            "first" or "firstNotNull" => values[0],
            "mean" or "avg" => values.Average(),
            "min" => values.Min(),
            "max" => values.Max(),
            "sum" or "total" => values.Sum(),
            "range" => values.Max() - values.Min(),
            "delta" => values[^1] - values[0],
            _ => values[^1],
        };
    }
}

/// <summary>A panel's data for one refresh: series, or the error to show; <see cref="StepMs"/> is the smallest step of its queries.</summary>
public sealed record PanelData(IReadOnlyList<PanelSeries> Series, string? Error, long StartMs, long EndMs, long StepMs, IReadOnlyList<string> Warnings)
{
    public static PanelData Failed(string error, long start, long end) => new([], error, start, end, 0, []);
}

/// <summary>
/// Runs a dashboard's queries against a tenant's engine: template variable options (<c>label_values</c>,
/// <c>label_names</c>, <c>metrics</c>, <c>query_result</c>, custom lists, intervals) and panel queries, each query on
/// the thread pool so a dashboard's panels run in parallel. Thread-safe; cancellation stops queries in flight.
/// </summary>
public sealed partial class DashboardRunner(TenantEngine engine)
{
    /// <summary>The scrape interval Grafana assumes for a Prometheus data source without one configured.</summary>
    public const long DefaultScrapeIntervalMs = 15_000;

    /// <summary>
    /// The data source's scrape interval, as Grafana's Prometheus data source setting: the global <c>scrape_interval</c>
    /// of the tenant's running prometheus.yml, or <see cref="DefaultScrapeIntervalMs"/> while none runs. It is the
    /// lower bound of <c>$__interval</c> and the base of <c>$__rate_interval</c>.
    /// </summary>
    public long ScrapeIntervalMs => engine.Scrape.Config?.Global?.ScrapeInterval.Milliseconds is { } ms && ms > 0 ? ms : DefaultScrapeIntervalMs;

    [GeneratedRegex(@"^\s*label_values\s*\(\s*(?:(?<sel>.*)\s*,\s*)?(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LabelValuesPattern();

    [GeneratedRegex(@"^\s*label_names\s*\(\s*(?<sel>.*?)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LabelNamesPattern();

    [GeneratedRegex(@"^\s*metrics\s*\(\s*(?<re>.*?)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex MetricsPattern();

    [GeneratedRegex(@"^\s*query_result\s*\(\s*(?<expr>.*)\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex QueryResultPattern();

    /// <summary>
    /// The options of a variable over [start, end], its query interpolated with <paramref name="interpolator"/> (earlier
    /// variables), filtered by its regex. Throws <see cref="ArgumentException"/> with the reason for a query it cannot run.
    /// </summary>
    public Task<IReadOnlyList<string>> VariableOptionsAsync(VariableModel variable, long startMs, long endMs, Interpolator interpolator, CancellationToken ct) =>
        Task.Run(() =>
        {
            var query = interpolator.Interpolate(variable.Query);
            IReadOnlyList<string> raw = variable.Type switch
            {
                "custom" or "interval" => VariableModel.CustomValues(query),
                "constant" => [query],
                "textbox" => variable.Current.Count > 0 ? [variable.Current[0]] : [query],
                "datasource" => ["Prometheus"],
                _ => RunVariableQuery(query, startMs, endMs, ct),
            };
            return variable.Type is "query" ? variable.FilterByRegex(raw) : raw;
        }, ct);

    private IReadOnlyList<string> RunVariableQuery(string query, long startMs, long endMs, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(query)) return [];
        Match m;
        if ((m = LabelValuesPattern().Match(query)).Success)
        {
            var matchers = m.Groups["sel"].Success && m.Groups["sel"].Value.Trim().Length > 0 ? Selector(m.Groups["sel"].Value) : [];
            using var q = engine.Queryable.Querier(startMs, endMs);
            return q.LabelValues(m.Groups["label"].Value, matchers).Where(v => v.Length > 0).ToList();
        }
        if ((m = LabelNamesPattern().Match(query)).Success)
        {
            var matchers = m.Groups["sel"].Value.Length > 0 ? Selector(m.Groups["sel"].Value) : [];
            using var q = engine.Queryable.Querier(startMs, endMs);
            return q.LabelNames(matchers).ToList();
        }
        if ((m = MetricsPattern().Match(query)).Success)
        {
            using var q = engine.Queryable.Querier(startMs, endMs);
            var names = q.LabelValues(Labels.MetricName);
            if (m.Groups["re"].Value.Length == 0) return names.ToList();
            var re = new Regex(m.Groups["re"].Value, RegexOptions.None, TimeSpan.FromMilliseconds(500));
            return names.Where(n => re.IsMatch(n)).ToList();
        }
        var expr = (m = QueryResultPattern().Match(query)).Success ? m.Groups["expr"].Value : query;
        var result = engine.Query.InstantQuery(engine.Queryable, expr, endMs, ct);
        if (result.Error is { } err) throw new ArgumentException($"variable query \"{query}\": {err.Message}");
        return result.Value switch
        {
            VectorResult v => v.Samples.Select(s => $"{Portal.Web.Components.Shared.ChartSeries.SeriesName(s.Metric)} {PromFormat(s.F)} {s.T}").ToList(),
            ScalarResult s => [PromFormat(s.F)],
            StringResult s => [s.Value],
            _ => [],
        };
    }

    private static string PromFormat(double f) => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static Matcher[] Selector(string text)
    {
        try
        {
            return PromQLParser.ParseMetricSelector(text.Trim()).ToArray();
        }
        catch (PromQLParseException e)
        {
            throw new ArgumentException($"\"{text.Trim()}\" is not a series selector: {e.Message}");
        }
    }

    /// <summary>
    /// The value a variable has for interpolation, given its resolved <paramref name="options"/>: the current selection
    /// when still among the options (All expands to every option), else the first option, as Grafana picks.
    /// </summary>
    public static VariableValue Resolve(VariableModel variable, IReadOnlyList<string> options)
    {
        bool multiOrAll = variable.Multi || variable.IncludeAll;
        if (variable.Type is "constant" or "textbox" or "datasource")
            return new VariableValue(options.Count > 0 ? [options[0]] : [""], false);
        var current = variable.Current;
        if (current.Contains(VariableModel.AllValue) && variable.IncludeAll)
            return new VariableValue(options, true, IsAll: true, CustomAll: variable.CustomAllValue);
        var kept = current.Where(options.Contains).ToList();
        if (kept.Count == 0 && options.Count == 0 && current.Count > 0) kept = current.ToList();
        if (kept.Count == 0)
        {
            if (variable.IncludeAll && options.Count > 0 && current.Count == 0) return new VariableValue(options, true, IsAll: true, CustomAll: variable.CustomAllValue);
            kept = options.Count > 0 ? [options[0]] : [""];
        }
        if (!variable.Multi && kept.Count > 1) kept = [kept[0]];
        return new VariableValue(kept, multiOrAll);
    }

    /// <summary>
    /// Runs every visible query of <paramref name="panel"/> over [start, end] in parallel: step from the panel's width in
    /// points (<paramref name="maxDataPoints"/>), min interval and each query's min step; expressions interpolated with
    /// the variables and built-ins; series named by legend format.
    /// </summary>
    public async Task<PanelData> RunPanelAsync(PanelModel panel, long startMs, long endMs, IReadOnlyDictionary<string, VariableValue> variables,
        int maxDataPoints, CancellationToken ct)
    {
        long rangeMs = endMs - startMs;
        var plain = new Interpolator(variables, new Dictionary<string, string>());
        long panelMin = Intervals.ParseMinStep(plain.Interpolate(panel.MinInterval));
        long interval = Intervals.Calculate(rangeMs, panel.MaxDataPoints ?? maxDataPoints, panelMin > 0 ? panelMin : ScrapeIntervalMs);
        var targets = panel.Targets.Where(t => !t.Hide && t.Expr.Trim().Length > 0).ToList();
        if (targets.Count == 0) return new PanelData([], null, startMs, endMs, interval, []);

        var runs = targets.Select(t => Task.Run(() => RunTarget(t, startMs, endMs, interval, variables, ct), ct)).ToList();
        var results = await Task.WhenAll(runs);
        var series = new List<PanelSeries>();
        var warnings = new List<string>();
        long step = long.MaxValue;
        foreach (var r in results)
        {
            if (r.Error is not null) return PanelData.Failed(r.Error, startMs, endMs);
            series.AddRange(r.Series);
            warnings.AddRange(r.Warnings);
            step = Math.Min(step, r.Step);
        }
        return new PanelData(series, null, startMs, endMs, step, warnings);
    }

    private sealed record TargetResult(List<PanelSeries> Series, string? Error, long Step, IReadOnlyList<string> Warnings);

    private TargetResult RunTarget(TargetModel target, long startMs, long endMs, long interval, IReadOnlyDictionary<string, VariableValue> variables, CancellationToken ct)
    {
        long rangeMs = endMs - startMs;
        var plain = new Interpolator(variables, new Dictionary<string, string>());
        long minStep = Intervals.ParseMinStep(plain.Interpolate(target.MinStep));
        long step = Intervals.Step(interval, target.IntervalFactor, minStep, rangeMs);
        var interpolator = new Interpolator(variables, Interpolator.Builtins(startMs, endMs, step, ScrapeIntervalMs));
        var expr = interpolator.Interpolate(target.Expr);
        long alignedStart = startMs / step * step, alignedEnd = endMs / step * step;
        if (alignedEnd < alignedStart) alignedEnd = alignedStart;
        var result = target.Instant
            ? engine.Query.InstantQuery(engine.Queryable, expr, endMs, ct)
            : engine.Query.RangeQuery(engine.Queryable, expr, alignedStart, alignedEnd, step, ct);
        if (result.Error is { } err)
        {
            var message = err.Kind switch
            {
                ErrorKind.Timeout => $"query {target.RefId} took too long ({err.Message}); narrow the time range or raise the min step",
                ErrorKind.Canceled => "cancelled",
                _ => $"query {target.RefId}: {err.Message}",
            };
            return new([], message, step, []);
        }
        var legend = target.LegendFormat;
        var list = new List<PanelSeries>();
        switch (result.Value)
        {
            case MatrixResult m:
                foreach (var s in m.Series) list.Add(FromSamples(s.Metric, s.Floats, step, legend, expr, target.RefId));
                break;
            case VectorResult v:
                foreach (var s in v.Samples)
                    list.Add(new PanelSeries(LegendFormat.Name(legend, s.Metric, expr), s.Metric, target.RefId, [s.T], [double.IsFinite(s.F) ? s.F : null], step));
                break;
            case ScalarResult sc:
                list.Add(new PanelSeries(LegendFormat.Name(legend, Labels.Empty, expr), Labels.Empty, target.RefId, [sc.T], [double.IsFinite(sc.F) ? sc.F : null], step));
                break;
        }
        return new(list, null, step, result.Warnings);
    }

    /// <summary>Points of a range result with a gap (null) wherever consecutive samples are more than one step apart.</summary>
    public static PanelSeries FromSamples(Labels labels, Sample[] samples, long stepMs, string legend, string expr, string refId)
    {
        var (t, v) = Components.Shared.ChartSeries.WithGaps(samples, stepMs);
        return new PanelSeries(LegendFormat.Name(legend, labels, expr), labels, refId, t, v, stepMs);
    }
}
