namespace Portal.PromQL.Ast;

/// <summary>Kinds of <see cref="DurationExpr"/> nodes.</summary>
public enum DurationOp
{
    /// <summary>A number or duration literal; <see cref="DurationExpr.Seconds"/> holds its value.</summary>
    Literal,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    /// <summary>Unary minus of <see cref="DurationExpr.RHS"/>.</summary>
    Neg,
    /// <summary>Unary plus of <see cref="DurationExpr.RHS"/>.</summary>
    Pos,
    /// <summary><c>step()</c>: the query resolution step (0 for instant queries).</summary>
    Step,
    /// <summary><c>range()</c>: end minus start of the query (0 for instant queries).</summary>
    Range,
    /// <summary><c>min_of(LHS, RHS)</c>.</summary>
    MinOf,
    /// <summary><c>max_of(LHS, RHS)</c>.</summary>
    MaxOf,
}

/// <summary>
/// An experimental duration expression used for a range, subquery step or offset: <c>[5m+1m]</c>,
/// <c>offset (1h*2)</c>, <c>[step()]</c>. Values are computed in seconds (plain numbers are seconds,
/// durations are converted to seconds) and converted to whole milliseconds at the end.
/// When <see cref="IsConstant"/> the parser has already stored the result in the owning node
/// (<see cref="MatrixSelector.Range"/> etc.); otherwise the engine calls <see cref="EvaluateMs"/> per query.
/// Immutable after parsing; thread-safe to evaluate.
/// </summary>
public sealed class DurationExpr : Expr
{
    public DurationOp Op { get; set; }
    /// <summary>Value of a <see cref="DurationOp.Literal"/>, in seconds.</summary>
    public double Seconds { get; set; }
    /// <summary>For a literal: true when written as a duration (<c>5m</c>) rather than a number (<c>300</c>).</summary>
    public bool IsDurationLiteral { get; set; }
    public DurationExpr? LHS { get; set; }
    public DurationExpr? RHS { get; set; }
    /// <summary>True when the source wrapped this node in parentheses.</summary>
    public bool Wrapped { get; set; }
    public PositionRange PosRange { get; set; }

    public override PositionRange Pos => PosRange;
    public override ValueType Type => ValueType.Scalar;
    public override IReadOnlyList<Expr> Children
    {
        get
        {
            if (LHS is not null && RHS is not null) return [LHS, RHS];
            if (RHS is not null) return [RHS];
            if (LHS is not null) return [LHS];
            return [];
        }
    }

    /// <summary>True when the value does not depend on <c>step()</c> or <c>range()</c>.</summary>
    public bool IsConstant => Op switch
    {
        DurationOp.Step or DurationOp.Range => false,
        DurationOp.Literal => true,
        _ => (LHS?.IsConstant ?? true) && (RHS?.IsConstant ?? true),
    };

    /// <summary>Evaluates to seconds with the given query step and range (milliseconds).</summary>
    public double EvaluateSeconds(long stepMs, long rangeMs)
    {
        switch (Op)
        {
            case DurationOp.Literal: return Seconds;
            case DurationOp.Step: return stepMs / 1000.0;
            case DurationOp.Range: return rangeMs / 1000.0;
            case DurationOp.Neg: return -RHS!.EvaluateSeconds(stepMs, rangeMs);
            case DurationOp.Pos: return RHS!.EvaluateSeconds(stepMs, rangeMs);
        }
        double l = LHS!.EvaluateSeconds(stepMs, rangeMs);
        double r = RHS!.EvaluateSeconds(stepMs, rangeMs);
        return Op switch
        {
            DurationOp.Add => l + r,
            DurationOp.Sub => l - r,
            DurationOp.Mul => l * r,
            DurationOp.Div => l / r,
            DurationOp.Mod => l % r,
            DurationOp.Pow => Math.Pow(l, r),
            DurationOp.MinOf => Math.Min(l, r),
            DurationOp.MaxOf => Math.Max(l, r),
            _ => throw new InvalidOperationException("unknown duration operator"),
        };
    }

    /// <summary>
    /// Evaluates to whole milliseconds (truncated toward zero, as Prometheus converts). Throws <see cref="ArgumentException"/> when the result is not finite
    /// or does not fit; callers check the sign themselves (ranges must be positive, offsets may be negative).
    /// </summary>
    public long EvaluateMs(long stepMs, long rangeMs)
    {
        double s = EvaluateSeconds(stepMs, rangeMs);
        double ms = s * 1000;
        if (double.IsNaN(ms) || double.IsInfinity(ms) || ms >= long.MaxValue || ms <= long.MinValue)
            throw new ArgumentException($"duration expression result is not a valid duration: {s}");
        return (long)ms;
    }
}
