namespace Portal.PromQL.Ast;

/// <summary>Half-open range <c>[Start, End)</c> of character offsets into the query text (UTF-16 code units).</summary>
public readonly record struct PositionRange(int Start, int End)
{
    public override string ToString() => $"[{Start}:{End}]";

    /// <summary>
    /// Prometheus's <c>line:column</c> of <see cref="Start"/> within <paramref name="query"/> (both 1-based, as in
    /// <c>1:5: parse error: ...</c> and annotation suffixes), or <c>invalid position:</c> style text when out of range.
    /// </summary>
    public string StartPosInput(string query)
    {
        if (Start < 0 || Start > query.Length) return "invalid position";
        int line = 1, lastBreak = -1;
        for (int i = 0; i < Start; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                lastBreak = i;
            }
        }
        return $"{line}:{Start - lastBreak}";
    }
}

/// <summary>The type an expression evaluates to.</summary>
public enum ValueType
{
    None,
    Scalar,
    Vector,
    Matrix,
    String,
}

/// <summary>Binary operators (arithmetic, comparison, set) in Prometheus's spelling order.</summary>
public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eql,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    And,
    Or,
    Unless,
    /// <summary><c>&lt;/</c>: trims a native histogram's observations above the right-hand threshold.</summary>
    TrimUpper,
    /// <summary><c>&gt;/</c>: trims a native histogram's observations below the right-hand threshold.</summary>
    TrimLower,
}

/// <summary>Unary sign operators.</summary>
public enum UnaryOp
{
    Add,
    Sub,
}

/// <summary>Aggregation operators.</summary>
public enum AggregationOp
{
    Sum,
    Min,
    Max,
    Avg,
    Group,
    Stddev,
    Stdvar,
    Count,
    CountValues,
    Bottomk,
    Topk,
    Quantile,
    Limitk,
    LimitRatio,
}

/// <summary>The <c>@ start()</c> / <c>@ end()</c> preprocessor form of the @ modifier.</summary>
public enum AtModifier
{
    None,
    Start,
    End,
}

/// <summary>Cardinality of a vector-vector binary operation.</summary>
public enum VectorMatchCardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// <summary>Operators and their Prometheus spellings, precedence and classification.</summary>
public static class Operators
{
    public static string ToText(this BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Atan2 => "atan2",
        BinaryOp.Eql => "==",
        BinaryOp.Neq => "!=",
        BinaryOp.Gtr => ">",
        BinaryOp.Lss => "<",
        BinaryOp.Gte => ">=",
        BinaryOp.Lte => "<=",
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        BinaryOp.Unless => "unless",
        BinaryOp.TrimUpper => "</",
        BinaryOp.TrimLower => ">/",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static string ToText(this UnaryOp op) => op == UnaryOp.Add ? "+" : "-";

    public static string ToText(this AggregationOp op) => op switch
    {
        AggregationOp.Sum => "sum",
        AggregationOp.Min => "min",
        AggregationOp.Max => "max",
        AggregationOp.Avg => "avg",
        AggregationOp.Group => "group",
        AggregationOp.Stddev => "stddev",
        AggregationOp.Stdvar => "stdvar",
        AggregationOp.Count => "count",
        AggregationOp.CountValues => "count_values",
        AggregationOp.Bottomk => "bottomk",
        AggregationOp.Topk => "topk",
        AggregationOp.Quantile => "quantile",
        AggregationOp.Limitk => "limitk",
        AggregationOp.LimitRatio => "limit_ratio",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>Prometheus's name for a value type in messages: "scalar", "instant vector", "range vector", "string".</summary>
    public static string ToText(this ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "instant vector",
        ValueType.Matrix => "range vector",
        ValueType.String => "string",
        _ => "none",
    };

    /// <summary>Binding strength; higher binds tighter. or=1, and/unless=2, comparisons=3, +-=4, * / % atan2 &lt;/ &gt;/=5, ^=6.</summary>
    public static int Precedence(this BinaryOp op) => op switch
    {
        BinaryOp.Or => 1,
        BinaryOp.And or BinaryOp.Unless => 2,
        BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Gtr or BinaryOp.Lss or BinaryOp.Gte or BinaryOp.Lte => 3,
        BinaryOp.Add or BinaryOp.Sub => 4,
        BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Atan2 or BinaryOp.TrimUpper or BinaryOp.TrimLower => 5,
        BinaryOp.Pow => 6,
        _ => 0,
    };

    public static bool IsRightAssociative(this BinaryOp op) => op == BinaryOp.Pow;

    public static bool IsComparison(this BinaryOp op) =>
        op is BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Gtr or BinaryOp.Lss or BinaryOp.Gte or BinaryOp.Lte;

    public static bool IsSetOperator(this BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    /// <summary>True for aggregations taking a parameter (topk, bottomk, quantile, count_values, limitk, limit_ratio).</summary>
    public static bool HasParameter(this AggregationOp op) =>
        op is AggregationOp.Topk or AggregationOp.Bottomk or AggregationOp.Quantile or AggregationOp.CountValues
            or AggregationOp.Limitk or AggregationOp.LimitRatio;

    /// <summary>True for aggregations that need <c>--enable-feature=promql-experimental-functions</c> upstream.</summary>
    public static bool IsExperimental(this AggregationOp op) => op is AggregationOp.Limitk or AggregationOp.LimitRatio;

    public static bool TryParseAggregation(string word, out AggregationOp op)
    {
        switch (word.ToLowerInvariant())
        {
            case "sum": op = AggregationOp.Sum; return true;
            case "min": op = AggregationOp.Min; return true;
            case "max": op = AggregationOp.Max; return true;
            case "avg": op = AggregationOp.Avg; return true;
            case "group": op = AggregationOp.Group; return true;
            case "stddev": op = AggregationOp.Stddev; return true;
            case "stdvar": op = AggregationOp.Stdvar; return true;
            case "count": op = AggregationOp.Count; return true;
            case "count_values": op = AggregationOp.CountValues; return true;
            case "bottomk": op = AggregationOp.Bottomk; return true;
            case "topk": op = AggregationOp.Topk; return true;
            case "quantile": op = AggregationOp.Quantile; return true;
            case "limitk": op = AggregationOp.Limitk; return true;
            case "limit_ratio": op = AggregationOp.LimitRatio; return true;
            default: op = default; return false;
        }
    }
}
