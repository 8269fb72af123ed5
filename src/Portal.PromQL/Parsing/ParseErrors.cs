using Portal.PromQL.Ast;

namespace Portal.PromQL;

/// <summary>One parse error: where and what.</summary>
public sealed class ParseError
{
    public PositionRange Pos { get; }
    public string Message { get; }

    public ParseError(PositionRange pos, string message)
    {
        Pos = pos;
        Message = message;
    }

    /// <summary>Formats as Prometheus does: <c>line:col: parse error: message</c> (col is 1-based within the line).</summary>
    public string Format(string query)
    {
        string pos = Pos.StartPosInput(query);
        return pos == "invalid position" ? "invalid position: parse error: " + Message : $"{pos}: parse error: {Message}";
    }

    public override string ToString() => $"{Pos}: {Message}";
}

/// <summary>
/// Thrown by <see cref="PromQLParser"/> for any malformed input. <see cref="Exception.Message"/> is the first
/// error formatted like Prometheus (<c>1:5: parse error: unexpected ...</c>).
/// </summary>
public sealed class PromQLParseException : Exception
{
    public IReadOnlyList<ParseError> Errors { get; }
    public string Query { get; }

    public PromQLParseException(string query, IReadOnlyList<ParseError> errors)
        : base(errors.Count > 0 ? errors[0].Format(query) : "parse error")
    {
        Query = query;
        Errors = errors;
    }

    public PromQLParseException(string query, PositionRange pos, string message)
        : this(query, [new ParseError(pos, message)])
    {
    }
}
