using Portal.PromQL;

namespace Portal.Config.Rules;

/// <summary>
/// Validates rule expressions with the PromQL parser. The one place Portal.Config calls into Portal.PromQL, so the
/// parser can evolve without touching the loaders. Thread-safe.
/// </summary>
internal static class RuleExpressionValidator
{
    /// <summary>One problem: a character offset into the expression and a message.</summary>
    internal readonly record struct ExprError(int Offset, string Message);

    /// <summary>Parses <paramref name="expr"/>; returns every parse error (empty when it parses).</summary>
    public static IReadOnlyList<ExprError> Validate(string expr)
    {
        try
        {
            PromQLParser.ParseExpr(expr);
            return [];
        }
        catch (PromQLParseException e)
        {
            var list = new List<ExprError>(e.Errors.Count);
            foreach (var err in e.Errors) list.Add(new ExprError(Math.Max(0, err.Pos.Start), "could not parse expression: " + err.Message));
            if (list.Count == 0) list.Add(new ExprError(0, "could not parse expression: " + e.Message));
            if (MismatchedQuote(expr) is { } mq)
                list[0] = new ExprError(mq.Offset, list[0].Message + "; " + mq.Hint);
            return list;
        }
        catch (NotImplementedException)
        {
            // A PromQL build without the parser: fall back to the structural checks below.
            return StructuralCheck(expr);
        }
    }

    /// <summary>
    /// Finds a string opened with one quote kind and apparently closed with the other (<c>"a',b="c"</c>): the
    /// offset of the stray quote and a hint. Null when quotes look consistent.
    /// </summary>
    internal static (int Offset, string Hint)? MismatchedQuote(string expr)
    {
        for (int i = 0; i < expr.Length; i++)
        {
            char q = expr[i];
            if (q is not ('"' or '\'')) continue;
            char other = q == '"' ? '\'' : '"';
            int j = i + 1;
            while (j < expr.Length && expr[j] != q)
            {
                if (expr[j] == '\\') j++;
                else if (expr[j] == other && j + 1 < expr.Length && expr[j + 1] is ',' or '}' or ')' or ' ')
                {
                    var snippet = expr[i..(j + 1)];
                    return (j, $"mismatched quotes: the string {snippet} opens with {q} but is closed with {other} here");
                }
                j++;
            }
            i = j;
        }
        return null;
    }

    /// <summary>Balanced brackets and closed string literals: what can be checked without a parser.</summary>
    internal static IReadOnlyList<ExprError> StructuralCheck(string expr)
    {
        var stack = new Stack<(char, int)>();
        for (int i = 0; i < expr.Length; i++)
        {
            char c = expr[i];
            if (c is '"' or '\'' or '`')
            {
                int j = i + 1;
                while (j < expr.Length && expr[j] != c)
                {
                    if (expr[j] == '\\' && c != '`') j++;
                    j++;
                }
                if (j >= expr.Length) return [new ExprError(i, "could not parse expression: unterminated quoted string")];
                i = j;
                continue;
            }
            if (c == '#')
            {
                while (i < expr.Length && expr[i] != '\n') i++;
                continue;
            }
            if (c is '(' or '[' or '{') stack.Push((c, i));
            else if (c is ')' or ']' or '}')
            {
                char open = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (stack.Count == 0 || stack.Peek().Item1 != open)
                    return [new ExprError(i, $"could not parse expression: unexpected \"{c}\"")];
                stack.Pop();
            }
        }
        if (stack.Count > 0) return [new ExprError(stack.Peek().Item2, $"could not parse expression: unclosed \"{stack.Peek().Item1}\"")];
        if (expr.Trim().Length == 0) return [new ExprError(0, "could not parse expression: no expression found in input")];
        return [];
    }
}
