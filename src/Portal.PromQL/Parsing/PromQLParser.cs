using Portal.Model;
using Portal.PromQL.Ast;

namespace Portal.PromQL;

/// <summary>
/// Entry points of the PromQL parser. All methods are thread-safe and throw only
/// <see cref="PromQLParseException"/> for bad input.
/// </summary>
public static class PromQLParser
{
    /// <summary>Parses and type-checks a PromQL expression.</summary>
    public static Expr ParseExpr(string input) => Parsing.Parser.ParseExpression(input);

    /// <summary>Parses a series selector such as <c>up{job="x"}</c> or <c>{__name__=~"a.*"}</c> into its matchers.</summary>
    public static IReadOnlyList<Matcher> ParseMetricSelector(string input) => Parsing.Parser.ParseSelector(input).LabelMatchers;

    /// <summary>Parses a Prometheus duration (<c>1h30m</c>) to milliseconds.</summary>
    public static long ParseDuration(string input)
    {
        if (PromDuration.TryParse(input, out long ms, out string? error)) return ms;
        throw new PromQLParseException(input, new PositionRange(0, input.Length), error ?? "invalid duration");
    }
}
