using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Config.Prometheus;
using Portal.Model;

namespace Portal.Config.Relabeling;

/// <summary>
/// Applies relabeling steps with Prometheus's semantics: source label values joined by the separator, anchored
/// regexes, Go-style <c>$1</c>/<c>${name}</c> expansion, hashmod over the last 8 bytes of the MD5 sum, and an empty
/// value deleting a label. Stateless; thread-safe (the configs' compiled regexes are shared read-only).
/// </summary>
public static class Relabeler
{
    /// <summary>
    /// Runs <paramref name="configs"/> in order over <paramref name="labels"/>. Returns the resulting labels, or
    /// null when a keep/drop step dropped the series or target. Configs must come from a successful load.
    /// </summary>
    public static Labels? Process(Labels labels, IReadOnlyList<RelabelConfig> configs)
    {
        if (configs.Count == 0) return labels;
        var lb = new LabelsBuilder(labels);
        return ProcessBuilder(lb, configs) ? lb.Build() : null;
    }

    /// <summary>Runs <paramref name="configs"/> on <paramref name="builder"/> in place; false when a step dropped the set (the builder is then partly changed).</summary>
    public static bool ProcessBuilder(LabelsBuilder builder, IReadOnlyList<RelabelConfig> configs)
    {
        for (int i = 0; i < configs.Count; i++)
            if (!Apply(configs[i], builder)) return false;
        return true;
    }

    private static bool Apply(RelabelConfig cfg, LabelsBuilder lb)
    {
        var val = SourceValue(cfg, lb);
        var re = cfg.CompiledRegex;
        var target = cfg.TargetLabel ?? "";
        var replacement = cfg.Replacement ?? "";
        switch (cfg.Action)
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
            {
                if (val.Length == 0 && cfg.Regex == RelabelConfig.DefaultRegex && !target.Contains('$') && !replacement.Contains('$'))
                {
                    lb.Set(target, replacement);
                    break;
                }
                var m = re.MatchWhole(val);
                if (m is null) break;
                var name = re.Expand(target, m);
                if (!RelabelConfig.LabelNameOk(name, cfg.LegacyNames)) break;
                var res = re.Expand(replacement, m);
                if (res.Length == 0) lb.Delete(name);
                else lb.Set(name, res);
                break;
            }
            case "lowercase":
                lb.Set(target, val.ToLowerInvariant());
                break;
            case "uppercase":
                lb.Set(target, val.ToUpperInvariant());
                break;
            case "hashmod":
            {
                Span<byte> hash = stackalloc byte[16];
                MD5.HashData(Encoding.UTF8.GetBytes(val), hash);
                ulong mod = BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % cfg.Modulus;
                lb.Set(target, mod.ToString(CultureInfo.InvariantCulture));
                break;
            }
            case "labelmap":
                foreach (var l in lb.Build())
                {
                    var m = re.MatchWhole(l.Name);
                    if (m is not null) lb.Set(re.Expand(replacement, m), l.Value);
                }
                break;
            case "labeldrop":
                foreach (var l in lb.Build())
                    if (re.IsMatch(l.Name)) lb.Delete(l.Name);
                break;
            case "labelkeep":
                foreach (var l in lb.Build())
                    if (!re.IsMatch(l.Name)) lb.Delete(l.Name);
                break;
            default:
                throw new InvalidOperationException($"relabel action \"{cfg.Action}\" was not validated");
        }
        return true;
    }

    private static string SourceValue(RelabelConfig cfg, LabelsBuilder lb)
    {
        var src = cfg.SourceLabels;
        if (src is null || src.Count == 0) return "";
        if (src.Count == 1) return lb.Get(src[0]);
        var sb = new StringBuilder();
        for (int i = 0; i < src.Count; i++)
        {
            if (i > 0) sb.Append(cfg.Separator);
            sb.Append(lb.Get(src[i]));
        }
        return sb.ToString();
    }
}
