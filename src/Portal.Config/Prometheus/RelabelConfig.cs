using System.Text.RegularExpressions;
using Portal.Model;

namespace Portal.Config.Prometheus;

/// <summary>
/// One relabeling step (<c>relabel_configs</c>, <c>metric_relabel_configs</c>, <c>write_relabel_configs</c>, ...).
/// Defaults as in Prometheus: separator ";", regex "(.*)" (anchored at both ends), replacement "$1", action replace.
/// </summary>
[YamlType("relabel_config")]
public sealed class RelabelConfig : ConfigObject
{
    public const string DefaultRegex = "(.*)";
    public const string DefaultReplacement = "$1";
    public const string DefaultSeparator = ";";

    /// <summary>Every action Prometheus knows, lower case.</summary>
    public static readonly IReadOnlyList<string> Actions =
        ["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase"];

    [YamlKey("source_labels")] public List<string>? SourceLabels { get; set; }
    [YamlKey("separator")] public string? Separator { get; set; } = DefaultSeparator;
    [YamlKey("regex")] public string? Regex { get; set; } = DefaultRegex;
    [YamlKey("modulus")] public ulong Modulus { get; set; }
    [YamlKey("target_label")] public string? TargetLabel { get; set; }
    [YamlKey("replacement")] public string? Replacement { get; set; } = DefaultReplacement;
    [YamlKey("action")] public string? Action { get; set; } = "replace";

    /// <summary>Whether names are checked with the legacy (ASCII) rules; set from the enclosing section's validation scheme.</summary>
    internal bool LegacyNames { get; set; }

    private Re2Regex? _compiled;

    /// <summary>The anchored, compiled regex (<c>^(?s:regex)$</c>) with RE2 group numbering. Thread-safe.</summary>
    public Re2Regex CompiledRegex => _compiled ??= CompileAnchored(Regex ?? "");

    internal static Re2Regex CompileAnchored(string pattern) => Re2Regex.Anchored(pattern);

    internal override void Validate(LoadContext ctx)
    {
        Regex ??= "";
        var re2Error = Re2.Check(Regex);
        if (re2Error is not null) ctx.Error(this, "regex", $"error parsing regexp: {re2Error}: `{Regex}`");
        else
        {
            try
            {
                _compiled = CompileAnchored(Regex);
            }
            catch (ArgumentException e)
            {
                ctx.Error(this, "regex", $"error parsing regexp: {Re2.DescribeDotNetError(e)}: `{Regex}`");
            }
        }
        if (Action is not null)
        {
            var lower = Action.ToLowerInvariant();
            bool known = false;
            foreach (var a in Actions) if (a == lower) known = true;
            if (!known && Action.Length > 0)
            {
                ctx.Error(this, "action", $"unknown relabel action \"{Action}\" (valid actions: {string.Join(", ", Actions)})");
                return;
            }
            Action = lower;
        }
        if (Replacement is not null && Replacement.Contains("\\$", StringComparison.Ordinal))
            ctx.Note(this, "replacement", $"replacement \"{Replacement}\" contains \\$: the backslash is kept literally (it is shell escaping); write $1 or ${{1}}");
        if (SourceLabels is not null)
            foreach (var l in SourceLabels)
                if (!LabelNameOk(l ?? "", LegacyNames)) ctx.Error(this, "source_labels", $"\"{l}\" is not a valid label name");
    }

