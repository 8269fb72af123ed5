using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>Running state of one group at one step for the simple aggregations.</summary>
    private struct Accumulator
    {
        public bool Seen;
        public double Value, Comp, Mean, MeanComp, Count;
        public bool Incremental;
    }

    /// <summary>The output labels of the group a series falls in.</summary>
    private static Labels GroupingLabels(Labels metric, List<string> grouping, bool without, LabelsBuilder b)
    {
        if (without)
        {
            b.Reset(metric);
            b.Delete(Labels.MetricName);
            foreach (var g in grouping) b.Delete(g);
            return b.Build();
        }
        if (grouping.Count == 0) return Labels.Empty;
        var list = new List<Label>(grouping.Count);
        foreach (var l in metric.AsSpan())
            if (grouping.Contains(l.Name)) list.Add(l);
        return list.Count == metric.Count ? metric : Labels.FromSortedUnchecked(list.ToArray());
    }

    private List<EvalSeries> EvalAggregate(AggregateExpr a)
    {
        if (a.Op.IsExperimental() && !_q.Options.EnableExperimentalFunctions)
            throw new PromQLException(ErrorKind.BadData, $"{a.Op.ToText()}() is not enabled");
        double[]? param = null;
        string? labelParam = null;
        if (a.Param is not null)
        {
            if (a.Op == AggregationOp.CountValues) labelParam = StringArg(a.Param);
            else param = ScalarSteps(a.Param);
        }
        if (labelParam is not null && !LabelNames.IsValidUtf8Name(labelParam))
            throw Error($"invalid label name \"{labelParam}\"");
        var input = Eval(a.Expr).Series!;
        return a.Op switch
        {
            AggregationOp.Topk or AggregationOp.Bottomk or AggregationOp.Limitk or AggregationOp.LimitRatio => AggregateK(a, input, param!),
            AggregationOp.CountValues => AggregateCountValues(a, input, labelParam!),
            _ => AggregateSimple(a, input, param),
        };
    }

    private List<EvalSeries> AggregateSimple(AggregateExpr a, List<EvalSeries> input, double[]? param)
    {
        var b = new LabelsBuilder();
        var groupOf = new int[input.Count];
        var keys = new Dictionary<Labels, int>();
        var groupLabels = new List<Labels>();
        for (int i = 0; i < input.Count; i++)
        {
            var key = GroupingLabels(input[i].Metric, a.Grouping, a.Without, b);
            if (!keys.TryGetValue(key, out int g))
            {
                g = groupLabels.Count;
                keys[key] = g;
                groupLabels.Add(key);
            }
            groupOf[i] = g;
        }
        int groups = groupLabels.Count;
        // A group keeps a to-be-dropped __name__ (by (__name__)) when any of its series drops it.
        var groupDrop = new bool[groups];
        for (int i = 0; i < input.Count; i++)
            if (input[i].DropName) groupDrop[groupOf[i]] = true;
        int steps = NumSteps;
        var acc = new Accumulator[groups];
        List<double>[]? values = a.Op == AggregationOp.Quantile ? new List<double>[groups] : null;
        if (values is not null)
            for (int g = 0; g < groups; g++) values[g] = new List<double>();
        var outPts = new List<Sample>?[groups];
        var cursors = new int[input.Count];
        double[] qbuf = [];
        var op = a.Op;
        for (int i = 0; i < steps; i++)
        {
            _q.Check();
            long ts = _start + i * _interval;
            Array.Clear(acc);
            if (values is not null)
                foreach (var l in values) l.Clear();
            for (int k = 0; k < input.Count; k++)
            {
                var pts = input[k].Points;
                int c = cursors[k];
                while (c < pts.Count && pts[c].T < ts) c++;
                if (c >= pts.Count || pts[c].T != ts)
                {
                    cursors[k] = c;
                    continue;
                }
                double f = pts[c].V;
                cursors[k] = c + 1;
                ref var s = ref acc[groupOf[k]];
                if (values is not null)
                {
                    s.Seen = true;
                    values[groupOf[k]].Add(f);
                    continue;
                }
                if (!s.Seen)
                {
                    s.Seen = true;
                    s.Count = 1;
                    switch (op)
                    {
                        case AggregationOp.Stddev:
                        case AggregationOp.Stdvar:
                            s.Mean = f;
                            s.Value = double.IsNaN(f) || double.IsInfinity(f) ? double.NaN : 0;
                            break;
                        case AggregationOp.Group:
                            s.Value = 1;
                            break;
                        default:
                            s.Value = f;
                            break;
                    }
                    continue;
                }
                s.Count++;
                switch (op)
                {
                    case AggregationOp.Sum:
                        RangeMath.KahanAdd(f, ref s.Value, ref s.Comp);
                        break;
                    case AggregationOp.Avg:
                        if (!s.Incremental)
                        {
                            double nv = s.Value, nc = s.Comp;
                            RangeMath.KahanAdd(f, ref nv, ref nc);
                            if (!double.IsInfinity(nv))
                            {
                                s.Value = nv;
                                s.Comp = nc;
                                break;
                            }
                            s.Incremental = true;
                            s.Mean = s.Value / (s.Count - 1);
                            s.MeanComp = s.Comp / (s.Count - 1);
                        }
                        double q = (s.Count - 1) / s.Count;
                        s.Mean *= q;
                        s.MeanComp *= q;
                        RangeMath.KahanAdd(f / s.Count, ref s.Mean, ref s.MeanComp);
                        break;
                    case AggregationOp.Max:
                        if (s.Value < f || double.IsNaN(s.Value)) s.Value = f;
                        break;
                    case AggregationOp.Min:
                        if (s.Value > f || double.IsNaN(s.Value)) s.Value = f;
                        break;
                    case AggregationOp.Stddev:
                    case AggregationOp.Stdvar:
                    {
                        double delta = f - s.Mean;
                        s.Mean += delta / s.Count;
                        s.Value += delta * (f - s.Mean);
                        break;
                    }
                }
            }
            for (int g = 0; g < groups; g++)
            {
                ref var s = ref acc[g];
                if (!s.Seen) continue;
                double v;
                switch (op)
                {
                    case AggregationOp.Sum:
                        v = double.IsInfinity(s.Value) ? s.Value : s.Value + s.Comp;
                        break;
                    case AggregationOp.Avg:
                        v = s.Incremental ? s.Mean + s.MeanComp : s.Value / s.Count + s.Comp / s.Count;
                        break;
                    case AggregationOp.Count:
                        v = s.Count;
                        break;
                    case AggregationOp.Stdvar:
                        v = s.Value / s.Count;
                        break;
                    case AggregationOp.Stddev:
                        v = Math.Sqrt(s.Value / s.Count);
                        break;
                    case AggregationOp.Quantile:
                    {
                        double q = param![i];
                        if (double.IsNaN(q) || q < 0 || q > 1)
                            _q.Annotations.Warn("quantile value should be between 0 and 1, got " + GoFloat.FormatG(q), a.Param!.Pos);
                        var l = values![g];
                        if (qbuf.Length < l.Count) qbuf = new double[Math.Max(16, l.Count * 2)];
                        l.CopyTo(qbuf);
                        v = RangeMath.Quantile(q, qbuf.AsSpan(0, l.Count));
                        break;
                    }
                    default:
                        v = s.Value;
                        break;
                }
                (outPts[g] ??= new List<Sample>()).Add(new Sample(ts, v));
            }
        }
        var output = new List<EvalSeries>(groups);
        for (int g = 0; g < groups; g++)
        {
            if (outPts[g] is null) continue;
            _q.Count(outPts[g]!.Count);
            output.Add(new EvalSeries(groupLabels[g], groupDrop[g] && groupLabels[g].Has(Labels.MetricName), outPts[g]!));
        }
        return output;
    }

    private List<EvalSeries> AggregateCountValues(AggregateExpr a, List<EvalSeries> input, string label)
    {
        var b = new LabelsBuilder();
        var baseKeys = new Dictionary<Labels, Labels>();
        foreach (var s in input) baseKeys[s.Metric] = GroupingLabels(s.Metric, a.Grouping, a.Without, b);
        return RangeEval((ts, args, output) =>
        {
            var counts = new Dictionary<Labels, int>();
            var order = new List<Labels>();
            foreach (var s in args[0])
            {
                var baseKey = baseKeys[s.Metric];
                b.Reset(baseKey);
                b.Set(label, GoFloat.FormatF(s.F));
                var key = b.Build();
                if (counts.TryGetValue(key, out int n)) counts[key] = n + 1;
                else
                {
                    counts[key] = 1;
                    order.Add(key);
                }
            }
            foreach (var key in order) output.Add(new StepSample(key, counts[key], false));
        }, new EvalValue { Series = input });
    }

    private List<EvalSeries> AggregateK(AggregateExpr a, List<EvalSeries> input, double[] param)
    {
        var b = new LabelsBuilder();
        var groupOf = new Dictionary<Labels, int>();
        var keyOf = new Dictionary<Labels, int>();
        int groupCount = 0;
        foreach (var s in input)
        {
            var key = GroupingLabels(s.Metric, a.Grouping, a.Without, b);
            if (!keyOf.TryGetValue(key, out int g))
            {
                g = groupCount++;
                keyOf[key] = g;
            }
            groupOf[s.Metric] = g;
        }
        var op = a.Op;
        var heaps = new List<StepSample>[groupCount];
        for (int g = 0; g < groupCount; g++) heaps[g] = new List<StepSample>();
        var groupOrder = new List<int>();
        return RangeEval((ts, args, output) =>
        {
            int i = StepIndex(ts);
            double p = param[i];
            long k = 0;
            double ratio = 0;
            if (op == AggregationOp.LimitRatio)
            {
                if (double.IsNaN(p)) throw Error("Ratio value is NaN");
                ratio = p;
                if (p < -1 || p > 1)
                {
                    ratio = p < -1 ? -1 : 1;
                    _q.Annotations.Warn($"ratio value should be between -1 and 1, got {GoFloat.FormatG(p)}, capping to {GoFloat.FormatG(ratio)}", a.Param!.Pos);
                }
            }
            else
            {
                if (double.IsNaN(p)) throw Error("Parameter value is NaN");
                if (p >= 9.2233720368547758e18 || p < -9.2233720368547758e18) throw Error($"Scalar value {GoFloat.FormatG(p)} overflows int64");
                k = (long)p;
                if (k > args[0].Count) k = args[0].Count;
                if (k < 1) return;
            }
            foreach (var h in heaps) h.Clear();
            groupOrder.Clear();
            foreach (var s in args[0])
            {
                int g = groupOf[s.Metric];
                var heap = heaps[g];
                bool firstInGroup = heap.Count == 0;
                switch (op)
                {
                    case AggregationOp.Topk:
                        if (heap.Count < k) HeapPush(heap, s, TopLess);
                        else if (heap[0].F < s.F || (double.IsNaN(heap[0].F) && !double.IsNaN(s.F)))
                        {
                            heap[0] = s;
                            if (k > 1) HeapDown(heap, 0, heap.Count, TopLess);
                        }
                        break;
                    case AggregationOp.Bottomk:
                        if (heap.Count < k) HeapPush(heap, s, BottomLess);
                        else if (heap[0].F > s.F || (double.IsNaN(heap[0].F) && !double.IsNaN(s.F)))
                        {
                            heap[0] = s;
                            if (k > 1) HeapDown(heap, 0, heap.Count, BottomLess);
                        }
                        break;
                    case AggregationOp.Limitk:
                        if (heap.Count < k) heap.Add(s);
                        break;
                    case AggregationOp.LimitRatio:
                        if (RatioIncludes(ratio, s.Metric)) heap.Add(s);
                        break;
                }
                if (firstInGroup && heap.Count > 0) groupOrder.Add(g);
            }
            foreach (int g in groupOrder)
            {
                var heap = heaps[g];
                if (op == AggregationOp.Topk) InsertionSort(heap, (x, y) => TopLess(y, x));
                else if (op == AggregationOp.Bottomk) InsertionSort(heap, (x, y) => BottomLess(y, x));
                output.AddRange(heap);
            }
        }, new EvalValue { Series = input });
    }

    private static bool TopLess(StepSample a, StepSample b) => double.IsNaN(a.F) || a.F < b.F;

    private static bool BottomLess(StepSample a, StepSample b) => double.IsNaN(a.F) || a.F > b.F;

    private static void HeapPush(List<StepSample> h, StepSample s, Func<StepSample, StepSample, bool> less)
    {
        h.Add(s);
        int j = h.Count - 1;
        while (true)
        {
            int i = (j - 1) / 2;
            if (i == j || !less(h[j], h[i])) break;
            (h[i], h[j]) = (h[j], h[i]);
            j = i;
        }
    }

    private static void HeapDown(List<StepSample> h, int i0, int n, Func<StepSample, StepSample, bool> less)
    {
        int i = i0;
        while (true)
        {
            int j1 = 2 * i + 1;
            if (j1 >= n || j1 < 0) break;
            int j = j1;
            int j2 = j1 + 1;
            if (j2 < n && less(h[j2], h[j1])) j = j2;
            if (!less(h[j], h[i])) break;
            (h[i], h[j]) = (h[j], h[i]);
            i = j;
        }
    }

    /// <summary>Go's sort.Sort on small inputs: insertion sort (stable).</summary>
    private static void InsertionSort(List<StepSample> h, Func<StepSample, StepSample, bool> less)
    {
        for (int i = 1; i < h.Count; i++)
            for (int j = i; j > 0 && less(h[j], h[j - 1]); j--)
                (h[j], h[j - 1]) = (h[j - 1], h[j]);
    }

    private static bool RatioIncludes(double ratio, Labels metric)
    {
        double offset = metric.Hash / (double)ulong.MaxValue;
        return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
    }
}
