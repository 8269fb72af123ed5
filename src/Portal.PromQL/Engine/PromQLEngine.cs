using Portal.Model;
using IQueryable = Portal.Model.IQueryable;
using Portal.PromQL.Ast;
using Portal.PromQL.Engine;

namespace Portal.PromQL;

/// <summary>
/// Evaluates PromQL queries over storage with Prometheus 3.x semantics: lookback with staleness,
/// left-open range selectors, offset and @, subqueries, delayed __name__ removal, limits and cancellation.
/// Thread-safe: queries may run concurrently; each query runs on the calling thread. Never throws for bad
/// input, storage failures, limits or cancellation: those come back as <see cref="QueryResult.Error"/>.
/// </summary>
public sealed class PromQLEngine
{
    private readonly EngineOptions _options;

    public PromQLEngine(EngineOptions options) => _options = options ?? new EngineOptions();

    public EngineOptions Options => _options;

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/>.</summary>
    public QueryResult InstantQuery(IQueryable storage, string query, long timeMs, CancellationToken ct = default)
    {
        Expr expr;
        try
        {
            expr = PromQLParser.ParseExpr(query);
        }
        catch (PromQLParseException e)
        {
            return Fail(ErrorKind.BadData, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(ErrorKind.BadData, e.Message);
        }
        return Run(storage, expr, query, timeMs, timeMs, 0, ct);
    }

    /// <summary>Evaluates a parsed expression at <paramref name="timeMs"/>. Annotation positions refer to <c>expr.ToString()</c>.</summary>
    public QueryResult InstantQuery(IQueryable storage, Expr expr, long timeMs, CancellationToken ct = default) =>
        Run(storage, expr, SafeText(expr), timeMs, timeMs, 0, ct);

    /// <summary>Evaluates <paramref name="query"/> at every step from start to end (inclusive, milliseconds).</summary>
    public QueryResult RangeQuery(IQueryable storage, string query, long startMs, long endMs, long stepMs, CancellationToken ct = default)
    {
        Expr expr;
        try
        {
            expr = PromQLParser.ParseExpr(query);
        }
        catch (PromQLParseException e)
        {
            return Fail(ErrorKind.BadData, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(ErrorKind.BadData, e.Message);
        }
        return RangeQuery(storage, expr, query, startMs, endMs, stepMs, ct);
    }

    /// <summary>Evaluates a parsed expression as a range query. Annotation positions refer to <c>expr.ToString()</c>.</summary>
    public QueryResult RangeQuery(IQueryable storage, Expr expr, long startMs, long endMs, long stepMs, CancellationToken ct = default) =>
        RangeQuery(storage, expr, SafeText(expr), startMs, endMs, stepMs, ct);

    private QueryResult RangeQuery(IQueryable storage, Expr expr, string text, long startMs, long endMs, long stepMs, CancellationToken ct)
    {
        if (stepMs <= 0)
            return Fail(ErrorKind.BadData, "zero or negative query resolution step widths are not accepted. Try a positive integer");
        if (endMs < startMs)
            return Fail(ErrorKind.BadData, "end timestamp must not be before start time");
        if ((endMs - startMs) / stepMs >= _options.MaxSteps)
            return Fail(ErrorKind.BadData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)".Replace("11,000", _options.MaxSteps.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        var t = Unparen(expr).Type;
        if (t != Ast.ValueType.Scalar && t != Ast.ValueType.Vector)
            return Fail(ErrorKind.BadData, $"invalid expression type \"{t.ToText()}\" for range query, must be Scalar or instant Vector");
        return Run(storage, expr, text, startMs, endMs, stepMs, ct);
    }

    private static Expr Unparen(Expr e)
    {
        while (e is ParenExpr p) e = p.Expr;
        return e;
    }

    private static string SafeText(Expr expr)
    {
        try
        {
            return expr.ToString();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "";
        }
    }

    private static QueryResult Fail(ErrorKind kind, string message) => new() { Error = new PromQLError(kind, message) };

    private QueryResult Run(IQueryable storage, Expr expr, string text, long start, long end, long step, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout > TimeSpan.Zero ? _options.Timeout : Timeout.InfiniteTimeSpan);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var q = new QueryContext(storage, _options, text, start, end, step, ct, linked.Token);
        try
        {
            q.Check();
            var ev = new Evaluator(q, start, end, step == 0 ? 1 : step);
            var v = ev.Eval(expr);
            var value = Convert(expr, v, start, step == 0);
            return new QueryResult { Value = value, Warnings = q.Annotations.Warnings, Infos = q.Annotations.Infos };
        }
        catch (PromQLException e)
        {
            return new QueryResult { Error = new PromQLError(e.Kind, e.Message), Warnings = q.Annotations.Warnings, Infos = q.Annotations.Infos };
        }
        catch (OperationCanceledException)
        {
            return ct.IsCancellationRequested
                ? Fail(ErrorKind.Canceled, "query was canceled in query execution")
                : Fail(ErrorKind.Timeout, "query timed out in query execution");
        }
        catch (Exception e) when (e is InsufficientExecutionStackException or System.Text.RegularExpressions.RegexMatchTimeoutException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException or InvalidCastException or OverflowException or KeyNotFoundException or NotSupportedException or FormatException or ArithmeticException or IOException or AppendException)
        {
            return Fail(ErrorKind.Internal, e.Message);
        }
    }

    /// <summary>
    /// Series whose labels became equal when their names were dropped are merged when their points do not
    /// overlap in time; equal labels at one timestamp (or in an instant result) are an error.
    /// </summary>
    private static List<EvalSeries> MergeDuplicates(List<EvalSeries> series, bool instant)
    {
        var seen = new Dictionary<Labels, EvalSeries>();
        var output = new List<EvalSeries>(series.Count);
        foreach (var s in series)
        {
            if (!seen.TryGetValue(s.Metric, out var prior))
            {
                seen[s.Metric] = s;
                output.Add(s);
                continue;
            }
            if (instant) throw new PromQLException(ErrorKind.Execution, "vector cannot contain metrics with the same labelset");
            var merged = new List<Sample>(prior.Points.Count + s.Points.Count);
            int i = 0, j = 0;
            while (i < prior.Points.Count || j < s.Points.Count)
            {
                if (j >= s.Points.Count || (i < prior.Points.Count && prior.Points[i].T < s.Points[j].T)) merged.Add(prior.Points[i++]);
                else if (i >= prior.Points.Count || s.Points[j].T < prior.Points[i].T) merged.Add(s.Points[j++]);
                else throw new PromQLException(ErrorKind.Execution, "vector cannot contain metrics with the same labelset");
            }
            prior.Points = merged;
        }
        return output;
    }

    /// <summary>Turns the evaluator's series into the API value, dropping marked names and checking for duplicates.</summary>
    private static QueryValue Convert(Expr expr, EvalValue v, long start, bool instant)
    {
        if (v.Str is not null) return new StringResult(start, v.Str);
        var series = v.Series!;
        var type = Unparen(expr).Type;
        if (type == Ast.ValueType.Scalar && instant)
        {
            double f = series.Count > 0 && series[0].Points.Count > 0 ? series[0].Points[0].V : double.NaN;
            return new ScalarResult(start, f);
        }
        foreach (var s in series)
            if (s.DropName && s.Metric.Has(Labels.MetricName)) s.Metric = s.Metric.Without(Labels.MetricName);
        series = MergeDuplicates(series, instant);
        if (instant && type != Ast.ValueType.Matrix && type != Ast.ValueType.Scalar)
        {
            var list = new List<VectorElement>(series.Count);
            foreach (var s in series)
                foreach (var p in s.Points) list.Add(new VectorElement(s.Metric, p.T, p.V));
            return new VectorResult(list);
        }
        var m = new List<MatrixSeries>(series.Count);
        foreach (var s in series) m.Add(new MatrixSeries(s.Metric, s.Points.ToArray()));
        if (!instant) m.Sort((a, b) => a.Metric.CompareTo(b.Metric));
        return new MatrixResult(m);
    }
}
