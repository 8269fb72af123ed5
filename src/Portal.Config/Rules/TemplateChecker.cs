using System.Text.RegularExpressions;

namespace Portal.Config.Rules;

/// <summary>
/// Checks the Go-template text of rule labels and annotations the way Prometheus's rule loader does at parse time:
/// actions must be closed and variables must be defined (<c>$labels</c>, <c>$externalLabels</c>, <c>$value</c>,
/// <c>$</c> and those the template declares). Thread-safe.
/// </summary>
internal static partial class TemplateChecker
{
    [GeneratedRegex(@"\$[A-Za-z_][A-Za-z0-9_]*|\$(?![A-Za-z_])")]
    private static partial Regex VariableRegex();

    [GeneratedRegex(@"(\$[A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z_][A-Za-z0-9_]*)\s*)?:?=")]
    private static partial Regex DeclarationRegex();

    /// <summary>Null when the template is fine; otherwise the reason and the offset it is at.</summary>
    public static (int Offset, string Message)? Check(string text)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal) { "$", "$labels", "$externalLabels", "$value" };
        int pos = 0;
        while (true)
        {
            int open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0) return null;
            int close = FindClose(text, open + 2);
            if (close < 0) return (open, "template: unclosed action");
            var action = text[(open + 2)..close];
            var inner = action.Trim('-', ' ', '\t', '\n');
            if (!inner.StartsWith("/*", StringComparison.Ordinal))
            {
                foreach (Match d in DeclarationRegex().Matches(inner))
                {
                    defined.Add(d.Groups[1].Value);
                    if (d.Groups[2].Success) defined.Add(d.Groups[2].Value);
                }
                foreach (Match v in VariableRegex().Matches(StripStrings(inner)))
                {
                    var name = v.Value;
                    if (!defined.Contains(name))
                        return (open + 2 + action.IndexOf(name, StringComparison.Ordinal), $"template: undefined variable \"{name}\"");
                }
            }
            pos = close + 2;
        }
    }

    private static int FindClose(string text, int from)
    {
        for (int i = from; i < text.Length - 1; i++)
        {
            char c = text[i];
            if (c is '"' or '`')
            {
                int j = i + 1;
                while (j < text.Length && text[j] != c)
                {
                    if (text[j] == '\\' && c == '"') j++;
                    j++;
                }
                i = j;
                continue;
            }
            if (c == '}' && text[i + 1] == '}') return i;
        }
        return -1;
    }

    private static string StripStrings(string s) => Regex.Replace(s, "\"(?:\\\\.|[^\"\\\\])*\"|`[^`]*`", "\"\"");
}
