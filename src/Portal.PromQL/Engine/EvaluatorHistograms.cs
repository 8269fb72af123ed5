using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>Groups classic bucket series (labels without le) and parses their bounds once.</summary>
    private (int[] Group, double[] Le, List<Labels> GroupLabels) GroupBuckets(List<EvalSeries> input, Expr argForPos)
    {
        var group = new int[input.Count];
        var le = new double[input.Count];
        var keys = new Dictionary<Labels, int>();
        var groupLabels = new List<Labels>();
        for (int i = 0; i < input.Count; i++)
        {
            var m = input[i].Metric;
            string leText = m.Get("le");
            if (!m.Has("le") || !BucketMath.TryParseLe(leText, out le[i]))
            {
                _q.Annotations.Warn($"bucket label \"le\" is missing or has a malformed value of \"{leText}\" for metric name \"{m.MetricNameValue}\"", argForPos.Pos);
                group[i] = -1;
                continue;
            }
            var key = m.Without("le");
            if (!keys.TryGetValue(key, out int g))
            {
                g = groupLabels.Count;
                keys[key] = g;
                groupLabels.Add(key);
            }
            group[i] = g;
        }
        return (group, le, groupLabels);
    }

    private List<EvalSeries> EvalHistogramQuantile(Call c)
    {
        var q = ScalarSteps(c.Args[0]);
        var input = Eval(c.Args[1]).Series!;
        foreach (double qv in q) WarnQuantile(qv, c.Args[0]);
        return EvalBucketFunction(input, c.Args[1], (i, buckets, labels) =>
        {
            double qv = q[i];
            double res = BucketMath.Quantile(qv, buckets, out bool forced);
            if (forced)
                _q.Annotations.Info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"" + labels.MetricNameValue + "\"", c.Args[1].Pos);
            return res;
        });
    }

    private void WarnQuantile(double q, Expr arg)
    {
        if (double.IsNaN(q) || q < 0 || q > 1)
            _q.Annotations.Warn("quantile value should be between 0 and 1, got " + GoFloat.FormatG(q), arg.Pos);
    }

    /// <summary>histogram_quantiles(v, "label", q0, q1, ...): one output series per quantile, labelled with it.</summary>
    private List<EvalSeries> EvalHistogramQuantiles(Call c)
    {
        var input = Eval(c.Args[0]).Series!;
        string label = StringArg(c.Args[1]);
        var output = new List<EvalSeries>();
        var b = new LabelsBuilder();
        for (int a = 2; a < c.Args.Count; a++)
        {
            var q = ScalarSteps(c.Args[a]);
            foreach (double qv in q) WarnQuantile(qv, c.Args[a]);
            var res = EvalBucketFunction(input, c.Args[0], (i, buckets, labels) =>
            {
                double r = BucketMath.Quantile(q[i], buckets, out bool forced);
                if (forced)
                    _q.Annotations.Info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"" + labels.MetricNameValue + "\"", c.Args[0].Pos);
                return r;
            });
            foreach (var s in res)
            {
                var pts = s.Points;
                string text = pts.Count > 0 ? FormatOpenMetricsFloat(q[StepIndex(pts[0].T)]) : "";
                b.Reset(s.Metric);
                b.Set(label, text);
                s.Metric = b.Build();
                output.Add(s);
            }
        }
        return output;
    }

    /// <summary>Prometheus's FormatOpenMetricsFloat: 1 becomes "1.0", 0.25 stays "0.25".</summary>
    private static string FormatOpenMetricsFloat(double f)
    {
        if (double.IsNaN(f)) return "NaN";
        if (double.IsPositiveInfinity(f)) return "+Inf";
        if (double.IsNegativeInfinity(f)) return "-Inf";
        string s = GoFloat.FormatG(f);
        if (s.IndexOfAny(['.', 'e', 'E']) < 0) s += ".0";
        return s;
    }

    private List<EvalSeries> EvalHistogramFraction(Call c)
    {
        var lower = ScalarSteps(c.Args[0]);
        var upper = ScalarSteps(c.Args[1]);
        var input = Eval(c.Args[2]).Series!;
        return EvalBucketFunction(input, c.Args[2], (i, buckets, _) => BucketMath.Fraction(lower[i], upper[i], buckets));
    }

    private delegate double BucketFunc(int step, Span<Bucket> buckets, Labels groupLabels);

    private List<EvalSeries> EvalBucketFunction(List<EvalSeries> input, Expr arg, BucketFunc f)
    {
        var (group, le, groupLabels) = GroupBuckets(input, arg);
        int groups = groupLabels.Count;
        int steps = NumSteps;
        var perGroup = new List<Bucket>[groups];
        for (int g = 0; g < groups; g++) perGroup[g] = new List<Bucket>();
        var outPts = new List<Sample>?[groups];
        var cursors = new int[input.Count];
        var scratch = new Bucket[16];
        for (int i = 0; i < steps; i++)
        {
            _q.Check();
            long ts = _start + i * _interval;
            for (int g = 0; g < groups; g++) perGroup[g].Clear();
            for (int k = 0; k < input.Count; k++)
            {
                var pts = input[k].Points;
                int cI = cursors[k];
                while (cI < pts.Count && pts[cI].T < ts) cI++;
                if (cI < pts.Count && pts[cI].T == ts)
                {
                    if (group[k] >= 0) perGroup[group[k]].Add(new Bucket(le[k], pts[cI].V));
                    cI++;
                }
                cursors[k] = cI;
            }
            for (int g = 0; g < groups; g++)
            {
                var list = perGroup[g];
                if (list.Count == 0) continue;
                if (scratch.Length < list.Count) scratch = new Bucket[list.Count * 2];
                list.CopyTo(scratch);
                double v = f(i, scratch.AsSpan(0, list.Count), groupLabels[g]);
                (outPts[g] ??= new List<Sample>()).Add(new Sample(ts, v));
            }
        }
        var output = new List<EvalSeries>();
        for (int g = 0; g < groups; g++)
        {
            if (outPts[g] is null) continue;
            _q.Count(outPts[g]!.Count);
            output.Add(new EvalSeries(groupLabels[g], true, outPts[g]!));
        }
        return output;
    }
}
