using System.Text.RegularExpressions;
using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Engine;

internal sealed partial class Evaluator
{
    private static Expr Unwrap(Expr e)
    {
        while (true)
        {
            switch (e)
            {
                case ParenExpr p: e = p.Expr; continue;
                case StepInvariantExpr s: e = s.Expr; continue;
                default: return e;
            }
        }
    }

    private EvalValue EvalCall(Call c)
    {
        string name = c.Func.Name;
        if (c.Func.Experimental && !_q.Options.EnableExperimentalFunctions)
            throw new PromQLException(ErrorKind.BadData, $"function \"{name}\" is not enabled");

        if (ExtendedSelectors.ValidateCall(c) is { } invalid) throw Error(invalid);

        // Functions over a range vector.
        int matrixArg = -1;
        for (int i = 0; i < c.Func.ArgTypes.Count && i < c.Args.Count; i++)
            if (c.Func.ArgTypes[i] == Ast.ValueType.Matrix) matrixArg = i;
        if (matrixArg >= 0) return new EvalValue { Series = EvalRangeFunction(c, matrixArg) };

        switch (name)
        {
            case "time": return ScalarTime();
            case "pi": return ScalarValue(Math.PI);
            case "start": return ScalarValue(_q.QueryStart / 1000.0);
            case "end": return ScalarValue(_q.QueryEnd / 1000.0);
            case "step": return ScalarValue(_q.QueryStep / 1000.0);
            case "range": return ScalarValue((_q.QueryEnd - _q.QueryStart) / 1000.0);
            case "min_of":
            case "max_of":
            {
                var a = ScalarSteps(c.Args[0]);
                var b = ScalarSteps(c.Args[1]);
                return ScalarFromSteps(i => name == "min_of" ? Math.Min(a[i], b[i]) : Math.Max(a[i], b[i]));
            }
            case "scalar": return EvalScalarFunc(c);
            case "vector":
            {
                var v = Eval(c.Args[0]);
                var s = v.Series![0];
                return new EvalValue { Series = [new EvalSeries(Labels.Empty, false, s.Points)] };
            }
            case "timestamp":
            {
                var arg = Unwrap(c.Args[0]);
                if (arg is VectorSelector vs) return new EvalValue { Series = EvalVectorSelector(vs, true) };
                var v = Eval(c.Args[0]);
                foreach (var s in v.Series!)
                {
                    s.DropName = true;
                    var pts = s.Points;
                    for (int i = 0; i < pts.Count; i++) pts[i] = new Sample(pts[i].T, pts[i].T / 1000.0);
                }
                return v;
            }
            case "absent": return EvalAbsent(c);
            case "sort":
            case "sort_desc":
            case "sort_by_label":
            case "sort_by_label_desc":
                return EvalSort(c);
            case "label_replace": return EvalLabelReplace(c);
            case "label_join": return EvalLabelJoin(c);
            case "histogram_quantile": return new EvalValue { Series = EvalHistogramQuantile(c) };
            case "histogram_quantiles": return MergeSameLabels(new EvalValue { Series = EvalHistogramQuantiles(c) });
            case "histogram_fraction": return new EvalValue { Series = EvalHistogramFraction(c) };
            case "histogram_count":
            case "histogram_sum":
            case "histogram_avg":
            case "histogram_stddev":
            case "histogram_stdvar":
            {
                // Native histograms only: float samples yield nothing.
                Eval(c.Args[0]);
                return new EvalValue { Series = [] };
            }
            case "clamp":
            case "clamp_min":
            case "clamp_max":
                return EvalClamp(c);
            case "round":
            {
                var v = Eval(c.Args[0]);
                double[]? to = c.Args.Count > 1 ? ScalarSteps(c.Args[1]) : null;
                MapValues(v, (t, f) =>
                {
                    double inv = 1.0 / (to is null ? 1.0 : to[StepIndex(t)]);
                    return Math.Floor(f * inv + 0.5) / inv;
                });
                return v;
            }
            case "day_of_month":
            case "day_of_week":
            case "day_of_year":
            case "days_in_month":
            case "hour":
            case "minute":
            case "month":
            case "year":
                return EvalDateFunc(c);
        }
        var fn = SimpleMath(name);
        if (fn is not null)
        {
            var v = Eval(c.Args[0]);
            MapValues(v, (_, f) => fn(f));
            return v;
        }
        throw new PromQLException(ErrorKind.BadData, $"function \"{name}\" is not supported");
    }

