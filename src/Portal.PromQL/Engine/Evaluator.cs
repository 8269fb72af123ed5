using Portal.Model;
using Portal.PromQL.Ast;
using AstValueType = Portal.PromQL.Ast.ValueType;

namespace Portal.PromQL.Engine;

/// <summary>
/// Evaluates an expression at every step of [start, end] (start == end for instant queries). Mirrors
/// Prometheus's evaluator: every instant-vector or scalar node yields series with one point per step
/// where it has a value. Not thread-safe; one per query (subqueries make child evaluators).
/// </summary>
internal sealed partial class Evaluator
{
    private readonly QueryContext _q;
    private readonly long _start;
    private readonly long _end;
    private readonly long _interval;

    public Evaluator(QueryContext q, long start, long end, long interval)
    {
        _q = q;
        _start = start;
        _end = end;
        _interval = interval <= 0 ? 1 : interval;
    }

    private int NumSteps => _end < _start ? 0 : (int)((_end - _start) / _interval) + 1;
    private bool IsInstant => _start == _end;

    private static PromQLException Error(string message) => new(ErrorKind.Execution, message);

    public EvalValue Eval(Expr e)
    {
        _q.Check();
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error("query is too deeply nested to evaluate");
        switch (e)
        {
            case NumberLiteral n:
                return ScalarValue(n.Val);
            case StringLiteral s:
                return new EvalValue { Str = s.Val };
            case ParenExpr p:
                return Eval(p.Expr);
            case StepInvariantExpr si:
                return Eval(si.Expr);
            case UnaryExpr u:
                return EvalUnary(u);
            case VectorSelector vs:
                return new EvalValue { Series = EvalVectorSelector(vs, false) };
            case MatrixSelector ms:
                return new EvalValue { Series = EvalMatrixAtStart(ms) };
            case SubqueryExpr sq:
                return new EvalValue { Series = EvalMatrixAtStart(sq) };
            case Call c:
                return EvalCall(c);
            case AggregateExpr a:
                return new EvalValue { Series = EvalAggregate(a) };
            case BinaryExpr b:
                return EvalBinary(b);
            case DurationExpr d:
                return ScalarValue(d.EvaluateSeconds(_q.QueryStep, _q.QueryEnd - _q.QueryStart));
            default:
                throw new PromQLException(ErrorKind.Internal, $"unhandled expression of type {e.GetType().Name}");
        }
    }

    /// <summary>A scalar with the same value at every step.</summary>
    private EvalValue ScalarValue(double v)
    {
        int n = NumSteps;
        _q.Count(n);
        var pts = new List<Sample>(n);
        for (int i = 0; i < n; i++)
        {
            _q.CheckEvery(i);
            pts.Add(new Sample(_start + i * _interval, v));
        }
        return new EvalValue { IsScalar = true, Series = [new EvalSeries(Labels.Empty, false, pts)] };
    }

    /// <summary>Evaluates a scalar expression to one value per step.</summary>
    private double[] ScalarSteps(Expr e)
    {
        var v = Eval(e);
        int n = NumSteps;
        var res = new double[n];
        Array.Fill(res, double.NaN);
        if (v.Series is { Count: > 0 })
        {
            foreach (var p in v.Series[0].Points)
                res[StepIndex(p.T)] = p.V;
        }
        return res;
    }

    private int StepIndex(long t) => (int)((t - _start) / _interval);

    private EvalValue EvalUnary(UnaryExpr u)
    {
        var v = Eval(u.Expr);
        if (u.Op == UnaryOp.Add || v.Series is null) return v;
        foreach (var s in v.Series)
        {
            var pts = s.Points;
            for (int i = 0; i < pts.Count; i++) pts[i] = new Sample(pts[i].T, -pts[i].V);
            if (!v.IsScalar) s.DropName = true;
        }
        return v;
    }

    // ---- selectors ----

    private long OffsetOf(VectorSelector vs) => _q.DurationMs(vs.OriginalOffsetExpr, vs.Offset);

    /// <summary>The time a selector reads at for step time <paramref name="ts"/>: the @ time or ts, minus offset.</summary>
    private static long RefTime(long ts, long? at, long offset) => (at ?? ts) - offset;

    /// <summary>Reads every matching series' float samples with mint ≤ t ≤ maxt from storage, copied out.</summary>
    private List<(Labels Labels, Sample[] Samples)> Select(VectorSelector vs, long mint, long maxt, long range, string? func)
    {
        var result = new List<(Labels, Sample[])>();
        SelectEach(vs, mint, maxt, range, func, (labels, buf, n) => result.Add((labels, buf.AsSpan(0, n).ToArray())));
        return result;
    }

    private delegate void SeriesVisitor(Labels labels, Sample[] buffer, int count);

