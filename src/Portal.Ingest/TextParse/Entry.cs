using Portal.Model;

namespace Portal.Ingest.TextParse;

/// <summary>What <see cref="ExpositionParser.Next"/> found. Mirrors Prometheus's textparse entry kinds.</summary>
public enum Entry : byte
{
    Invalid = 0,
    Type,
    Help,
    Series,
    Comment,
    Unit,
    /// <summary>Reserved for native histograms; the text formats never produce it.</summary>
    Histogram,
    /// <summary>End of input (for OpenMetrics: the <c># EOF</c> line was read).</summary>
    Eof,
}

/// <summary>Metric family types of both text formats. Prometheus's <c>untyped</c> and OpenMetrics' <c>unknown</c> are both <see cref="Unknown"/>.</summary>
public enum MetricType : byte
{
    Unknown = 0,
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
}

/// <summary>Names of metric types as Prometheus's metadata API prints them.</summary>
public static class MetricTypes
{
    public static string Name(MetricType t) => t switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.GaugeHistogram => "gaugehistogram",
        MetricType.Summary => "summary",
        MetricType.Info => "info",
        MetricType.StateSet => "stateset",
        _ => "unknown",
    };
}

/// <summary>An exemplar attached to a sample (OpenMetrics only). Timestamps are milliseconds.</summary>
public readonly record struct Exemplar(Labels Labels, double Value, bool HasTimestamp, long Timestamp);

/// <summary>
/// A payload that is not valid exposition text. <see cref="Line"/> and <see cref="Column"/> are 1-based
/// (the column counts characters, not bytes); <see cref="Reason"/> says what was expected.
/// </summary>
public sealed class ExpositionParseException(int line, int column, string reason)
    : Exception($"{line}:{column}: {reason}")
{
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}
