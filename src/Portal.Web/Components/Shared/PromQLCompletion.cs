using System.Text.RegularExpressions;

namespace Portal.Web.Components.Shared;

/// <summary>What kind of name the text before the caret is in the middle of.</summary>
public enum CompletionKind
{
    None,
    /// <summary>A metric name or function.</summary>
    MetricOrFunction,
    /// <summary>A label name inside <c>{…}</c> or a grouping clause.</summary>
    LabelName,
    /// <summary>A label value inside quotes after a matcher operator.</summary>
    LabelValue,
}

/// <summary>
/// Where completion applies: the kind, the partial text typed, the offset it starts at (replaced by the
/// chosen candidate), and for labels the metric (and label) the matcher belongs to.
/// </summary>
public sealed record CompletionContext(CompletionKind Kind, string Prefix, int ReplaceFrom, string? Metric = null, string? Label = null)
{
    public static readonly CompletionContext Nothing = new(CompletionKind.None, "", 0);
}

/// <summary>Finds the completion context at the end of a PromQL text. Stateless, thread-safe.</summary>
public static partial class PromQLCompletion
{
    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$""")]
    private static partial Regex OpenValue();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*$")]
    private static partial Regex OpenGrouping();

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$")]
    private static partial Regex TrailingMetric();

    public static CompletionContext At(string text)
    {
        // Unclosed braces and quotes before the end, ignoring everything inside strings.
        int braceOpen = -1;
        bool inString = false;
        char quote = '"';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == quote) inString = false;
                continue;
            }
            if (c is '"' or '\'' or '`') { inString = true; quote = c; }
            else if (c == '{') braceOpen = i;
            else if (c == '}') braceOpen = -1;
        }

        if (braceOpen >= 0)
        {
            var inside = text[(braceOpen + 1)..];
            string? metric = null;
            var m = TrailingMetric().Match(text[..braceOpen]);
            if (m.Success) metric = m.Groups[1].Value;
            if (inString)
            {
                var v = OpenValue().Match(inside);
                if (!v.Success) return CompletionContext.Nothing;
                var partial = v.Groups[3].Value;
                return new CompletionContext(CompletionKind.LabelValue, partial, text.Length - partial.Length, metric, v.Groups[1].Value);
            }
            var (prefix, from) = Identifier(text, allowColon: false);
            // After an operator, a value is expected, not a name.
            var before = text[..from].TrimEnd();
            if (before.EndsWith('=') || before.EndsWith('~')) return CompletionContext.Nothing;
            return new CompletionContext(CompletionKind.LabelName, prefix, from, metric);
        }
        if (inString) return CompletionContext.Nothing;
        if (OpenGrouping().IsMatch(text))
        {
            var (prefix, from) = Identifier(text, allowColon: false);
            return new CompletionContext(CompletionKind.LabelName, prefix, from);
        }
        var (name, start) = Identifier(text, allowColon: true);
        if (name.Length == 0 || char.IsDigit(name[0])) return CompletionContext.Nothing;
        // A duration inside [...] or after offset is not a name.
        int bracket = text.LastIndexOf('['), close = text.LastIndexOf(']');
        if (bracket > close) return CompletionContext.Nothing;
        return new CompletionContext(CompletionKind.MetricOrFunction, name, start);
    }

    /// <summary>Candidates starting with the prefix (ordinal, case-sensitive as PromQL is), sorted, at most <paramref name="limit"/>.</summary>
    public static List<string> Filter(IEnumerable<string> candidates, string prefix, int limit = 20)
    {
        var list = new List<string>();
        foreach (var c in candidates)
            if (c.StartsWith(prefix, StringComparison.Ordinal) && c != prefix) list.Add(c);
        list.Sort(StringComparer.Ordinal);
        if (list.Count > limit) list.RemoveRange(limit, list.Count - limit);
        return list;
    }

    /// <summary>The text with the context's partial word replaced by <paramref name="candidate"/> (and a closing quote for values).</summary>
    public static string Apply(string text, CompletionContext context, string candidate)
    {
        var head = text[..context.ReplaceFrom];
        return context.Kind switch
        {
            CompletionKind.LabelValue => head + EscapeValue(candidate) + "\"",
            _ => head + candidate,
        };
    }

    private static string EscapeValue(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static (string Prefix, int From) Identifier(string text, bool allowColon)
    {
        int i = text.Length;
        while (i > 0 && (char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] == '_' || (allowColon && text[i - 1] == ':'))) i--;
        return (text[i..], i);
    }
}
