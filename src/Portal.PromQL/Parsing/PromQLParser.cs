using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL;

/// <summary>
/// Entry points of the PromQL parser. All methods are thread-safe and throw only
/// <see cref="PromQLParseException"/> for bad input.
/// </summary>
public static class PromQLParser
{
    /// <summary>
    /// Parses and type-checks a PromQL expression (all experimental syntax enabled: duration expressions, fill
    /// modifiers, anchored/smoothed, experimental functions). Returns a fresh tree owned by the caller.
    /// </summary>
    public static Expr ParseExpr(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Parsing.Parser.ParseExpression(input);
    }

    /// <summary>
    /// Parses a series selector such as <c>up{job="x"}</c> or <c>{__name__=~"a.*"}</c> into its matchers (the
    /// <c>__name__</c> matcher of a name written before the braces comes last). Like Prometheus, no type checks run:
    /// callers such as the series API enforce "at least one non-empty matcher" themselves.
    /// </summary>
    public static IReadOnlyList<Matcher> ParseMetricSelector(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Parsing.Parser.ParseSelector(input).LabelMatchers;
    }

    /// <summary>Parses a Prometheus duration (<c>1h30m</c>) to milliseconds.</summary>
    public static long ParseDuration(string input)
    {
        if (PromDuration.TryParse(input, out long ms, out string? error)) return ms;
        throw new PromQLParseException(input, new PositionRange(0, input.Length), error ?? "invalid duration");
    }
}
