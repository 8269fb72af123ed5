using Portal.PromQL.Ast;

namespace Portal.PromQL.Parsing;

/// <summary>Word classification and Prometheus-style token descriptions used in error messages.</summary>
internal static class Keywords
{
    public static bool IsNumberWord(string word) =>
        word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("nan", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="t"/> is the word <paramref name="keyword"/> (lower-case), compared case-insensitively.</summary>
    public static bool Is(in Token t, string keyword) =>
        t.Kind == TokenKind.Identifier && t.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> KeywordWords = new(StringComparer.Ordinal)
    {
        "offset", "smoothed", "anchored", "by", "without", "on", "ignoring", "group_left", "group_right",
        "fill", "fill_left", "fill_right", "bool",
    };

    private static readonly HashSet<string> OperatorWords = new(StringComparer.Ordinal) { "and", "or", "unless", "atan2" };

    private static readonly HashSet<string> PreprocessorWords = new(StringComparer.Ordinal) { "start", "end", "step", "range" };

    /// <summary>Words that cannot start an expression (Prometheus has no metric-name rule for them).</summary>
    public static bool IsReservedInExpression(string lower) =>
        lower is "bool" or "on" or "ignoring" or "group_left" or "group_right";

    public static bool TryBinaryOp(in Token t, out BinaryOp op)
    {
        switch (t.Kind)
        {
            case TokenKind.Add: op = BinaryOp.Add; return true;
            case TokenKind.Sub: op = BinaryOp.Sub; return true;
            case TokenKind.Mul: op = BinaryOp.Mul; return true;
            case TokenKind.Div: op = BinaryOp.Div; return true;
            case TokenKind.Mod: op = BinaryOp.Mod; return true;
            case TokenKind.Pow: op = BinaryOp.Pow; return true;
            case TokenKind.Eqlc: op = BinaryOp.Eql; return true;
            case TokenKind.Neq: op = BinaryOp.Neq; return true;
            case TokenKind.Gtr: op = BinaryOp.Gtr; return true;
            case TokenKind.Lss: op = BinaryOp.Lss; return true;
            case TokenKind.Gte: op = BinaryOp.Gte; return true;
            case TokenKind.Lte: op = BinaryOp.Lte; return true;
            case TokenKind.TrimUpper: op = BinaryOp.TrimUpper; return true;
            case TokenKind.TrimLower: op = BinaryOp.TrimLower; return true;
            case TokenKind.Identifier:
                switch (t.Text.ToLowerInvariant())
                {
                    case "and": op = BinaryOp.And; return true;
                    case "or": op = BinaryOp.Or; return true;
                    case "unless": op = BinaryOp.Unless; return true;
                    case "atan2": op = BinaryOp.Atan2; return true;
                }
                break;
        }
        op = default;
        return false;
    }

    /// <summary>Describes a token as Prometheus's parser does in "unexpected ..." messages.</summary>
    public static string Describe(in Token t, Token? next)
    {
        switch (t.Kind)
        {
            case TokenKind.Eof: return "end of input";
            case TokenKind.Error: return t.Text;
            case TokenKind.Identifier:
            case TokenKind.MetricIdentifier:
            {
                string lower = t.Text.ToLowerInvariant();
                if (t.Kind == TokenKind.Identifier)
                {
                    if (OperatorWords.Contains(lower)) return $"<op:{t.Text}>";
                    if (Operators.TryParseAggregation(lower, out _)) return $"<aggr:{t.Text}>";
                    bool fillWord = lower is "fill" or "fill_left" or "fill_right";
                    if (KeywordWords.Contains(lower) && (!fillWord || next?.Kind == TokenKind.LeftParen)) return $"<{t.Text}>";
                    if (PreprocessorWords.Contains(lower)) return Lexer.GoQuote(t.Text);
                    return "identifier " + Lexer.GoQuote(t.Text);
                }
                return "metric identifier " + Lexer.GoQuote(t.Text);
            }
            case TokenKind.Number: return "number " + Short(t.Text);
            case TokenKind.Duration: return "duration " + Short(t.Text);
            case TokenKind.String: return "string " + Short(t.Text);
            case TokenKind.Add: return "<op:+>";
            case TokenKind.Sub: return "<op:->";
            case TokenKind.Mul: return "<op:*>";
            case TokenKind.Div: return "<op:/>";
            case TokenKind.Mod: return "<op:%>";
            case TokenKind.Pow: return "<op:^>";
            case TokenKind.Eqlc: return "<op:==>";
            case TokenKind.Neq: return "<op:!=>";
            case TokenKind.Gtr: return "<op:>>";
            case TokenKind.Lss: return "<op:<>";
            case TokenKind.Gte: return "<op:>=>";
            case TokenKind.Lte: return "<op:<=>";
            case TokenKind.TrimUpper: return "<op:</>";
            case TokenKind.TrimLower: return "<op:>/>";
            case TokenKind.EqlRegex: return "<op:=~>";
            case TokenKind.NeqRegex: return "<op:!~>";
            case TokenKind.At: return "<op:@>";
            default: return Lexer.GoQuote(t.Text);
        }
    }

    private static string Short(string text)
    {
        if (text.Length > 10) return Lexer.GoQuote(text[..10]) + "...";
        return Lexer.GoQuote(text);
    }
}
