using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Portal.Config;

namespace Portal.Ingest.Scrape;

/// <summary>
/// A canonical text of a configuration object's values (every YAML-bound property, recursively, secrets
/// included), used to tell whether a section changed between two loaded configurations. Thread-safe.
/// </summary>
internal static class ConfigFingerprint
{
    public static string Of(object? o)
    {
        var sb = new StringBuilder();
        Write(sb, o);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? o)
    {
        switch (o)
        {
            case null:
                sb.Append('~');
                return;
            case string s:
                sb.Append('"').Append(s.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                return;
            case Secret sec:
                sb.Append("S\"").Append(sec.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                return;
            case IFormattable f when o.GetType().IsPrimitive || o is decimal:
                sb.Append(f.ToString(null, CultureInfo.InvariantCulture));
                return;
            case bool b:
                sb.Append(b ? 't' : 'f');
                return;
            case IDictionary d:
                var keys = new List<string>();
                foreach (var k in d.Keys) keys.Add(k?.ToString() ?? "");
                keys.Sort(StringComparer.Ordinal);
                sb.Append('{');
                foreach (var k in keys)
                {
                    sb.Append(k).Append(':');
                    Write(sb, d[k]);
                    sb.Append(',');
                }
                sb.Append('}');
                return;
            case IEnumerable e:
                sb.Append('[');
                foreach (var x in e)
                {
                    Write(sb, x);
                    sb.Append(',');
                }
                sb.Append(']');
                return;
            case ConfigObject co:
                sb.Append('(');
                foreach (var p in co.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    var key = p.GetCustomAttribute<YamlKeyAttribute>();
                    if (key is null && p.GetCustomAttribute<YamlInlineAttribute>() is null) continue;
                    sb.Append(key?.Name ?? p.Name).Append('=');
                    Write(sb, p.GetValue(co));
                    sb.Append(';');
                }
                sb.Append(')');
                return;
            default:
                sb.Append(o.ToString());
                return;
        }
    }
}
