using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>Applies a binary operator to two floats. For comparisons the value is the left operand and keep tells whether it passed.</summary>
    private static (double Value, bool Keep) ElemBinop(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Atan2 => (Math.Atan2(l, r), true),
        BinaryOp.Eql => (l, l == r),
        BinaryOp.Neq => (l, l != r),
        BinaryOp.Gtr => (l, l > r),
        BinaryOp.Lss => (l, l < r),
        BinaryOp.Gte => (l, l >= r),
        BinaryOp.Lte => (l, l <= r),
        _ => throw new PromQLException(ErrorKind.Internal, $"operator {op.ToText()} not allowed for float operations"),
    };

    private static bool ShouldDropName(BinaryOp op) =>
        op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Pow or BinaryOp.Atan2;

    private EvalValue EvalBinary(BinaryExpr e)
    {
        var lhs = Eval(e.LHS);
        var rhs = Eval(e.RHS);
        bool lScalar = lhs.IsScalar || e.LHS.Type == Ast.ValueType.Scalar;
        bool rScalar = rhs.IsScalar || e.RHS.Type == Ast.ValueType.Scalar;
        if (lScalar && rScalar)
        {
            var l = StepValues(lhs);
            var r = StepValues(rhs);
            return ScalarFromSteps(i =>
            {
                var (v, keep) = ElemBinop(e.Op, l[i], r[i]);
                if (e.Op.IsComparison()) return keep ? 1 : 0;
                return v;
            });
        }
        if (lScalar || rScalar)
            return new EvalValue { Series = VectorScalarBinop(e, lScalar ? rhs : lhs, StepValues(lScalar ? lhs : rhs), swap: lScalar) };
        var matching = e.VectorMatching ?? new VectorMatching { Card = e.Op.IsSetOperator() ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne };
        return new EvalValue { Series = VectorVectorBinop(e, matching, lhs, rhs) };
    }

    private double[] StepValues(EvalValue scalar)
    {
        var res = new double[NumSteps];
        Array.Fill(res, double.NaN);
        if (scalar.Series is { Count: > 0 })
            foreach (var p in scalar.Series[0].Points) res[StepIndex(p.T)] = p.V;
        return res;
    }

    private List<EvalSeries> VectorScalarBinop(BinaryExpr e, EvalValue vec, double[] scalar, bool swap)
    {
        var op = e.Op;
        bool comparison = op.IsComparison();
        var output = new List<EvalSeries>(vec.Series!.Count);
        foreach (var s in vec.Series)
        {
            List<Sample>? pts = null;
            foreach (var p in s.Points)
            {
                double sv = scalar[StepIndex(p.T)];
                double lv = p.V, rv = sv;
                if (swap) (lv, rv) = (rv, lv);
                var (v, keep) = ElemBinop(op, lv, rv);
                if (comparison && swap) v = rv;
                if (e.ReturnBool)
                {
                    v = keep ? 1 : 0;
                    keep = true;
                }
                if (!keep) continue;
                (pts ??= new List<Sample>(s.Points.Count)).Add(new Sample(p.T, v));
            }
            if (pts is null) continue;
            bool drop = s.DropName || ShouldDropName(op) || e.ReturnBool;
            output.Add(new EvalSeries(s.Metric, drop, pts));
        }
        return output;
    }

    /// <summary>Computes and caches the matching signature of label sets.</summary>
    private sealed class Signatures(VectorMatching matching)
    {
        private readonly Dictionary<Labels, Labels> _cache = new();
        private readonly string[] _names = [.. matching.MatchingLabels];

        public Labels Of(Labels l)
        {
            if (_cache.TryGetValue(l, out var sig)) return sig;
            var list = new List<Label>(l.Count);
            foreach (var x in l.AsSpan())
            {
                bool listed = Array.IndexOf(_names, x.Name) >= 0;
                if (matching.On ? listed : !listed && x.Name != Labels.MetricName) list.Add(x);
            }
            sig = Labels.FromSortedUnchecked(list.ToArray());
            _cache[l] = sig;
            return sig;
        }
    }

    private List<EvalSeries> VectorVectorBinop(BinaryExpr e, VectorMatching matching, EvalValue lhs, EvalValue rhs)
    {
        var sigs = new Signatures(matching);
        var op = e.Op;
        var lb = new LabelsBuilder();
        var resultCache = new Dictionary<(Labels, Labels), Labels>();
        var sigSet = new HashSet<Labels>();
        var rightSigs = new Dictionary<Labels, StepSample>();
        var matched = new Dictionary<Labels, HashSet<Labels>?>();
        return RangeEval((ts, args, output) =>
        {
            var l = args[0];
            var r = args[1];
            switch (op)
            {
                case BinaryOp.And:
                {
                    if (l.Count == 0 || r.Count == 0) return;
                    sigSet.Clear();
                    foreach (var s in r) sigSet.Add(sigs.Of(s.Metric));
                    foreach (var s in l)
                        if (sigSet.Contains(sigs.Of(s.Metric))) output.Add(s);
                    return;
                }
                case BinaryOp.Or:
                {
                    sigSet.Clear();
                    foreach (var s in l)
                    {
                        sigSet.Add(sigs.Of(s.Metric));
                        output.Add(s);
                    }
                    foreach (var s in r)
                        if (!sigSet.Contains(sigs.Of(s.Metric))) output.Add(s);
                    return;
                }
                case BinaryOp.Unless:
                {
                    sigSet.Clear();
                    foreach (var s in r) sigSet.Add(sigs.Of(s.Metric));
                    foreach (var s in l)
                        if (!sigSet.Contains(sigs.Of(s.Metric))) output.Add(s);
                    return;
                }
            }
            if (matching.Card == VectorMatchCardinality.ManyToMany)
                throw Error("many-to-many only allowed for set operators");
            if (l.Count == 0 || r.Count == 0) return;
            bool oneToMany = matching.Card == VectorMatchCardinality.OneToMany;
            if (oneToMany) (l, r) = (r, l);
            rightSigs.Clear();
            foreach (var rs in r)
            {
                var sig = sigs.Of(rs.Metric);
                if (rightSigs.TryGetValue(sig, out var dup))
                {
                    string side = oneToMany ? "left" : "right";
                    var (first, second) = rs.Metric.CompareTo(dup.Metric) <= 0 ? (rs.Metric, dup.Metric) : (dup.Metric, rs.Metric);
                    throw Error($"found duplicate series for the match group {sig} on the {side} hand-side of the operation: [{first}, {second}];many-to-many matching not allowed: matching labels must be unique on one side");
                }
                rightSigs[sig] = rs;
            }
            matched.Clear();
            foreach (var ls in l)
            {
                var sig = sigs.Of(ls.Metric);
                if (!rightSigs.TryGetValue(sig, out var rs)) continue;
                double fl = ls.F, fr = rs.F;
                if (oneToMany) (fl, fr) = (fr, fl);
                bool exists = matched.TryGetValue(sig, out var inserted);
                if (matching.Card == VectorMatchCardinality.OneToOne)
                {
                    if (exists) throw Error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    matched[sig] = null;
                }
                var (v, keep) = ElemBinop(op, fl, fr);
                if (e.ReturnBool)
                {
                    v = keep ? 1 : 0;
                }
                else if (!keep) continue;
                if (!resultCache.TryGetValue((ls.Metric, rs.Metric), out var metric))
                {
                    metric = ResultMetric(ls.Metric, rs.Metric, matching, lb);
                    resultCache[(ls.Metric, rs.Metric)] = metric;
                }
                if (matching.Card != VectorMatchCardinality.OneToOne)
                {
                    if (!exists)
                    {
                        inserted = new HashSet<Labels>();
                        matched[sig] = inserted;
                    }
                    else if (inserted!.Contains(metric))
                    {
                        throw Error("multiple matches for labels: grouping labels must ensure unique matches");
                    }
                    inserted!.Add(metric);
                }
                bool drop = e.ReturnBool || ShouldDropName(op) || ls.DropName;
                output.Add(new StepSample(metric, v, drop));
            }
        }, lhs, rhs);
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, VectorMatching matching, LabelsBuilder lb)
    {
        lb.Reset(lhs);
        if (matching.Card == VectorMatchCardinality.OneToOne)
        {
            if (matching.On)
            {
                foreach (var l in lhs.AsSpan())
                    if (!matching.MatchingLabels.Contains(l.Name)) lb.Delete(l.Name);
            }
            else
            {
                foreach (var n in matching.MatchingLabels) lb.Delete(n);
            }
        }
        foreach (var n in matching.Include)
        {
            string v = rhs.Get(n);
            if (v.Length > 0) lb.Set(n, v);
            else lb.Delete(n);
        }
        return lb.Build();
    }
}
