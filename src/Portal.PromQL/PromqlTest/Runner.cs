using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Model;
using Portal.PromQL.Ast;
using IQueryable = Portal.Model.IQueryable;

namespace Portal.PromQL.PromqlTest;

/// <summary>How one eval case ended.</summary>
public enum CaseOutcome
{
    Passed,
    Failed,
    /// <summary>Only ever: the case needs native histograms, which the engine does not evaluate yet.</summary>
    Skipped,
}

/// <summary>One eval case's outcome; <see cref="Message"/> says why it failed or was skipped.</summary>
public sealed record CaseResult(string File, int Line, string Query, CaseOutcome Outcome, string? Message);

/// <summary>Counts and failures of a run over one or more script files.</summary>
public sealed class RunReport
{
    public List<CaseResult> Cases { get; } = new();
    public int Passed => Count(CaseOutcome.Passed);
    public int Failed => Count(CaseOutcome.Failed);
    public int Skipped => Count(CaseOutcome.Skipped);

    private int Count(CaseOutcome o)
    {
        int n = 0;
        foreach (var c in Cases)
            if (c.Outcome == o) n++;
        return n;
    }

    /// <summary>The plain closing line: <c>N passed, N failed, N skipped</c>.</summary>
    public string Summary => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}

/// <summary>
/// Runs promqltest scripts (load / clear / eval with expectations) against <see cref="PromQLEngine"/>, with
/// Prometheus's test semantics: values compared with a relative tolerance of 1e-6, instant queries also
/// checked in range mode, annotations matched as the API renders them. Storage is a fresh
/// <see cref="MemoryStorage"/> per file unless a factory is given. Not thread-safe; use one per thread.
/// </summary>
public sealed class Runner
{
    private const double Epsilon = 0.000001;
    private readonly PromQLEngine _engine;
    private readonly Func<IAppendableQueryable>? _storageFactory;

    /// <summary>Storage the runner can load into, query and clear.</summary>
    public interface IAppendableQueryable : IAppendable, IQueryable
    {
        /// <summary>Removes all data (the script's <c>clear</c>); may return a new instance to use instead.</summary>
        IAppendableQueryable Clear();
    }

    public Runner(EngineOptions? options = null, Func<IAppendableQueryable>? storageFactory = null)
    {
        _engine = new PromQLEngine(options ?? new EngineOptions
        {
            EnableExperimentalFunctions = true,
            Timeout = TimeSpan.FromMinutes(1),
        });
        _storageFactory = storageFactory;
    }

    /// <summary>Runs one script file; a script that cannot be read counts as one failed case.</summary>
    public void RunFile(string path, RunReport report)
    {
        string name = Path.GetFileName(path);
        IReadOnlyList<ScriptCommand> commands;
        try
        {
            commands = ScriptParser.ParseFile(path);
        }
        catch (Exception e) when (e is ScriptParseException or IOException or UnauthorizedAccessException)
        {
            report.Cases.Add(new CaseResult(name, e is ScriptParseException se ? se.Line : 0, "", CaseOutcome.Failed, "cannot read script: " + e.Message));
            return;
        }
        Run(name, commands, report);
    }

    /// <summary>Runs parsed commands, adding one result per eval to <paramref name="report"/>.</summary>
    public void Run(string name, IReadOnlyList<ScriptCommand> commands, RunReport report)
    {
        var memory = new MemoryStorage();
        IAppendableQueryable? external = _storageFactory?.Invoke();
        foreach (var cmd in commands)
        {
            switch (cmd)
            {
                case ClearCommand:
                    memory.Clear();
                    external = external?.Clear();
                    break;
                case LoadCommand load:
                    Load(load, memory, external);
                    break;
                case EvalCommand ev:
                    report.Cases.Add(Eval(name, ev, memory, external is null ? memory : external));
                    break;
            }
        }
    }

