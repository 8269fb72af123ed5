using Portal.Model;

namespace Portal.PromQL.PromqlTest;

/// <summary>A command of a promqltest script. <see cref="Line"/> is the 1-based line of the command keyword.</summary>
public abstract class ScriptCommand
{
    protected ScriptCommand(int line) => Line = line;

    public int Line { get; }
}

/// <summary><c>load &lt;interval&gt;</c> / <c>load_with_nhcb &lt;interval&gt;</c> with its series definitions.</summary>
public sealed class LoadCommand : ScriptCommand
{
    public LoadCommand(int line, long intervalMs, bool withNhcb, IReadOnlyList<SeriesDefinition> series)
        : base(line)
    {
        IntervalMs = intervalMs;
        WithNhcb = withNhcb;
        Series = series;
    }

    /// <summary>Gap between consecutive values, in milliseconds. Value i is at <c>i * IntervalMs</c> (the test epoch is 0).</summary>
    public long IntervalMs { get; }

    /// <summary>True for <c>load_with_nhcb</c>: classic histogram series should also be loaded as native histograms with custom buckets.</summary>
    public bool WithNhcb { get; }

    public IReadOnlyList<SeriesDefinition> Series { get; }

    /// <summary>True when any series uses native histogram notation.</summary>
    public bool HasHistograms
    {
        get
        {
            foreach (var s in Series)
                if (s.HasHistograms) return true;
            return false;
        }
    }
}

/// <summary><c>clear</c>: drop all loaded data.</summary>
public sealed class ClearCommand : ScriptCommand
{
    public ClearCommand(int line)
        : base(line)
    {
    }
}

/// <summary>Kinds of <c>expect</c> lines.</summary>
public enum ExpectationKind
{
    Ordered,
    Fail,
    Warn,
    NoWarn,
    Info,
    NoInfo,
}

/// <summary>
/// One <c>expect &lt;type&gt; [msg|regex]: ...</c> line. When neither <see cref="Message"/> nor <see cref="Regex"/> is
/// set, anything matches. <see cref="Regex"/> is the pattern text (Go RE2 syntax, unanchored).
/// </summary>
public sealed record Expectation(ExpectationKind Kind, string? Message, string? Regex, int Line)
{
    public bool MatchesAnything => Message is null && Regex is null;
}

/// <summary>Explicit timestamps expected for a range-vector result of an instant query (<c>expect range vector from .. to .. step ..</c>).</summary>
public sealed record RangeVectorExpectation(long StartMs, long EndMs, long StepMs);

/// <summary>
/// <c>eval instant at T expr</c> or <c>eval range from S to E step D expr</c> with its expectations.
/// For an instant query <see cref="StartMs"/> = <see cref="EndMs"/> = the evaluation time and <see cref="StepMs"/> = 0.
/// </summary>
public sealed class EvalCommand : ScriptCommand
{
    internal EvalCommand(int line, string expr, bool isRange, long startMs, long endMs, long stepMs)
        : base(line)
    {
        Expr = expr;
        IsRange = isRange;
        StartMs = startMs;
        EndMs = endMs;
        StepMs = stepMs;
    }

    /// <summary>The query text exactly as written (not parsed by the reader).</summary>
    public string Expr { get; }
    public bool IsRange { get; }
    public long StartMs { get; }
    public long EndMs { get; }
    public long StepMs { get; }

    /// <summary>All <c>expect</c> lines, in order.</summary>
    public List<Expectation> Expectations { get; } = new();

    /// <summary>Old-style <c>eval_fail</c>.</summary>
    public bool FailFlag { get; internal set; }
    /// <summary>Old-style <c>eval_warn</c>.</summary>
    public bool WarnFlag { get; internal set; }
    /// <summary>Old-style <c>eval_info</c>.</summary>
    public bool InfoFlag { get; internal set; }
    /// <summary>Old-style <c>eval_ordered</c>.</summary>
    public bool OrderedFlag { get; internal set; }
    /// <summary>Deprecated <c>expected_fail_message</c> line (only after <c>eval_fail</c>).</summary>
    public string? ExpectedFailMessage { get; internal set; }
    /// <summary>Deprecated <c>expected_fail_regexp</c> line (only after <c>eval_fail</c>).</summary>
    public string? ExpectedFailRegexp { get; internal set; }