    /// <summary>
    /// The checks Prometheus runs with the name validation scheme known (relabel.Config.Validate). Reports the first
    /// problem of this step, as Prometheus does.
    /// </summary>
    internal void ValidateAction(LoadContext ctx, bool legacyNames)
    {
        LegacyNames = legacyNames;
        var a = Action ?? "";
        string? err = null;
        string? key = null;
        var target = TargetLabel ?? "";
        if (a == "") { err = "relabel action cannot be empty"; key = "action"; }
        else if (Modulus == 0 && a == "hashmod") { err = "relabel configuration for hashmod requires non-zero modulus"; key = "action"; }
        else if (a is "replace" or "hashmod" or "lowercase" or "uppercase" or "keepequal" or "dropequal" && target == "")
        { err = $"relabel configuration for {a} action requires 'target_label' value"; key = "action"; }
        else if (a == "replace" && !ValidWithVars(target, legacyNames))
        { err = $"\"{target}\" is invalid 'target_label' for {a} action"; key = "target_label"; }
        else if (a is "lowercase" or "uppercase" or "keepequal" or "dropequal" && !LabelNameOk(target, legacyNames))
        { err = $"\"{target}\" is invalid 'target_label' for {a} action"; key = "target_label"; }
        else if (a is "lowercase" or "uppercase" or "keepequal" or "dropequal" && Replacement != DefaultReplacement)
        { err = $"'replacement' can not be set for {a} action"; key = "replacement"; }
        else if (a == "labelmap" && !ValidWithVars(Replacement ?? "", legacyNames))
        { err = $"\"{Replacement}\" is invalid 'replacement' for {a} action"; key = "replacement"; }
        else if (a == "hashmod" && !LabelNameOk(target, legacyNames))
        { err = $"\"{target}\" is invalid 'target_label' for {a} action"; key = "target_label"; }
        else if (a is "dropequal" or "keepequal" && (Regex != DefaultRegex || Modulus != 0 || Separator != DefaultSeparator || Replacement != DefaultReplacement))
        { err = $"{a} action requires only 'source_labels' and `target_label`, and no other fields"; key = "action"; }
        else if (a is "labeldrop" or "labelkeep" && (SourceLabels is not null || target != "" || Modulus != 0 || Separator != DefaultSeparator || Replacement != DefaultReplacement))
        { err = $"{a} action requires only 'regex', and no other fields"; key = "action"; }
        if (err is not null) ctx.Error(this, IsSet(key!) ? key : null, err);
    }

    private static readonly Regex LegacyWithVars = new(@"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$", RegexOptions.CultureInvariant);

    private static bool ValidWithVars(string value, bool legacy) =>
        legacy ? LegacyWithVars.IsMatch(value) : LabelNameOk(value, false);

    internal static bool LabelNameOk(string name, bool legacy) =>
        legacy ? LabelNames.IsLegacyLabelName(name) : name.Length > 0 && IsValidUtf8(name);

    internal static bool IsValidUtf8(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i]) || s[i] == '\uFFFD') return false;
        }
        return true;
    }
}

/// <summary>Bridges RE2 syntax (what Prometheus accepts) to .NET regexes and refuses what RE2 does not support.</summary>
internal static class Re2
{
    /// <summary>Null when the pattern uses nothing RE2 lacks; otherwise the reason.</summary>
    public static string? Check(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                char n = pattern[i + 1];
                if (n is >= '1' and <= '9') return $"invalid escape sequence: `\\{n}` (backreferences are not supported)";
                i++;
                continue;
            }
            if (c == '(' && i + 2 < pattern.Length && pattern[i + 1] == '?')
            {
                char n = pattern[i + 2];
                if (n is '=' or '!') return "invalid or unsupported Perl syntax: `(?" + n + "` (lookahead is not supported)";
                if (n == '<' && i + 3 < pattern.Length && pattern[i + 3] is '=' or '!')
                    return "invalid or unsupported Perl syntax: `(?<" + pattern[i + 3] + "` (lookbehind is not supported)";
                if (n == '>') return "invalid or unsupported Perl syntax: `(?>`";
            }
        }
        return null;
    }

    /// <summary>
    /// Rewrites a pattern for .NET keeping RE2's group numbering: named groups (<c>(?P&lt;n&gt;</c>, <c>(?&lt;n&gt;</c>)
    /// become plain groups, and their numbers are returned by name (.NET would number named groups last).
    /// </summary>
    public static string Translate(string pattern, Dictionary<string, int> names)
    {
        var sb = new System.Text.StringBuilder(pattern.Length);
        int group = 0;
        bool inClass = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                sb.Append(c).Append(pattern[i + 1]);
                i++;
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') { sb.Append('^'); i++; }
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') { sb.Append(']'); i++; }
                continue;
            }
            if (c == '(')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '?')
                {
                    int nameStart = -1;
                    if (string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0) nameStart = i + 4;
                    else if (string.CompareOrdinal(pattern, i, "(?<", 0, 3) == 0 && i + 3 < pattern.Length && pattern[i + 3] is not ('=' or '!')) nameStart = i + 3;
                    if (nameStart >= 0)
                    {
                        int end = pattern.IndexOf('>', nameStart);
                        if (end > nameStart)
                        {
                            group++;
                            names[pattern[nameStart..end]] = group;
                            sb.Append('(');
                            i = end;
                            continue;
                        }
                    }
                }
                else group++;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string DescribeDotNetError(ArgumentException e)
    {
        var m = e.Message;
        int i = m.IndexOf(" - ", StringComparison.Ordinal);
        return i >= 0 ? m[(i + 3)..] : m;
    }
}