    private static void Load(LoadCommand load, MemoryStorage memory, IAppendable? external)
    {
        // A series written twice in one load keeps its last values, as in Prometheus's test storage.
        var samples = new List<(Labels Labels, long T, double V)>();
        var index = new Dictionary<(Labels, long), int>();
        foreach (var s in load.Series)
        {
            for (int i = 0; i < s.Values.Count; i++)
            {
                var v = s.Values[i];
                if (v.Omitted) continue;
                if (v.IsHistogram)
                {
                    memory.MarkHistogramSeries(s.Labels);
                    continue;
                }
                long t = i * load.IntervalMs;
                if (index.TryGetValue((s.Labels, t), out int at)) samples[at] = (s.Labels, t, v.Value);
                else
                {
                    index[(s.Labels, t)] = samples.Count;
                    samples.Add((s.Labels, t, v.Value));
                }
            }
            if (load.WithNhcb) MarkNhcb(s.Labels, memory);
        }
        samples.Sort((a, b) => a.T.CompareTo(b.T));
        var app = external?.Appender();
        foreach (var (labels, t, v) in samples)
        {
            memory.Add(labels, t, v);
            try
            {
                app?.Append(SeriesRef.None, labels, t, v);
            }
            catch (AppendException)
            {
                // A sample the storage refuses stays out; the cases that need it then fail visibly.
            }
        }
        app?.Commit();
    }

