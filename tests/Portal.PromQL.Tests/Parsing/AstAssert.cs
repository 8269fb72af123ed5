using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL.Tests.Parsing;

/// <summary>Structural comparison of syntax trees, ignoring positions and the order of selector matchers.</summary>
internal static class AstAssert
{
    public static void Equal(Expr expected, Expr actual)
    {
        string? diff = Diff(expected, actual, "$");
        if (diff is not null) Assert.Fail($"trees differ at {diff}\n expected: {expected}\n actual:   {actual}");
    }

    public static string? Diff(Expr? a, Expr? b, string path)
    {
        if (a is null || b is null) return a is null && b is null ? null : path + " (null)";
        if (a.GetType() != b.GetType()) return $"{path} ({a.GetType().Name} vs {b.GetType().Name})";
        switch (a)
        {
            case AggregateExpr x:
            {
                var y = (AggregateExpr)b;
                if (x.Op != y.Op || x.Without != y.Without || !x.Grouping.SequenceEqual(y.Grouping)) return path + " (aggregation)";
                return Diff(x.Param, y.Param, path + ".Param") ?? Diff(x.Expr, y.Expr, path + ".Expr");
            }
            case BinaryExpr x:
            {
                var y = (BinaryExpr)b;
                if (x.Op != y.Op || x.ReturnBool != y.ReturnBool) return path + " (operator)";
                if (!MatchingEqual(x.VectorMatching, y.VectorMatching)) return path + " (vector matching)";
                return Diff(x.LHS, y.LHS, path + ".LHS") ?? Diff(x.RHS, y.RHS, path + ".RHS");
            }
            case Call x:
            {
                var y = (Call)b;
                if (x.Func.Name != y.Func.Name || x.Args.Count != y.Args.Count) return path + " (call)";
                for (int i = 0; i < x.Args.Count; i++)
                {
                    var d = Diff(x.Args[i], y.Args[i], $"{path}.Args[{i}]");
                    if (d is not null) return d;
                }
                return null;
            }
            case MatrixSelector x:
            {
                var y = (MatrixSelector)b;
                if (x.Range != y.Range) return path + " (range)";
                return Diff(x.RangeExpr, y.RangeExpr, path + ".RangeExpr") ?? Diff(x.VectorSelector, y.VectorSelector, path + ".VectorSelector");
            }
            case SubqueryExpr x:
            {
                var y = (SubqueryExpr)b;
                if (x.Range != y.Range || x.Step != y.Step || x.OriginalOffset != y.OriginalOffset || x.Offset != y.Offset
                    || x.Timestamp != y.Timestamp || x.StartOrEnd != y.StartOrEnd)
                    return path + " (subquery modifiers)";
                return Diff(x.RangeExpr, y.RangeExpr, path + ".RangeExpr") ?? Diff(x.StepExpr, y.StepExpr, path + ".StepExpr")
                    ?? Diff(x.OriginalOffsetExpr, y.OriginalOffsetExpr, path + ".OffsetExpr") ?? Diff(x.Expr, y.Expr, path + ".Expr");
            }
            case NumberLiteral x:
            {
                var y = (NumberLiteral)b;
                return x.Val.Equals(y.Val) && x.Duration == y.Duration ? null : $"{path} (number {x.Val} vs {y.Val})";
            }
            case StringLiteral x:
                return x.Val == ((StringLiteral)b).Val ? null : path + " (string)";
            case ParenExpr x:
                return Diff(x.Expr, ((ParenExpr)b).Expr, path + ".Expr");
            case UnaryExpr x:
            {
                var y = (UnaryExpr)b;
                return x.Op != y.Op ? path + " (unary op)" : Diff(x.Expr, y.Expr, path + ".Expr");
            }
            case VectorSelector x:
            {
                var y = (VectorSelector)b;
                if (x.Name != y.Name || x.OriginalOffset != y.OriginalOffset || x.Offset != y.Offset || x.Timestamp != y.Timestamp
                    || x.StartOrEnd != y.StartOrEnd || x.Anchored != y.Anchored || x.Smoothed != y.Smoothed)
                    return path + " (selector)";
                if (!MatchersEqual(x.LabelMatchers, y.LabelMatchers)) return path + " (matchers)";
                return Diff(x.OriginalOffsetExpr, y.OriginalOffsetExpr, path + ".OffsetExpr");
            }
            case DurationExpr x:
            {
                var y = (DurationExpr)b;
                if (x.Op != y.Op || !x.Seconds.Equals(y.Seconds) || x.IsDurationLiteral != y.IsDurationLiteral || x.Wrapped != y.Wrapped)
                    return path + " (duration expression)";
                return Diff(x.LHS, y.LHS, path + ".LHS") ?? Diff(x.RHS, y.RHS, path + ".RHS");
            }
            default:
                return path + " (unknown node)";
        }
    }

    private static bool MatchingEqual(VectorMatching? a, VectorMatching? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return a.Card == b.Card && a.On == b.On && a.MatchingLabels.SequenceEqual(b.MatchingLabels) && a.Include.SequenceEqual(b.Include)
            && Nullable.Equals(a.Fill?.Lhs, b.Fill?.Lhs) && Nullable.Equals(a.Fill?.Rhs, b.Fill?.Rhs)
            && (a.Fill is null) == (b.Fill is null);
    }

    private static bool MatchersEqual(List<Matcher> a, List<Matcher> b)
    {
        if (a.Count != b.Count) return false;
        var x = a.Select(m => (m.Name, m.Type, m.Value)).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Type).ThenBy(t => t.Value, StringComparer.Ordinal);
        var y = b.Select(m => (m.Name, m.Type, m.Value)).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Type).ThenBy(t => t.Value, StringComparer.Ordinal);
        return x.SequenceEqual(y);
    }
}