    private static Func<double, double>? SimpleMath(string name) => name switch
    {
        "abs" => Math.Abs,
        "ceil" => Math.Ceiling,
        "floor" => Math.Floor,
        "exp" => Math.Exp,
        "sqrt" => Math.Sqrt,
        "ln" => Math.Log,
        "log2" => Math.Log2,
        "log10" => Math.Log10,
        "sin" => Math.Sin,
        "cos" => Math.Cos,
        "tan" => Math.Tan,
        "asin" => Math.Asin,
        "acos" => Math.Acos,
        "atan" => Math.Atan,
        "sinh" => Math.Sinh,
        "cosh" => Math.Cosh,
        "tanh" => Math.Tanh,
        "asinh" => Math.Asinh,
        "acosh" => Math.Acosh,
        "atanh" => Math.Atanh,
        "deg" => f => f * 180 / Math.PI,
        "rad" => f => f * Math.PI / 180,
        "sgn" => f => f > 0 ? 1 : f < 0 ? -1 : f,
        _ => null,
    };

    /// <summary>Applies <paramref name="f"/> (step time, value) to every point and marks the series' names for dropping.</summary>
    private static void MapValues(EvalValue v, Func<long, double, double> f)
    {
        foreach (var s in v.Series!)
        {
            var pts = s.Points;
            for (int i = 0; i < pts.Count; i++) pts[i] = new Sample(pts[i].T, f(pts[i].T, pts[i].V));
            s.DropName = true;
        }
    }

    private EvalValue ScalarTime() => ScalarFromSteps(i => (_start + i * _interval) / 1000.0);

    private EvalValue ScalarFromSteps(Func<int, double> f)
    {
        int n = NumSteps;
        _q.Count(n);
        var pts = new List<Sample>(n);
        for (int i = 0; i < n; i++)
        {
            _q.CheckEvery(i);
            pts.Add(new Sample(_start + i * _interval, f(i)));
        }
        return new EvalValue { IsScalar = true, Series = [new EvalSeries(Labels.Empty, false, pts)] };
    }

    private EvalValue EvalScalarFunc(Call c)
    {
        var v = Eval(c.Args[0]);
        int n = NumSteps;
        var count = new int[n];
        var val = new double[n];
        foreach (var s in v.Series!)
            foreach (var p in s.Points)
            {
                int i = StepIndex(p.T);
                count[i]++;
                val[i] = p.V;
            }
        return ScalarFromSteps(i => count[i] == 1 ? val[i] : double.NaN);
    }

    private EvalValue EvalClamp(Call c)
    {
        var v = Eval(c.Args[0]);
        double[] lo, hi;
        switch (c.Func.Name)
        {
            case "clamp":
                lo = ScalarSteps(c.Args[1]);
                hi = ScalarSteps(c.Args[2]);
                break;
            case "clamp_min":
                lo = ScalarSteps(c.Args[1]);
                hi = new double[NumSteps];
                Array.Fill(hi, double.PositiveInfinity);
                break;
            default:
                hi = ScalarSteps(c.Args[1]);
                lo = new double[NumSteps];
                Array.Fill(lo, double.NegativeInfinity);
                break;
        }
        var output = new List<EvalSeries>(v.Series!.Count);
        foreach (var s in v.Series)
        {
            var pts = new List<Sample>(s.Points.Count);
            foreach (var p in s.Points)
            {
                int i = StepIndex(p.T);
                if (hi[i] < lo[i]) continue;
                pts.Add(new Sample(p.T, GoMax(lo[i], GoMin(hi[i], p.V))));
            }
            if (pts.Count > 0) output.Add(new EvalSeries(s.Metric, true, pts));
        }
        return new EvalValue { Series = output };
    }

