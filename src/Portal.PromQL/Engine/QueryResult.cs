using Portal.Model;

namespace Portal.PromQL;

/// <summary>Prometheus's API error types.</summary>
public enum ErrorKind
{
    BadData,
    Timeout,
    Canceled,
    Execution,
    Internal,
}

/// <summary>A failed query: its kind and Prometheus's message. Immutable.</summary>
public sealed record PromQLError(ErrorKind Kind, string Message)
{
    /// <summary>The API's errorType string: bad_data, timeout, canceled, execution or internal.</summary>
    public string ErrorType => Kind switch
    {
        ErrorKind.BadData => "bad_data",
        ErrorKind.Timeout => "timeout",
        ErrorKind.Canceled => "canceled",
        ErrorKind.Execution => "execution",
        _ => "internal",
    };

    public override string ToString() => Message;
}

/// <summary>The value of a query. One of <see cref="ScalarResult"/>, <see cref="StringResult"/>, <see cref="VectorResult"/>, <see cref="MatrixResult"/>.</summary>
public abstract class QueryValue
{
    /// <summary>"scalar", "string", "vector" or "matrix", as the HTTP API's resultType.</summary>
    public abstract string ResultType { get; }
}

public sealed class ScalarResult(long t, double f) : QueryValue
{
    public long T { get; } = t;
    public double F { get; } = f;
    public override string ResultType => "scalar";
}

public sealed class StringResult(long t, string value) : QueryValue
{
    public long T { get; } = t;
    public string Value { get; } = value;
    public override string ResultType => "string";
}

/// <summary>One element of an instant vector.</summary>
public readonly record struct VectorElement(Labels Metric, long T, double F);

/// <summary>An instant vector. The list is owned by the result.</summary>
public sealed class VectorResult(List<VectorElement> samples) : QueryValue
{
    public List<VectorElement> Samples { get; } = samples;
    public override string ResultType => "vector";
}

/// <summary>One series of a range vector: labels and float points in time order.</summary>
public sealed record MatrixSeries(Labels Metric, Sample[] Floats);

/// <summary>A range vector, series sorted by labels for range queries.</summary>
public sealed class MatrixResult(List<MatrixSeries> series) : QueryValue
{
    public List<MatrixSeries> Series { get; } = series;
    public override string ResultType => "matrix";
}

/// <summary>
/// The outcome of a query: a value or an error, plus annotations. Warnings and infos are rendered as the
/// API does, ending with the position of the expression they concern, e.g.
/// <c>PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "x" (1:6)</c>.
/// </summary>
public sealed class QueryResult
{
    public QueryValue? Value { get; init; }
    public PromQLError? Error { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public IReadOnlyList<string> Infos { get; init; } = [];
}

/// <summary>Thrown inside the engine to abort a query with a typed error; never escapes <see cref="PromQLEngine"/>.</summary>
internal sealed class PromQLException(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
}