    /// <summary>load_with_nhcb also creates native histograms under the classic histogram's base name.</summary>
    private static void MarkNhcb(Labels l, MemoryStorage memory)
    {
        string name = l.MetricNameValue;
        foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
        {
            if (!name.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var b = new LabelsBuilder(l);
            b.Set(Labels.MetricName, name[..^suffix.Length]);
            b.Delete("le");
            memory.MarkHistogramSeries(b.Build());
        }
    }

    private static IEnumerable<VectorSelector> Selectors(Expr e)
    {
        if (e is VectorSelector vs) yield return vs;
        foreach (var c in e.Children)
            foreach (var s in Selectors(c)) yield return s;
    }

    private CaseResult Eval(string file, EvalCommand cmd, MemoryStorage memory, IQueryable storage)
    {
        CaseResult Result(CaseOutcome o, string? msg = null) => new(file, cmd.Line, cmd.Expr, o, msg);

        if (cmd.HasHistograms) return Result(CaseOutcome.Skipped, "needs native histograms");
        Expr? parsed = null;
        try
        {
            parsed = PromQLParser.ParseExpr(cmd.Expr);
        }
        catch (PromQLParseException)
        {
            // The engine reports the parse error itself.
        }
        if (parsed is not null)
            foreach (var vs in Selectors(parsed))
                if (memory.AnyHistogramSeriesMatches(vs.LabelMatchers)) return Result(CaseOutcome.Skipped, "needs native histograms");

        var res = cmd.IsRange
            ? _engine.RangeQuery(storage, cmd.Expr, cmd.StartMs, cmd.EndMs, cmd.StepMs)
            : _engine.InstantQuery(storage, cmd.Expr, cmd.StartMs);

        if (res.Error is not null)
        {
            if (!cmd.IsFail) return Result(CaseOutcome.Failed, $"unexpected error: {res.Error.Message}");
            var (msg, regex) = cmd.FailExpectation;
            if (msg is not null && msg != res.Error.Message)
                return Result(CaseOutcome.Failed, $"expected error \"{msg}\", got \"{res.Error.Message}\"");
            if (regex is not null && !SafeRegex(regex, res.Error.Message))
                return Result(CaseOutcome.Failed, $"expected error matching /{regex}/, got \"{res.Error.Message}\"");
            return Result(CaseOutcome.Passed);
        }
        if (cmd.IsFail) return Result(CaseOutcome.Failed, "expected an error, got none");

        if (CheckAnnotations(cmd, res) is { } annErr) return Result(CaseOutcome.Failed, annErr);
        if (Compare(cmd, res.Value!, cmd.StartMs, cmd.IsRange) is { } cmpErr) return Result(CaseOutcome.Failed, cmpErr);

        if (!cmd.IsRange && !cmd.ExcludeFromRangeQuery && !cmd.IsOrdered && res.Value is VectorResult or ScalarResult &&
            parsed is not null && !DependsOnQueryRange(parsed))
        {
            long t = cmd.StartMs;
            var rr = _engine.RangeQuery(storage, cmd.Expr, t - 60_000, t + 60_000, 60_000);
            if (rr.Error is not null) return Result(CaseOutcome.Failed, $"error in range mode: {rr.Error.Message}");
            var m = (MatrixResult)rr.Value!;
            var vec = new List<VectorElement>();
            foreach (var s in m.Series)
                foreach (var p in s.Floats)
                    if (p.T == t)
                    {
                        vec.Add(new VectorElement(s.Metric, p.T, p.V));
                        break;
                    }
            QueryValue asInstant = res.Value is ScalarResult
                ? new ScalarResult(t, vec.Count > 0 ? vec[0].F : double.NaN)
                : new VectorResult(vec);
            if (Compare(cmd, asInstant, t, false) is { } rErr) return Result(CaseOutcome.Failed, "in range mode: " + rErr);
        }
        return Result(CaseOutcome.Passed);
    }

    /// <summary>True when the value depends on the query's step or range (step(), range(), start(), end()), so range mode differs by design.</summary>
    private static bool DependsOnQueryRange(Expr e)
    {
        if (e is Call c && c.Func.Name is "step" or "range" or "start" or "end") return true;
        if (e is DurationExpr d && !d.IsConstant) return true;
        if (e is MatrixSelector { RangeExpr: { IsConstant: false } }) return true;
        if (e is SubqueryExpr sq && (sq.RangeExpr is { IsConstant: false } || sq.StepExpr is { IsConstant: false } || sq.OriginalOffsetExpr is { IsConstant: false })) return true;
        if (e is VectorSelector vs && vs.OriginalOffsetExpr is { IsConstant: false }) return true;
        foreach (var child in e.Children)
            if (DependsOnQueryRange(child)) return true;
        return false;
    }

    private static bool SafeRegex(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? CheckAnnotations(EvalCommand cmd, QueryResult res)
    {
        string? Check(ExpectationKind kind, ExpectationKind noKind, bool oldFlag, IReadOnlyList<string> got, string what)
        {
            var exps = cmd.ExpectationsOf(kind).ToList();
            if (cmd.Has(noKind) && got.Count > 0) return $"expected no {what} annotations, got: {string.Join(" | ", got)}";
            if (oldFlag && exps.Count == 0 && got.Count == 0) return $"expected {what} annotations, got none";
            if (exps.Count == 0) return null;
            foreach (var e in exps)
            {
                bool any = false;
                foreach (var g in got)
                    if (Matches(e, g)) any = true;
                if (!any) return $"expected {what} annotation {Describe(e)}, got: [{string.Join(" | ", got)}]";
            }
            foreach (var g in got)
            {
                bool matched = false;
                foreach (var e in exps)
                    if (Matches(e, g)) matched = true;
                if (!matched) return $"unexpected {what} annotation: {g}";
            }
            return null;
        }
        return Check(ExpectationKind.Warn, ExpectationKind.NoWarn, cmd.WarnFlag, res.Warnings, "warn")
            ?? Check(ExpectationKind.Info, ExpectationKind.NoInfo, cmd.InfoFlag, res.Infos, "info");
    }

    private static bool Matches(Expectation e, string got) =>
        e.MatchesAnything || (e.Message is not null ? e.Message == got : SafeRegex(e.Regex!, got));

    private static string Describe(Expectation e) =>
        e.Message is not null ? $"\"{e.Message}\"" : e.Regex is not null ? $"/{e.Regex}/" : "(any)";

    private static bool AlmostEqual(double expected, double actual)
    {
        if (expected == actual) return true;
        if (double.IsNaN(expected) || double.IsNaN(actual))
            return double.IsNaN(expected) && double.IsNaN(actual) && SampleValue.IsStaleNaN(expected) == SampleValue.IsStaleNaN(actual);
        double absSum = Math.Abs(expected) + Math.Abs(actual);
        double diff = Math.Abs(expected - actual);
        double minNormal = BitConverter.UInt64BitsToDouble(0x0010000000000000UL);
        if (expected == 0 || actual == 0 || absSum < minNormal) return diff < Epsilon * minNormal;
        return diff / Math.Min(absSum, double.MaxValue) < Epsilon;
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string? Compare(EvalCommand cmd, QueryValue value, long evalTime, bool isRange)
    {
        if (cmd.ExpectedString is not null)
        {
            if (value is not StringResult s) return $"expected string \"{cmd.ExpectedString}\", got {value.ResultType}";
            return s.Value == cmd.ExpectedString ? null : $"expected string \"{cmd.ExpectedString}\", got \"{s.Value}\"";
        }
        if (cmd.ExpectedScalar is { } es)
        {
            if (value is not ScalarResult sc) return $"expected scalar {F(es)}, got {value.ResultType}";
            return AlmostEqual(es, sc.F) ? null : $"expected scalar {F(es)}, got {F(sc.F)}";
        }
        switch (value)
        {
            case ScalarResult sc:
                return $"expected {cmd.ExpectedSeries.Count} series, got scalar {F(sc.F)}";
            case StringResult str:
                return $"unexpected string result \"{str.Value}\"";
            case VectorResult v:
            {
                if (isRange) return "expected a matrix, got a vector";
                if (v.Samples.Count != cmd.ExpectedSeries.Count)
                    return $"expected {cmd.ExpectedSeries.Count} samples, got {v.Samples.Count}: {DescribeVector(v)}";
                for (int i = 0; i < cmd.ExpectedSeries.Count; i++)
                {
                    var exp = cmd.ExpectedSeries[i];
                    int idx = v.Samples.FindIndex(s => s.Metric.Equals(exp.Labels));
                    if (idx < 0) return $"expected series {exp.Labels} not found in result: {DescribeVector(v)}";
                    if (cmd.IsOrdered && idx != i) return $"expected {exp.Labels} at position {i}, found at {idx}";
                    var got = v.Samples[idx];
                    var ev = exp.Values.Count > 0 ? exp.Values[0] : SequenceValue.Blank;
                    if (ev.Omitted) return $"expected no value for {exp.Labels}";
                    if (!AlmostEqual(ev.Value, got.F)) return $"for {exp.Labels} expected {F(ev.Value)}, got {F(got.F)}";
                }
                return null;
            }
            case MatrixResult m:
            {
                if (m.Series.Count != cmd.ExpectedSeries.Count)
                    return $"expected {cmd.ExpectedSeries.Count} series, got {m.Series.Count}: {DescribeMatrix(m)}";
                long start = cmd.StartMs, step = cmd.StepMs;
                if (!isRange)
                {
                    if (cmd.ExpectRangeVector is { } rv)
                    {
                        start = rv.StartMs;
                        step = rv.StepMs;
                    }
                    else
                    {
                        step = 0;
                    }
                }
                foreach (var exp in cmd.ExpectedSeries)
                {
                    var got = m.Series.Find(s => s.Metric.Equals(exp.Labels));
                    if (got is null) return $"expected series {exp.Labels} not found in result: {DescribeMatrix(m)}";
                    var want = new List<Sample>();
                    for (int i = 0; i < exp.Values.Count; i++)
                        if (!exp.Values[i].Omitted) want.Add(new Sample(start + i * step, exp.Values[i].Value));
                    if (want.Count != got.Floats.Length)
                        return $"for {exp.Labels} expected {want.Count} points {DescribePoints(want)}, got {got.Floats.Length} {DescribePoints(got.Floats)}";
                    for (int i = 0; i < want.Count; i++)
                    {
                        bool timeOk = isRange || cmd.ExpectRangeVector is not null ? want[i].T == got.Floats[i].T : true;
                        if (!timeOk || !AlmostEqual(want[i].V, got.Floats[i].V))
                            return $"for {exp.Labels} expected {DescribePoints(want)}, got {DescribePoints(got.Floats)}";
                    }
                }
                return null;
            }
        }
        return "unknown result type";
    }

    private static string DescribeVector(VectorResult v)
    {
        var sb = new StringBuilder("[");
        foreach (var s in v.Samples.Take(10)) sb.Append(s.Metric).Append(" => ").Append(F(s.F)).Append("; ");
        return sb.Append(']').ToString();
    }

    private static string DescribeMatrix(MatrixResult m)
    {
        var sb = new StringBuilder("[");
        foreach (var s in m.Series.Take(10)) sb.Append(s.Metric).Append(' ').Append(DescribePoints(s.Floats)).Append("; ");
        return sb.Append(']').ToString();
    }

    private static string DescribePoints(IEnumerable<Sample> pts)
    {
        var sb = new StringBuilder();
        foreach (var p in pts.Take(20)) sb.Append(F(p.V)).Append('@').Append(p.T / 1000.0).Append(' ');
        return sb.ToString().TrimEnd();
    }
}