    /// <summary>Go's math.Max: NaN if either is NaN.</summary>
    private static double GoMax(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static double GoMin(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b);

    private EvalValue EvalDateFunc(Call c)
    {
        string name = c.Func.Name;
        Func<double, double> f = t =>
        {
            if (double.IsNaN(t) || double.IsInfinity(t) || t > 9.2e15 || t < -9.2e15) return double.NaN;
            var d = DateTimeOffset.UnixEpoch.AddTicks((long)(Math.Floor(t) * TimeSpan.TicksPerSecond));
            return name switch
            {
                "day_of_month" => d.Day,
                "day_of_week" => (int)d.DayOfWeek,
                "day_of_year" => d.DayOfYear,
                "days_in_month" => DateTime.DaysInMonth(d.Year, d.Month),
                "hour" => d.Hour,
                "minute" => d.Minute,
                "month" => d.Month,
                _ => d.Year,
            };
        };
        if (c.Args.Count == 0)
        {
            var v0 = ScalarFromSteps(i => f((_start + i * _interval) / 1000.0));
            v0.IsScalar = false;
            return v0;
        }
        var v = Eval(c.Args[0]);
        MapValues(v, (_, x) => f(x));
        return v;
    }

    private static Labels LabelsForAbsent(Expr arg)
    {
        arg = Unwrap(arg);
        List<Matcher>? lm = arg switch
        {
            VectorSelector vs => vs.LabelMatchers,
            MatrixSelector ms => ms.VectorSelector.LabelMatchers,
            _ => null,
        };
        if (lm is null) return Labels.Empty;
        var b = new LabelsBuilder();
        var has = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in lm)
        {
            if (m.Name == Labels.MetricName) continue;
            if (m.Type == Portal.Model.MatchType.Equal && has.Add(m.Name)) b.Set(m.Name, m.Value);
            else b.Delete(m.Name);
        }
        return b.Build();
    }

    private EvalValue EvalAbsent(Call c)
    {
        var v = Eval(c.Args[0]);
        int n = NumSteps;
        var present = new bool[n];
        foreach (var s in v.Series!)
            foreach (var p in s.Points) present[StepIndex(p.T)] = true;
        var pts = new List<Sample>();
        for (int i = 0; i < n; i++)
            if (!present[i]) pts.Add(new Sample(_start + i * _interval, 1));
        if (pts.Count == 0) return new EvalValue { Series = [] };
        return new EvalValue { Series = [new EvalSeries(LabelsForAbsent(c.Args[0]), false, pts)] };
    }

    private EvalValue EvalSort(Call c)
    {
        string name = c.Func.Name;
        if (!IsInstant)
            _q.Annotations.Warn("sort is ineffective for range queries since results are always ordered by labels", c.Pos);
        var v = Eval(c.Args[0]);
        if (!IsInstant) return v;
        var list = v.Series!;
        switch (name)
        {
            case "sort":
                // Ascending, NaN last.
                StableSort(list, (a, b) => CompareValueNaNLast(a.Points[0].V, b.Points[0].V, false));
                break;
            case "sort_desc":
                StableSort(list, (a, b) => CompareValueNaNLast(a.Points[0].V, b.Points[0].V, true));
                break;
            default:
            {
                var names = new List<string>();
                for (int i = 1; i < c.Args.Count; i++) names.Add(((StringLiteral)Unwrap(c.Args[i])).Val);
                bool desc = name == "sort_by_label_desc";
                StableSort(list, (a, b) =>
                {
                    int r = 0;
                    foreach (var l in names)
                    {
                        string x = a.Metric.Get(l), y = b.Metric.Get(l);
                        if (x == y) continue;
                        r = NaturalSort.Compare(x, y);
                        break;
                    }
                    if (r == 0) r = a.Metric.CompareTo(b.Metric);
                    return desc ? -r : r;
                });
                break;
            }
        }
        v.Series = list;
        return v;
    }

