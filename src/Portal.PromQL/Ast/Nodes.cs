using Portal.Model;

namespace Portal.PromQL.Ast;

/// <summary>
/// Base of every PromQL expression node. Nodes are plain mutable objects: the parser builds a fresh tree per
/// call, and the engine may adjust evaluation-only fields (for example <see cref="VectorSelector.Offset"/>)
/// during its preparation. A tree is not thread-safe while it is being mutated; treat it as read-only once shared.
/// <see cref="object.ToString"/> prints the canonical PromQL text, which parses back to an equal tree.
/// </summary>
public abstract class Expr
{
    /// <summary>Where the node appears in the query text.</summary>
    public abstract PositionRange Pos { get; }

    /// <summary>The type the expression evaluates to (no deep checks; the parser has validated the tree).</summary>
    public abstract ValueType Type { get; }

    /// <summary>The direct child expressions, in source order. Allocates a small array.</summary>
    public abstract IReadOnlyList<Expr> Children { get; }

    /// <summary>The canonical single-line PromQL text of this node.</summary>
    public override string ToString() => Printer.Print(this);

    /// <summary>The multi-line formatting of <c>/api/v1/format_query</c> (see <see cref="Printer.Pretty"/>).</summary>
    public string Pretty(int level = 0) => Printer.Pretty(this, level);
}

/// <summary>An aggregation, e.g. <c>sum by (job) (x)</c> or <c>topk(3, x)</c>.</summary>
public sealed class AggregateExpr : Expr
{
    public AggregationOp Op { get; set; }
    public Expr Expr { get; set; } = null!;
    /// <summary>The parameter of topk/bottomk/quantile/count_values/limitk/limit_ratio; null otherwise.</summary>
    public Expr? Param { get; set; }
    /// <summary>Label names of <c>by</c>/<c>without</c>, in the order written.</summary>
    public List<string> Grouping { get; set; } = new();
    public bool Without { get; set; }
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => ValueType.Vector;
    public override IReadOnlyList<Expr> Children => Param is null ? [Expr] : [Param, Expr];
}

/// <summary>Fill values of the experimental <c>fill()</c>/<c>fill_left()</c>/<c>fill_right()</c> binary modifiers.</summary>
public sealed class VectorMatchFill
{
    /// <summary>Value used for a missing left-hand sample; null when the left side is not filled.</summary>
    public double? Lhs { get; set; }
    /// <summary>Value used for a missing right-hand sample; null when the right side is not filled.</summary>
    public double? Rhs { get; set; }
}

/// <summary>How samples of two vectors are matched in a binary operation.</summary>
public sealed class VectorMatching
{
    public VectorMatchCardinality Card { get; set; }
    /// <summary>Labels of <c>on(...)</c> (when <see cref="On"/>) or <c>ignoring(...)</c>.</summary>
    public List<string> MatchingLabels { get; set; } = new();
    /// <summary>True for <c>on</c>, false for <c>ignoring</c> or no modifier.</summary>
    public bool On { get; set; }
    /// <summary>Extra labels of <c>group_left(...)</c>/<c>group_right(...)</c> copied from the "one" side.</summary>
    public List<string> Include { get; set; } = new();
    /// <summary>Experimental fill modifiers; null when none was written.</summary>
    public VectorMatchFill? Fill { get; set; }
}

/// <summary>A binary operation.</summary>
public sealed class BinaryExpr : Expr
{
    public BinaryOp Op { get; set; }
    public Expr LHS { get; set; } = null!;
    public Expr RHS { get; set; } = null!;
    /// <summary>Set when both operands are instant vectors; null otherwise.</summary>
    public VectorMatching? VectorMatching { get; set; }
    /// <summary>The <c>bool</c> modifier of a comparison.</summary>
    public bool ReturnBool { get; set; }

    public override PositionRange Pos => new(LHS.Pos.Start, RHS.Pos.End);
    public override ValueType Type =>
        LHS.Type == ValueType.Scalar && RHS.Type == ValueType.Scalar ? ValueType.Scalar : ValueType.Vector;
    public override IReadOnlyList<Expr> Children => [LHS, RHS];
}

/// <summary>A function call.</summary>
public sealed class Call : Expr
{
    public Function Func { get; set; } = null!;
    public List<Expr> Args { get; set; } = new();
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => Func.ReturnType;
    public override IReadOnlyList<Expr> Children => Args;
}

/// <summary>A range selector <c>v[5m]</c>; <see cref="VectorSelector"/> is always a <see cref="Ast.VectorSelector"/>.</summary>
public sealed class MatrixSelector : Expr
{
    public VectorSelector VectorSelector { get; set; } = null!;
    /// <summary>The range in milliseconds. 0 while <see cref="RangeExpr"/> still needs query parameters (step()/range()).</summary>
    public long Range { get; set; }
    /// <summary>The range written as a duration expression (<c>[5m+1m]</c>, <c>[step()]</c>); null for a plain duration.</summary>
    public DurationExpr? RangeExpr { get; set; }
    /// <summary>Offset just past the closing bracket.</summary>
    public int EndPos { get; set; }