    /// <summary>
    /// Streams every matching series' float samples with mint ≤ t ≤ maxt to <paramref name="visit"/> in one
    /// reused buffer, valid only during the call.
    /// </summary>
    private void SelectEach(VectorSelector vs, long mint, long maxt, long range, string? func, SeriesVisitor visit)
    {
        if (mint > maxt) return;
        var querier = _q.Querier(mint, maxt);
        var hints = new SelectHints { Start = mint, End = maxt, Step = _interval, Range = range, Func = func };
        ISeriesSet set;
        try
        {
            set = querier.Select(true, hints, vs.LabelMatchers.ToArray());
        }
        catch (ArgumentException e)
        {
            throw new PromQLException(ErrorKind.BadData, e.Message);
        }
        var buf = _selectBuffer ??= new Sample[256];
        ISampleIterator? reuse = null;
        while (set.MoveNext())
        {
            _q.Check();
            var series = set.Current;
            var it = series.Iterator(reuse);
            reuse = it;
            int n = 0;
            ValueKind kind;
            if ((kind = it.Seek(mint)) != ValueKind.None)
            {
                do
                {
                    if (kind != ValueKind.Float) continue;
                    var s = it.At();
                    if (s.T > maxt) break;
                    if (s.T < mint) continue;
                    if (n == buf.Length)
                    {
                        Array.Resize(ref buf, buf.Length * 2);
                        _selectBuffer = buf;
                    }
                    buf[n++] = s;
                } while ((kind = it.Next()) != ValueKind.None);
            }
            if (it.Error is { } ie) throw new PromQLException(ErrorKind.Internal, ie.Message);
            _q.Count(n);
            visit(series.Labels, buf, n);
        }
        if (set.Error is { } se) throw new PromQLException(ErrorKind.Internal, se.Message);
        foreach (var w in set.Warnings) _q.Annotations.Warn(w, vs.Pos);
    }

    private Sample[]? _selectBuffer;

    /// <summary>An instant selector at every step: the latest sample in (ref - lookback, ref], unless it is a staleness marker.</summary>
    private List<EvalSeries> EvalVectorSelector(VectorSelector vs, bool timestamps)
    {
        long offset = OffsetOf(vs);
        long? at = _q.AtOf(vs.Timestamp, vs.StartOrEnd);
        long refStart = RefTime(_start, at, offset), refEnd = RefTime(_end, at, offset);
        long lookback = _q.Lookback;
        var output = new List<EvalSeries>();
        int steps = NumSteps;
        SelectEach(vs, refStart - lookback + 1, refEnd, 0, null, (labels, samples, count) =>
        {
            _q.Check();
            List<Sample>? pts = null;
            int j = -1;
            for (int i = 0; i < steps; i++)
            {
                long ts = _start + i * _interval;
                long r = RefTime(ts, at, offset);
                while (j + 1 < count && samples[j + 1].T <= r) j++;
                if (j < 0) continue;
                var s = samples[j];
                if (s.T <= r - lookback || SampleValue.IsStaleNaN(s.V)) continue;
                pts ??= new List<Sample>(steps - i);
                pts.Add(new Sample(ts, timestamps ? s.T / 1000.0 : s.V));
            }
            if (pts is null) return;
            _q.Count(pts.Count);
            output.Add(new EvalSeries(labels, timestamps, pts));
        });
        return output;
    }

    /// <summary>Series of a range-vector argument with the window geometry needed to slide over them.</summary>
    private sealed class RangeSource
    {
        public required List<(Labels Labels, bool DropName, Sample[] Samples)> Series;
        public long Range;
        public long Offset;
        public long? At;
    }

    private static Sample[] WithoutStale(Sample[] samples)
    {
        int stale = 0;
        foreach (var s in samples)
            if (SampleValue.IsStaleNaN(s.V)) stale++;
        if (stale == 0) return samples;
        var res = new Sample[samples.Length - stale];
        int k = 0;
        foreach (var s in samples)
            if (!SampleValue.IsStaleNaN(s.V)) res[k++] = s;
        return res;
    }