    private static int CompareValueNaNLast(double a, double b, bool desc)
    {
        bool an = double.IsNaN(a), bn = double.IsNaN(b);
        if (an || bn) return an == bn ? 0 : an ? 1 : -1;
        int c = a.CompareTo(b);
        return desc ? -c : c;
    }

    private static void StableSort<T>(List<T> list, Comparison<T> cmp)
    {
        var idx = new (T Item, int I)[list.Count];
        for (int i = 0; i < list.Count; i++) idx[i] = (list[i], i);
        Array.Sort(idx, (x, y) =>
        {
            int r = cmp(x.Item, y.Item);
            return r != 0 ? r : x.I.CompareTo(y.I);
        });
        for (int i = 0; i < list.Count; i++) list[i] = idx[i].Item;
    }

    private static string StringArg(Expr e) => Unwrap(e) is StringLiteral s
        ? s.Val
        : throw new PromQLException(ErrorKind.BadData, "expected a string literal argument");

    private EvalValue EvalLabelReplace(Call c)
    {
        string dst = StringArg(c.Args[1]), repl = StringArg(c.Args[2]), src = StringArg(c.Args[3]), regexText = StringArg(c.Args[4]);
        Regex regex;
        try
        {
            regex = PromRegex.Compile(regexText);
        }
        catch (ArgumentException)
        {
            throw Error($"invalid regular expression in label_replace(): {regexText}");
        }
        if (!LabelNames.IsValidUtf8Name(dst))
            throw Error($"invalid destination label name in label_replace(): {dst}");
        var v = Eval(c.Args[0]);
        var b = new LabelsBuilder();
        var cache = new Dictionary<Labels, Labels>();
        foreach (var s in v.Series!)
        {
            if (!cache.TryGetValue(s.Metric, out var outLabels))
            {
                outLabels = s.Metric;
                var m = regex.Match(s.Metric.Get(src));
                if (m.Success)
                {
                    string res = GoTemplate.Expand(repl, m, regex);
                    b.Reset(s.Metric);
                    b.Set(dst, res);
                    outLabels = b.Build();
                }
                cache[s.Metric] = outLabels;
            }
            s.Metric = outLabels;
            if (dst == Labels.MetricName) s.DropName = false;
        }
        return MergeSameLabels(v);
    }

    private EvalValue EvalLabelJoin(Call c)
    {
        string dst = StringArg(c.Args[1]), sep = StringArg(c.Args[2]);
        var srcs = new List<string>();
        for (int i = 3; i < c.Args.Count; i++)
        {
            string l = StringArg(c.Args[i]);
            if (!LabelNames.IsValidUtf8Name(l)) throw Error($"invalid source label name in label_join(): {l}");
            srcs.Add(l);
        }
        if (!LabelNames.IsValidUtf8Name(dst)) throw Error($"invalid destination label name in label_join(): {dst}");
        var v = Eval(c.Args[0]);
        var b = new LabelsBuilder();
        foreach (var s in v.Series!)
        {
            var parts = new string[srcs.Count];
            for (int i = 0; i < srcs.Count; i++) parts[i] = s.Metric.Get(srcs[i]);
            b.Reset(s.Metric);
            b.Set(dst, string.Join(sep, parts));
            s.Metric = b.Build();
            if (dst == Labels.MetricName) s.DropName = false;
        }
        return MergeSameLabels(v);
    }

