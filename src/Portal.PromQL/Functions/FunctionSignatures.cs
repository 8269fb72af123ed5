using System.Collections.Frozen;
using Portal.PromQL.Ast;
using ValueType = Portal.PromQL.Ast.ValueType;

namespace Portal.PromQL;

/// <summary>
/// Signature of a PromQL function. <see cref="ArgTypes"/> lists the parameter types; when
/// <see cref="Variadic"/> is non-zero the last entry of <see cref="ArgTypes"/> is optional and repeatable:
/// a call takes between <c>ArgTypes.Count - 1</c> and <c>ArgTypes.Count - 1 + Variadic</c> arguments
/// (unbounded when <see cref="Variadic"/> is -1), and extra arguments have the type of the last entry.
/// Immutable and thread-safe.
/// </summary>
public sealed class Function
{
    public string Name { get; }
    public IReadOnlyList<ValueType> ArgTypes { get; }
    /// <summary>0: exactly <c>ArgTypes.Count</c> arguments; n &gt; 0: up to n optional trailing arguments; -1: unlimited.</summary>
    public int Variadic { get; }
    public ValueType ReturnType { get; }
    /// <summary>True when upstream requires <c>--enable-feature=promql-experimental-functions</c>.</summary>
    public bool Experimental { get; }

    public Function(string name, ValueType[] argTypes, ValueType returnType, int variadic = 0, bool experimental = false)
    {
        Name = name;
        ArgTypes = argTypes;
        ReturnType = returnType;
        Variadic = variadic;
        Experimental = experimental;
    }

    /// <summary>The declared type of argument <paramref name="index"/> (the last type repeats for variadic functions).</summary>
    public ValueType ArgType(int index) => index < ArgTypes.Count ? ArgTypes[index] : ArgTypes[^1];

    public override string ToString() => Name;
}

/// <summary>The registry of every function in Prometheus's functions.md. Thread-safe.</summary>
public static class Functions
{
    private const ValueType S = ValueType.Scalar;
    private const ValueType V = ValueType.Vector;
    private const ValueType M = ValueType.Matrix;
    private const ValueType Str = ValueType.String;

    private static readonly Function[] All =
    [
        new("abs", [V], V),
        new("absent", [V], V),
        new("absent_over_time", [M], V),
        new("acos", [V], V),
        new("acosh", [V], V),
        new("asin", [V], V),
        new("asinh", [V], V),
        new("atan", [V], V),
        new("atanh", [V], V),
        new("avg_over_time", [M], V),
        new("ceil", [V], V),
        new("changes", [M], V),
        new("clamp", [V, S, S], V),
        new("clamp_max", [V, S], V),
        new("clamp_min", [V, S], V),
        new("cos", [V], V),
        new("cosh", [V], V),
        new("count_over_time", [M], V),
        new("day_of_month", [V], V, variadic: 1),
        new("day_of_week", [V], V, variadic: 1),
        new("day_of_year", [V], V, variadic: 1),
        new("days_in_month", [V], V, variadic: 1),
        new("deg", [V], V),
        new("delta", [M], V),
        new("deriv", [M], V),
        new("double_exponential_smoothing", [M, S, S], V, experimental: true),
        new("end", [], S, experimental: true),
        new("exp", [V], V),
        new("first_over_time", [M], V, experimental: true),
        new("floor", [V], V),
        new("histogram_avg", [V], V),
        new("histogram_count", [V], V),
        new("histogram_fraction", [S, S, V], V),
        new("histogram_quantile", [S, V], V),
        new("histogram_quantiles", [V, Str, S, S], V, variadic: 9, experimental: true),
        new("histogram_stddev", [V], V),
        new("histogram_stdvar", [V], V),
        new("histogram_sum", [V], V),
        new("hour", [V], V, variadic: 1),
        new("idelta", [M], V),
        new("increase", [M], V),
        new("info", [V, V], V, variadic: 1, experimental: true),
        new("irate", [M], V),
        new("label_join", [V, Str, Str, Str], V, variadic: -1),
        new("label_replace", [V, Str, Str, Str, Str], V),
        new("last_over_time", [M], V),
        new("ln", [V], V),
        new("log10", [V], V),
        new("log2", [V], V),
        new("mad_over_time", [M], V, experimental: true),
        new("max_of", [S, S], S, experimental: true),
        new("max_over_time", [M], V),
        new("min_of", [S, S], S, experimental: true),
        new("min_over_time", [M], V),
        new("minute", [V], V, variadic: 1),
        new("month", [V], V, variadic: 1),
        new("pi", [], S),
        new("predict_linear", [M, S], V),
        new("present_over_time", [M], V),
        new("quantile_over_time", [S, M], V),
        new("rad", [V], V),
        new("range", [], S, experimental: true),
        new("rate", [M], V),
        new("resets", [M], V),
        new("round", [V, S], V, variadic: 1),
        new("scalar", [V], S),
        new("sgn", [V], V),
        new("sin", [V], V),
        new("sinh", [V], V),
        new("sort", [V], V),
        new("sort_by_label", [V, Str], V, variadic: -1, experimental: true),
        new("sort_by_label_desc", [V, Str], V, variadic: -1, experimental: true),
        new("sort_desc", [V], V),
        new("sqrt", [V], V),
        new("start", [], S, experimental: true),
        new("start_timestamp", [V], V),
        new("stddev_over_time", [M], V),
        new("stdvar_over_time", [M], V),
        new("step", [], S, experimental: true),
        new("sum_over_time", [M], V),
        new("tan", [V], V),
        new("tanh", [V], V),
        new("time", [], S),
        new("timestamp", [V], V),
        new("ts_of_first_over_time", [M], V, experimental: true),
        new("ts_of_last_over_time", [M], V, experimental: true),
        new("ts_of_max_over_time", [M], V, experimental: true),
        new("ts_of_min_over_time", [M], V, experimental: true),
        new("vector", [S], V),
        new("year", [V], V, variadic: 1),
    ];

    private static readonly FrozenDictionary<string, Function> ByName =
        All.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Every function, ordered by name.</summary>
    public static IReadOnlyList<Function> List => All;

    /// <summary>Looks a function up by its exact (case-sensitive) name.</summary>
    public static bool TryGet(string name, out Function function) => ByName.TryGetValue(name, out function!);
}