    /// <summary>Loads a matrix selector's or subquery's series for windows ending at every step.</summary>
    private RangeSource LoadRange(Expr arg, string? func)
    {
        while (arg is ParenExpr p) arg = p.Expr;
        if (arg is StepInvariantExpr si) arg = si.Expr;
        if (arg is MatrixSelector ms)
        {
            var vs = ms.VectorSelector;
            long range = _q.DurationMs(ms.RangeExpr, ms.Range);
            long offset = OffsetOf(vs);
            long? at = _q.AtOf(vs.Timestamp, vs.StartOrEnd);
            long refStart = RefTime(_start, at, offset), refEnd = RefTime(_end, at, offset);
            var data = Select(vs, refStart - range + 1, refEnd, range, func);
            var list = new List<(Labels, bool, Sample[])>(data.Count);
            foreach (var (l, s) in data) list.Add((l, false, WithoutStale(s)));
            return new RangeSource { Series = list, Range = range, Offset = offset, At = at };
        }
        if (arg is SubqueryExpr sq)
        {
            long range = _q.DurationMs(sq.RangeExpr, sq.Range);
            long offset = _q.DurationMs(sq.OriginalOffsetExpr, sq.Offset);
            long step = _q.DurationMs(sq.StepExpr, sq.Step);
            if (step <= 0) step = _q.Options.DefaultSubqueryStepMs;
            long? at = _q.AtOf(sq.Timestamp, sq.StartOrEnd);
            long refStart = RefTime(_start, at, offset), refEnd = RefTime(_end, at, offset);
            long innerStart = step * ((refStart - range) / step);
            if (innerStart <= refStart - range) innerStart += step;
            var list = new List<(Labels, bool, Sample[])>();
            if (innerStart <= refEnd)
            {
                long innerSteps = (refEnd - innerStart) / step + 1;
                if (innerSteps > int.MaxValue / 2)
                    throw Error("query processing would load too many samples into memory in query execution");
                var inner = new Evaluator(_q, innerStart, refEnd, step);
                var v = inner.Eval(sq.Expr);
                if (v.Series is not null)
                    foreach (var s in v.Series) list.Add((s.Metric, s.DropName, s.Points.ToArray()));
            }
            return new RangeSource { Series = list, Range = range, Offset = offset, At = at };
        }
        throw new PromQLException(ErrorKind.Internal, $"expected a range vector, got {arg.GetType().Name}");
    }

    /// <summary>A range vector evaluated at the (single) evaluation time: raw points in (ref - range, ref].</summary>
    private List<EvalSeries> EvalMatrixAtStart(Expr e)
    {
        if (!IsInstant)
            throw new PromQLException(ErrorKind.BadData, "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        var src = LoadRange(e, null);
        long r = RefTime(_start, src.At, src.Offset);
        var output = new List<EvalSeries>();
        foreach (var (labels, drop, samples) in src.Series)
        {
            var pts = new List<Sample>();
            foreach (var s in samples)
                if (s.T > r - src.Range && s.T <= r) pts.Add(s);
            if (pts.Count == 0) continue;
            output.Add(new EvalSeries(labels, drop, pts));
        }
        return output;
    }

    // ---- step-wise evaluation ----

    private delegate void StepFunc(long ts, List<StepSample>[] args, List<StepSample> output);

    /// <summary>
    /// Calls <paramref name="f"/> at every step with the arguments' vectors at that step and collects the
    /// outputs into series. Two outputs with equal labels at one step are an error.
    /// </summary>
    private List<EvalSeries> RangeEval(StepFunc f, params EvalValue[] args)
    {
        int steps = NumSteps;
        var vecs = new List<StepSample>[args.Length];
        var cursors = new int[args.Length][];
        for (int a = 0; a < args.Length; a++)
        {
            vecs[a] = new List<StepSample>();
            cursors[a] = new int[args[a].Series?.Count ?? 0];
        }
        var output = new List<StepSample>();
        var result = new List<EvalSeries>();
        Dictionary<Labels, (EvalSeries Series, long LastT)>? byLabels = IsInstant ? null : new();
        for (int i = 0; i < steps; i++)
        {
            _q.Check();
            long ts = _start + i * _interval;
            for (int a = 0; a < args.Length; a++)
            {
                var vec = vecs[a];
                vec.Clear();
                var series = args[a].Series;
                if (series is null) continue;
                var cur = cursors[a];
                for (int k = 0; k < series.Count; k++)
                {
                    var pts = series[k].Points;
                    int c = cur[k];
                    while (c < pts.Count && pts[c].T < ts) c++;
                    if (c < pts.Count && pts[c].T == ts)
                    {
                        vec.Add(new StepSample(series[k].Metric, pts[c].V, series[k].DropName) { T = ts });
                        c++;
                    }
                    cur[k] = c;
                }
            }
            output.Clear();
            f(ts, vecs, output);
            _q.Count(output.Count);
            if (byLabels is null)
            {
                foreach (var o in output)
                    result.Add(new EvalSeries(o.Metric, o.DropName, [new Sample(ts, o.F)]));
                continue;
            }
            foreach (var o in output)
            {
                if (byLabels.TryGetValue(o.Metric, out var entry))
                {
                    if (entry.LastT == ts) throw Error("vector cannot contain metrics with the same labelset");
                    entry.Series.Points.Add(new Sample(ts, o.F));
                    byLabels[o.Metric] = (entry.Series, ts);
                }
                else
                {
                    var s = new EvalSeries(o.Metric, o.DropName, new List<Sample>(Math.Min(steps - i, 64)) { new(ts, o.F) });
                    byLabels[o.Metric] = (s, ts);
                    result.Add(s);
                }
            }
        }
        return result;
    }
}
