using Portal.PromQL;

namespace Portal.Web.Components.Shared;

/// <summary>One PromQL parse problem placed in the query: 1-based line and column, and the 0-based character range.</summary>
public sealed record QueryDiagnostic(int Line, int Column, int Start, int End, string Message)
{
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

/// <summary>Parses PromQL for the editor and places every error in the text. Stateless, thread-safe.</summary>
public static class PromQLDiagnostics
{
    /// <summary>The parse errors of <paramref name="query"/>; empty when it parses (or is blank).</summary>
    public static IReadOnlyList<QueryDiagnostic> Check(string? query)
    {
        if (string.IsNullOrWhiteSpace(query)) return [];
        try
        {
            PromQLParser.ParseExpr(query);
            return [];
        }
        catch (PromQLParseException e)
        {
            var list = new List<QueryDiagnostic>(e.Errors.Count);
            foreach (var err in e.Errors)
            {
                int start = Math.Clamp(err.Pos.Start, 0, query.Length);
                int end = Math.Clamp(Math.Max(err.Pos.End, start), start, query.Length);
                var (line, col) = LineColumn(query, start);
                list.Add(new QueryDiagnostic(line, col, start, end, err.Message));
            }
            if (list.Count == 0) list.Add(new QueryDiagnostic(1, 1, 0, 0, e.Message));
            return list;
        }
    }

    /// <summary>1-based line and column of character <paramref name="offset"/> (columns count characters).</summary>
    public static (int Line, int Column) LineColumn(string text, int offset)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        }
        return (line, offset - lineStart + 1);
    }

    /// <summary>
    /// The line holding the error and a marker line under it: spaces up to the column, then one caret
    /// per character of the error's range (at least one).
    /// </summary>
    public static (string SourceLine, string Marker) MarkerFor(string query, QueryDiagnostic d)
    {
        int lineStart = d.Start - (d.Column - 1);
        int lineEnd = query.IndexOf('\n', lineStart);
        if (lineEnd < 0) lineEnd = query.Length;
        var source = query[lineStart..lineEnd];
        int width = Math.Max(1, Math.Min(d.End, lineEnd) - d.Start);
        return (source, new string(' ', d.Column - 1) + new string('^', width));
    }
}
