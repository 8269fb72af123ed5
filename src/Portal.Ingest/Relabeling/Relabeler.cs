using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Config.Prometheus;
using Portal.Model;

namespace Portal.Ingest.Relabeling;

/// <summary>
/// Executes relabeling steps (target, metric, alert and write relabeling) with Prometheus's semantics: source
/// label values joined by the separator, the regex anchored at both ends, Go-style <c>$1</c>/<c>${name}</c>
/// expansion in replacements and target labels, MD5-based hashmod, and labelmap/labeldrop/labelkeep over every
/// label name. Stateless and thread-safe (the configs' compiled regexes are shared read-only).
/// </summary>
public static class Relabeler
{
    /// <summary>Applies <paramref name="configs"/> in order. Returns the new label set, or null when a step drops it.</summary>
    public static Labels? Process(Labels labels, IReadOnlyList<RelabelConfig>? configs)
    {
        if (configs is null || configs.Count == 0) return labels;
        var b = new LabelsBuilder(labels);
        return ProcessBuilder(b, configs) ? b.Build() : null;
    }

    /// <summary>Applies <paramref name="configs"/> to <paramref name="builder"/> in place; false when the set is dropped.</summary>
    public static bool ProcessBuilder(LabelsBuilder builder, IReadOnlyList<RelabelConfig> configs)
    {
        for (int i = 0; i < configs.Count; i++)
            if (!Step(configs[i], builder)) return false;
        return true;
    }

    private static bool Step(RelabelConfig cfg, LabelsBuilder lb)
    {
        var src = cfg.SourceLabels;
        string val;
        if (src is null || src.Count == 0) val = "";
        else if (src.Count == 1) val = lb.Get(src[0]);
        else
        {
            var sb = new StringBuilder();
            for (int i = 0; i < src.Count; i++)
            {
                if (i > 0) sb.Append(cfg.Separator);
                sb.Append(lb.Get(src[i]));
            }
            val = sb.ToString();
        }
        var re = cfg.CompiledRegex;
        var target = cfg.TargetLabel ?? "";
        var replacement = cfg.Replacement ?? "";
        switch (cfg.Action ?? "replace")
        {
            case "drop":
                if (re.IsMatch(val)) return false;
                break;
            case "keep":
                if (!re.IsMatch(val)) return false;
                break;
            case "dropequal":
                if (lb.Get(target) == val) return false;
                break;
            case "keepequal":
                if (lb.Get(target) != val) return false;
                break;
            case "replace":
                // Fast path: set or delete a fixed label.
                if (val.Length == 0 && cfg.Regex == RelabelConfig.DefaultRegex && !target.Contains('$') && !replacement.Contains('$'))
                {
                    lb.Set(target, replacement);
                    break;
                }
                var m = re.Match(val);
                if (!m.Success) break;
                var t = Expand(target, m);
                if (!LabelNames.IsValidUtf8Name(t)) break;
                var res = Expand(replacement, m);
                if (res.Length == 0) lb.Delete(t);
                else lb.Set(t, res);
                break;
            case "lowercase":
                lb.Set(target, val.ToLowerInvariant());
                break;
            case "uppercase":
                lb.Set(target, val.ToUpperInvariant());
                break;
            case "hashmod":
                Span<byte> hash = stackalloc byte[16];
                MD5.HashData(Encoding.UTF8.GetBytes(val), hash);
                ulong mod = BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % cfg.Modulus;
                lb.Set(target, mod.ToString(CultureInfo.InvariantCulture));
                break;
            case "labelmap":
                foreach (var l in lb.Snapshot())
                {
                    var lm = re.Match(l.Name);
                    if (lm.Success) lb.Set(Expand(replacement, lm), l.Value);
                }
                break;
            case "labeldrop":
                foreach (var l in lb.Snapshot())
                    if (re.IsMatch(l.Name)) lb.Delete(l.Name);
                break;
            case "labelkeep":
                foreach (var l in lb.Snapshot())
                    if (!re.IsMatch(l.Name)) lb.Delete(l.Name);
                break;
            default:
                throw new InvalidOperationException($"unknown relabel action \"{cfg.Action}\"");
        }
        return true;
    }

    private static Label[] Snapshot(this LabelsBuilder lb) => lb.Build().AsSpan().ToArray();

    /// <summary>
    /// Go's <c>Regexp.Expand</c>: <c>$name</c> or <c>${name}</c> is replaced by the named or numbered group (the
    /// longest run of letters, digits and underscores is the name, so <c>$1x</c> is group "1x"); unknown groups
    /// expand to nothing; <c>$$</c> is a dollar; a malformed reference is kept literally.
    /// </summary>
    public static string Expand(string template, Match m)
    {
        int dollar = template.IndexOf('$');
        if (dollar < 0) return template;
        var sb = new StringBuilder(template.Length + 16);
        sb.Append(template, 0, dollar);
        int i = dollar;
        while (i < template.Length)
        {
            char c = template[i];
            if (c != '$')
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (i + 1 < template.Length && template[i + 1] == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }
            int nameStart, nameEnd, next;
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                nameStart = i + 2;
                int close = template.IndexOf('}', nameStart);
                if (close < 0 || close == nameStart || !AllWordChars(template, nameStart, close))
                {
                    sb.Append('$');
                    i++;
                    continue;
                }
                nameEnd = close;
                next = close + 1;
            }
            else
            {
                nameStart = i + 1;
                nameEnd = nameStart;
                while (nameEnd < template.Length && IsWordChar(template[nameEnd])) nameEnd++;
                if (nameEnd == nameStart)
                {
                    sb.Append('$');
                    i++;
                    continue;
                }
                next = nameEnd;
            }
            var name = template.AsSpan(nameStart, nameEnd - nameStart);
            Group? g = null;
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int num))
            {
                if (num < m.Groups.Count) g = m.Groups[num];
            }
            else if (m.Groups.TryGetValue(name.ToString(), out var named)) g = named;
            if (g is { Success: true }) sb.Append(g.Value);
            i = next;
        }
        return sb.ToString();
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool AllWordChars(string s, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (!IsWordChar(s[i])) return false;
        return true;
    }
}