    public override PositionRange Pos => new(VectorSelector.Pos.Start, EndPos);
    public override ValueType Type => ValueType.Matrix;
    public override IReadOnlyList<Expr> Children => [VectorSelector];
}

/// <summary>A subquery <c>expr[range:step]</c> with its own offset and @ modifier.</summary>
public sealed class SubqueryExpr : Expr
{
    public Expr Expr { get; set; } = null!;
    /// <summary>Range in milliseconds (0 while <see cref="RangeExpr"/> still needs query parameters).</summary>
    public long Range { get; set; }
    public DurationExpr? RangeExpr { get; set; }
    /// <summary>Resolution in milliseconds; 0 means the default evaluation interval.</summary>
    public long Step { get; set; }
    public DurationExpr? StepExpr { get; set; }
    /// <summary>The offset written in the query, in milliseconds (may be negative).</summary>
    public long OriginalOffset { get; set; }
    public DurationExpr? OriginalOffsetExpr { get; set; }
    /// <summary>The offset the engine uses; the parser sets it equal to <see cref="OriginalOffset"/>.</summary>
    public long Offset { get; set; }
    /// <summary>The @ timestamp in milliseconds since the epoch, or null.</summary>
    public long? Timestamp { get; set; }
    public AtModifier StartOrEnd { get; set; }
    /// <summary>Offset just past the last token of the subquery (bracket, offset or @ argument).</summary>
    public int EndPos { get; set; }

    public override PositionRange Pos => new(Expr.Pos.Start, EndPos);
    public override ValueType Type => ValueType.Matrix;
    public override IReadOnlyList<Expr> Children => [Expr];
}

/// <summary>A number literal. Durations written where a number is expected (<c>5m</c>) are seconds with <see cref="Duration"/> set.</summary>
public sealed class NumberLiteral : Expr
{
    public double Val { get; set; }
    /// <summary>True when written as a duration; the printer then prints it as one.</summary>
    public bool Duration { get; set; }
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => ValueType.Scalar;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>A string literal (value unescaped).</summary>
public sealed class StringLiteral : Expr
{
    public string Val { get; set; } = "";
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => ValueType.String;
    public override IReadOnlyList<Expr> Children => [];
}

/// <summary>A parenthesised expression.</summary>
public sealed class ParenExpr : Expr
{
    public Expr Expr { get; set; } = null!;
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => Expr.Type;
    public override IReadOnlyList<Expr> Children => [Expr];
}

/// <summary>A unary sign applied to a scalar or instant vector expression.</summary>
public sealed class UnaryExpr : Expr
{
    public UnaryOp Op { get; set; }
    public Expr Expr { get; set; } = null!;
    public int StartPos { get; set; }

    public override PositionRange Pos => new(StartPos, Expr.Pos.End);
    public override ValueType Type => Expr.Type;
    public override IReadOnlyList<Expr> Children => [Expr];
}

/// <summary>
/// Wraps a sub-expression whose value does not depend on the evaluation time. Never produced by the parser;
/// the engine may insert it. Prints as its inner expression.
/// </summary>
public sealed class StepInvariantExpr : Expr
{
    public Expr Expr { get; set; } = null!;

    public override PositionRange Pos => Expr.Pos;
    public override ValueType Type => Expr.Type;
    public override IReadOnlyList<Expr> Children => [Expr];
}

/// <summary>An instant vector selector <c>name{l="v"} offset 5m @ 100</c>.</summary>
public sealed class VectorSelector : Expr
{
    /// <summary>The metric name when written (outside or as a quoted name inside braces); empty otherwise.</summary>
    public string Name { get; set; } = "";
    /// <summary>All matchers, including the <c>__name__</c> equality matcher for <see cref="Name"/> (appended last when the name was written before the braces).</summary>
    public List<Matcher> LabelMatchers { get; set; } = new();
    /// <summary>The offset written in the query, in milliseconds (may be negative).</summary>
    public long OriginalOffset { get; set; }
    public DurationExpr? OriginalOffsetExpr { get; set; }
    /// <summary>The offset the engine uses; the parser sets it equal to <see cref="OriginalOffset"/>.</summary>
    public long Offset { get; set; }
    /// <summary>The @ timestamp in milliseconds since the epoch, or null.</summary>
    public long? Timestamp { get; set; }
    public AtModifier StartOrEnd { get; set; }
    /// <summary>Set for the second argument of <c>info()</c>, which need not contain a non-empty matcher.</summary>
    public bool BypassEmptyMatcherCheck { get; set; }
    /// <summary>Experimental <c>anchored</c> modifier of a range selector (set on the inner vector selector).</summary>
    public bool Anchored { get; set; }
    /// <summary>Experimental <c>smoothed</c> modifier of a range selector or instant selector.</summary>
    public bool Smoothed { get; set; }
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => ValueType.Vector;
    public override IReadOnlyList<Expr> Children => [];
}