    /// <summary>After relabelling, series with equal labels are merged; equal labels at one step are an error.</summary>
    private EvalValue MergeSameLabels(EvalValue v)
    {
        var list = v.Series!;
        var seen = new Dictionary<Labels, EvalSeries>();
        var output = new List<EvalSeries>(list.Count);
        foreach (var s in list)
        {
            if (!seen.TryGetValue(s.Metric, out var prior))
            {
                seen[s.Metric] = s;
                output.Add(s);
                continue;
            }
            var merged = new List<Sample>(prior.Points.Count + s.Points.Count);
            int i = 0, j = 0;
            while (i < prior.Points.Count || j < s.Points.Count)
            {
                if (j >= s.Points.Count || (i < prior.Points.Count && prior.Points[i].T < s.Points[j].T)) merged.Add(prior.Points[i++]);
                else if (i >= prior.Points.Count || s.Points[j].T < prior.Points[i].T) merged.Add(s.Points[j++]);
                else throw Error("vector cannot contain metrics with the same labelset");
            }
            prior.Points = merged;
        }
        v.Series = output;
        return v;
    }

    // ---- range-vector functions ----

    private List<EvalSeries> EvalRangeFunction(Call c, int matrixArg)
    {
        string name = c.Func.Name;
        double[]? p0 = null, p1 = null;
        switch (name)
        {
            case "quantile_over_time": p0 = ScalarSteps(c.Args[0]); break;
            case "predict_linear": p0 = ScalarSteps(c.Args[1]); break;
            case "double_exponential_smoothing":
                p0 = ScalarSteps(c.Args[1]);
                p1 = ScalarSteps(c.Args[2]);
                break;
        }
        var fn = RangeFuncOf(name);
        int steps = NumSteps;
        var output = new List<EvalSeries>();
        bool keepName = name is "last_over_time" or "first_over_time";
        bool isAbsent = name == "absent_over_time";
        bool[]? anyPresent = isAbsent ? new bool[steps] : null;
        double[]? scratch = null;
        var argPos = c.Args[matrixArg].Pos;
        long srcRange, srcOffset;
        long? srcAt;
        void Process(Labels labels, bool dropName, Sample[] samples, int count)
        {
            _q.Check();
            List<Sample>? pts = null;
            int lo = 0, hi = 0;
            for (int i = 0; i < steps; i++)
            {
                _q.CheckEvery(i);
                long ts = _start + i * _interval;
                long r = RefTime(ts, srcAt, srcOffset);
                long minT = r - srcRange;
                while (lo < count && samples[lo].T <= minT) lo++;
                if (hi < lo) hi = lo;
                while (hi < count && samples[hi].T <= r) hi++;
                if (hi == lo) continue;
                var w = new ReadOnlySpan<Sample>(samples, lo, hi - lo);
                if (isAbsent)
                {
                    anyPresent![i] = true;
                    continue;
                }
                double val;
                switch (fn)
                {
                    case RangeFunc.Rate:
                    case RangeFunc.Increase:
                    case RangeFunc.Delta:
                        if (!RangeMath.ExtrapolatedRate(w, minT, r, fn != RangeFunc.Delta, fn == RangeFunc.Rate, out val)) continue;
                        break;
                    case RangeFunc.Irate:
                    case RangeFunc.Idelta:
                        if (!RangeMath.InstantValue(w, fn == RangeFunc.Irate, out val)) continue;
                        break;
                    case RangeFunc.AvgOverTime: val = RangeMath.Avg(w); break;
                    case RangeFunc.SumOverTime: val = RangeMath.Sum(w); break;
                    case RangeFunc.CountOverTime: val = w.Length; break;
                    case RangeFunc.MinOverTime: val = RangeMath.Min(w); break;
                    case RangeFunc.MaxOverTime: val = RangeMath.Max(w); break;
                    case RangeFunc.LastOverTime: val = w[^1].V; break;
                    case RangeFunc.FirstOverTime: val = w[0].V; break;
                    case RangeFunc.TsOfLastOverTime: val = w[^1].T / 1000.0; break;
                    case RangeFunc.TsOfFirstOverTime: val = w[0].T / 1000.0; break;
                    case RangeFunc.TsOfMaxOverTime: val = TsOfExtreme(w, true); break;
                    case RangeFunc.TsOfMinOverTime: val = TsOfExtreme(w, false); break;
                    case RangeFunc.PresentOverTime: val = 1; break;
                    case RangeFunc.StddevOverTime: val = Math.Sqrt(RangeMath.Variance(w)); break;
                    case RangeFunc.StdvarOverTime: val = RangeMath.Variance(w); break;
                    case RangeFunc.Changes: val = RangeMath.Changes(w); break;
                    case RangeFunc.Resets: val = RangeMath.Resets(w); break;
                    case RangeFunc.Deriv:
                        if (w.Length < 2) continue;
                        val = RangeMath.LinearRegression(w, w[0].T).Slope;
                        break;
                    case RangeFunc.PredictLinear:
                    {
                        if (w.Length < 2) continue;
                        var (slope, intercept) = RangeMath.LinearRegression(w, ts);
                        val = slope * p0![i] + intercept;
                        break;
                    }
                    case RangeFunc.QuantileOverTime:
                    {
                        double q = p0![i];
                        if (double.IsNaN(q) || q < 0 || q > 1)
                            _q.Annotations.Warn("quantile value should be between 0 and 1, got " + GoFloat.FormatG(q), c.Args[0].Pos);
                        scratch = Scratch(scratch, w.Length);
                        var vals = scratch.AsSpan(0, w.Length);
                        for (int k = 0; k < w.Length; k++) vals[k] = w[k].V;
                        val = RangeMath.Quantile(q, vals);
                        break;
                    }
                    case RangeFunc.MadOverTime:
                        scratch = Scratch(scratch, w.Length);
                        val = RangeMath.MedianAbsoluteDeviation(w, scratch);
                        break;
                    case RangeFunc.DoubleExponentialSmoothing:
                    {
                        double sf = p0![i], tf = p1![i];
                        if (sf <= 0 || sf >= 1)
                            throw Error($"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
                        if (tf <= 0 || tf >= 1)
                            throw Error($"invalid trend factor. Expected: 0 < tf < 1, got: {tf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
                        if (!RangeMath.DoubleExponentialSmoothing(w, sf, tf, out val)) continue;
                        break;
                    }
                    default:
                        throw new PromQLException(ErrorKind.BadData, $"function \"{name}\" is not supported");
                }
                pts ??= new List<Sample>(steps - i);
                pts.Add(new Sample(ts, val));
            }
            if (pts is null) return;
            _q.Count(pts.Count);
            if (name is "rate" or "increase")
            {
                string metricName = labels.MetricNameValue;
                if (metricName.Length > 0 && !metricName.EndsWith("_total", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_sum", StringComparison.Ordinal) && !metricName.EndsWith("_count", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_bucket", StringComparison.Ordinal))
                {
                    _q.Annotations.Info($"metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"{metricName}\"", argPos);
                }
            }
            output.Add(new EvalSeries(labels, keepName ? dropName : true, pts));
        }

        var marg = Unwrap(c.Args[matrixArg]);
        if (marg is MatrixSelector ms)
        {
            var vs = ms.VectorSelector;
            srcRange = _q.DurationMs(ms.RangeExpr, ms.Range);
            srcOffset = OffsetOf(vs);
            srcAt = _q.AtOf(vs.Timestamp, vs.StartOrEnd);
            long refStart = RefTime(_start, srcAt, srcOffset), refEnd = RefTime(_end, srcAt, srcOffset);
            SelectEach(vs, refStart - srcRange + 1, refEnd, srcRange, name, (labels, buf, n) =>
            {
                int k = 0;
                for (int x = 0; x < n; x++)
                    if (!SampleValue.IsStaleNaN(buf[x].V)) buf[k++] = buf[x];
                Process(labels, false, buf, k);
            });
        }
        else
        {
            var src = LoadRange(c.Args[matrixArg], name);
            srcRange = src.Range;
            srcOffset = src.Offset;
            srcAt = src.At;
            foreach (var (labels, dropName, samples) in src.Series) Process(labels, dropName, samples, samples.Length);
        }
        if (isAbsent)
        {
            var pts = new List<Sample>();
            for (int i = 0; i < steps; i++)
                if (!anyPresent![i]) pts.Add(new Sample(_start + i * _interval, 1));
            if (pts.Count > 0) output.Add(new EvalSeries(LabelsForAbsent(c.Args[matrixArg]), false, pts));
        }
        return output;
    }

    private enum RangeFunc
    {
        Unknown,
        Rate,
        Increase,
        Delta,
        Irate,
        Idelta,
        AbsentOverTime,
        AvgOverTime,
        SumOverTime,
        CountOverTime,
        MinOverTime,
        MaxOverTime,
        LastOverTime,
        FirstOverTime,
        TsOfLastOverTime,
        TsOfFirstOverTime,
        TsOfMaxOverTime,
        TsOfMinOverTime,
        PresentOverTime,
        StddevOverTime,
        StdvarOverTime,
        Changes,
        Resets,
        Deriv,
        PredictLinear,
        QuantileOverTime,
        MadOverTime,
        DoubleExponentialSmoothing,
    }

    private static RangeFunc RangeFuncOf(string name) => name switch
    {
        "rate" => RangeFunc.Rate,
        "increase" => RangeFunc.Increase,
        "delta" => RangeFunc.Delta,
        "irate" => RangeFunc.Irate,
        "idelta" => RangeFunc.Idelta,
        "absent_over_time" => RangeFunc.AbsentOverTime,
        "avg_over_time" => RangeFunc.AvgOverTime,
        "sum_over_time" => RangeFunc.SumOverTime,
        "count_over_time" => RangeFunc.CountOverTime,
        "min_over_time" => RangeFunc.MinOverTime,
        "max_over_time" => RangeFunc.MaxOverTime,
        "last_over_time" => RangeFunc.LastOverTime,
        "first_over_time" => RangeFunc.FirstOverTime,
        "ts_of_last_over_time" => RangeFunc.TsOfLastOverTime,
        "ts_of_first_over_time" => RangeFunc.TsOfFirstOverTime,
        "ts_of_max_over_time" => RangeFunc.TsOfMaxOverTime,
        "ts_of_min_over_time" => RangeFunc.TsOfMinOverTime,
        "present_over_time" => RangeFunc.PresentOverTime,
        "stddev_over_time" => RangeFunc.StddevOverTime,
        "stdvar_over_time" => RangeFunc.StdvarOverTime,
        "changes" => RangeFunc.Changes,
        "resets" => RangeFunc.Resets,
        "deriv" => RangeFunc.Deriv,
        "predict_linear" => RangeFunc.PredictLinear,
        "quantile_over_time" => RangeFunc.QuantileOverTime,
        "mad_over_time" => RangeFunc.MadOverTime,
        "double_exponential_smoothing" => RangeFunc.DoubleExponentialSmoothing,
        _ => RangeFunc.Unknown,
    };

    private static double[] Scratch(double[]? buf, int n) => buf is not null && buf.Length >= n ? buf : new double[Math.Max(n, 16)];

    private static double TsOfExtreme(ReadOnlySpan<Sample> w, bool max)
    {
        double best = w[0].V;
        long t = w[0].T;
        foreach (var s in w)
        {
            bool better = max ? s.V >= best || double.IsNaN(best) : s.V <= best || double.IsNaN(best);
            if (better)
            {
                best = s.V;
                t = s.T;
            }
        }
        return t / 1000.0;
    }
}
