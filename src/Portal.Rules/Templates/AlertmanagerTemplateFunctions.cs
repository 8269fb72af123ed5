using System.Collections;
using System.Reflection;
using System.Text;

namespace Portal.Rules.Templates;

/// <summary>
/// Alertmanager's notification template functions: toUpper, toLower, title (rest lower-cased), trimSpace,
/// join (separator first, for pipelines), match, safeHtml, safeUrl, urlUnescape, reReplaceAll, stringSlice,
/// date, tz, since, humanizeDuration and toJson. Use with <see cref="MissingKeyMode.Zero"/>, as Alertmanager does.
/// </summary>
public static class AlertmanagerTemplateFunctions
{
    /// <summary>The function set; <paramref name="clock"/> drives <c>since</c> (the system clock when null).</summary>
    public static TemplateFunctions Create(TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var f = new TemplateFunctions();
        f.Add("toUpper", 1, 1, a => TemplateFunctions.ArgString(a[0]).ToUpperInvariant());
        f.Add("toLower", 1, 1, a => TemplateFunctions.ArgString(a[0]).ToLowerInvariant());
        f.Add("title", 1, 1, a => TemplateText.Title(TemplateFunctions.ArgString(a[0]), lowerRest: true));
        f.Add("trimSpace", 1, 1, a => TemplateFunctions.ArgString(a[0]).Trim(' ', '\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0'));
        f.Add("join", 2, 2, a => string.Join(TemplateFunctions.ArgString(a[0]), TemplateFunctions.ArgStrings(a[1])));
        f.Add("match", 2, 2, a => TemplateText.Compile(TemplateFunctions.ArgString(a[0])).IsMatch(TemplateFunctions.ArgString(a[1])));
        f.Add("safeHtml", 1, 1, a => new SafeHtml(TemplateFunctions.ArgString(a[0])));
        f.Add("safeUrl", 1, 1, a => TemplateFunctions.ArgString(a[0]));
        f.Add("urlUnescape", 1, 1, a => GoFormat.QueryUnescape(TemplateFunctions.ArgString(a[0])));
        f.Add("reReplaceAll", 3, 3, a => TemplateText.ReplaceAll(TemplateFunctions.ArgString(a[0]), TemplateFunctions.ArgString(a[1]), TemplateFunctions.ArgString(a[2])));
        f.Add("stringSlice", 0, -1, a =>
        {
            var r = new List<string>(a.Length);
            foreach (var v in a) r.Add(TemplateFunctions.ArgString(v));
            return r;
        });
        f.Add("date", 2, 2, a => TemplateFunctions.ArgTime(a[1]).Format(TemplateFunctions.ArgString(a[0])));
        f.Add("tz", 2, 2, a => TemplateFunctions.ArgTime(a[1]).In(TemplateFunctions.ArgString(a[0])));
        f.Add("since", 1, 1, a => new GoTime(clock.GetUtcNow()).Sub(TemplateFunctions.ArgTime(a[0])));
        f.Add("humanizeDuration", 1, 1, a => PrometheusTemplateFunctions.HumanizeDuration(TemplateFunctions.ToFloat(a[0])));
        f.Add("toJson", 1, 1, a =>
        {
            var sb = new StringBuilder();
            WriteJson(sb, a[0]);
            return sb.ToString();
        });
        return f;
    }

    /// <summary>Go's json.Marshal of a template value: maps with sorted keys, objects by their public properties.</summary>
    private static void WriteJson(StringBuilder sb, object? v)
    {
        v = TemplateValues.Normalize(v);
        switch (v)
        {
            case null: sb.Append("null"); break;
            case string s: sb.Append(System.Text.Json.JsonSerializer.Serialize(s)); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l); break;
            case double d:
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new InvalidOperationException($"json: unsupported value: {GoFormat.Print(d)}");
                sb.Append(GoFormat.FormatFloat(d, Math.Abs(d) is > 0 and (< 1e-6 or >= 1e21) ? 'e' : 'f', -1));
                break;
            case GoTime t: sb.Append('"').Append(t.Format("2006-01-02T15:04:05.999999999Z07:00")).Append('"'); break;
            case GoDuration g: sb.Append(g.Nanoseconds); break;
            case IDictionary map:
            {
                sb.Append('{');
                bool first = true;
                foreach (var k in GoFormat.SortedKeys(map))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    sb.Append(System.Text.Json.JsonSerializer.Serialize(k?.ToString() ?? ""));
                    sb.Append(':');
                    WriteJson(sb, map[k!]);
                }
                sb.Append('}');
                break;
            }
            case IEnumerable list:
            {
                sb.Append('[');
                bool first = true;
                foreach (var e in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteJson(sb, e);
                }
                sb.Append(']');
                break;
            }
            default:
            {
                sb.Append('{');
                bool first = true;
                foreach (var p in v.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (p.GetIndexParameters().Length > 0) continue;
                    if (!first) sb.Append(',');
                    first = false;
                    sb.Append(System.Text.Json.JsonSerializer.Serialize(p.Name)).Append(':');
                    WriteJson(sb, p.GetValue(v));
                }
                sb.Append('}');
                break;
            }
        }
    }
}