    public RangeVectorExpectation? ExpectRangeVector { get; internal set; }

    /// <summary>The string of <c>expect string "..."</c>, unquoted; null when absent.</summary>
    public string? ExpectedString { get; internal set; }

    /// <summary>Set when the expected result is a scalar line.</summary>
    public double? ExpectedScalar { get; internal set; }

    /// <summary>Expected series in the order written (the order matters when <see cref="IsOrdered"/>).</summary>
    public List<SeriesDefinition> ExpectedSeries { get; } = new();

    /// <summary>True when the instant query must not also be checked as a range query (range vector or string results).</summary>
    public bool ExcludeFromRangeQuery { get; internal set; }

    public bool IsFail => FailFlag || Has(ExpectationKind.Fail);
    public bool IsOrdered => OrderedFlag || Has(ExpectationKind.Ordered);

    /// <summary>The expected failure (message, regex), combining new and old syntax; both null when any error is fine.</summary>
    public (string? Message, string? Regex) FailExpectation
    {
        get
        {
            foreach (var e in Expectations)
                if (e.Kind == ExpectationKind.Fail) return (e.Message, e.Regex);
            return (ExpectedFailMessage, ExpectedFailRegexp);
        }
    }

    public IEnumerable<Expectation> ExpectationsOf(ExpectationKind kind)
    {
        foreach (var e in Expectations)
            if (e.Kind == kind) yield return e;
    }

    public bool Has(ExpectationKind kind)
    {
        foreach (var e in Expectations)
            if (e.Kind == kind) return true;
        return false;
    }

    /// <summary>True when an expected value uses native histogram notation.</summary>
    public bool HasHistograms
    {
        get
        {
            foreach (var s in ExpectedSeries)
                if (s.HasHistograms) return true;
            return false;
        }
    }
}

/// <summary>One value of a series description: a float, an omitted slot (<c>_</c>) or a native histogram.</summary>
public readonly record struct SequenceValue(double Value, bool Omitted, string? Histogram)
{
    /// <summary>
    /// True for <c>{{...}}</c> notation. <see cref="Histogram"/> then holds the source text of the item the value
    /// was expanded from (for example <c>{{schema:0 sum:1 count:2}}x3</c>); native histograms are only recognised, not decoded.
    /// </summary>
    public bool IsHistogram => Histogram is not null;

    public static SequenceValue Float(double v) => new(v, false, null);

    public static readonly SequenceValue Blank = new(0, true, null);
}

/// <summary>A series line: labels (including <c>__name__</c>) and the expanded values.</summary>
public sealed class SeriesDefinition
{
    public SeriesDefinition(Labels labels, IReadOnlyList<SequenceValue> values, int line, bool isStartTimestamps = false)
    {
        Labels = labels;
        Values = values;
        Line = line;
        IsStartTimestamps = isStartTimestamps;
    }

    /// <summary>
    /// True for a <c>metric{...}@st</c> line: the values are start timestamps of the samples of the series with the
    /// same labels, written as signed durations relative to each sample's timestamp and stored in milliseconds
    /// (<c>-30s-1mx2</c> gives -30000, -90000, -150000).
    /// </summary>
    public bool IsStartTimestamps { get; }

    public Labels Labels { get; }
    public IReadOnlyList<SequenceValue> Values { get; }
    public int Line { get; }

    public bool HasHistograms
    {
        get
        {
            foreach (var v in Values)
                if (v.IsHistogram) return true;
            return false;
        }
    }
}

/// <summary>A malformed script. <see cref="Line"/> is 1-based.</summary>
public sealed class ScriptParseException : Exception
{
    public ScriptParseException(int line, string message)
        : base($"line {line}: {message}")
    {
        Line = line;
        Reason = message;
    }

    public int Line { get; }
    public string Reason { get; }
}
