using System.Globalization;
using System.Text;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.PromQL.Ast;

/// <summary>
/// Canonical single-line PromQL printing (Prometheus's <c>String()</c>): numbers as Go prints float64,
/// durations in Prometheus units, strings re-quoted with Go escapes, UTF-8 names quoted, matchers sorted.
/// The output parses back to a structurally equal tree. Thread-safe.
/// </summary>
public static class Printer
{
    public static string Print(Expr expr)
    {
        var sb = new StringBuilder();
        Write(sb, expr);
        return sb.ToString();
    }

    /// <summary>Maximum single-line length before <see cref="Pretty"/> splits a node over several lines.</summary>
    public const int MaxCharactersPerLine = 100;

    /// <summary>
    /// Prometheus's <c>Pretty(level)</c> (used by <c>/api/v1/format_query</c>): a node whose single-line text is
    /// longer than <see cref="MaxCharactersPerLine"/> UTF-8 bytes is split, children indented by two spaces per level.
    /// </summary>
    public static string Pretty(Expr expr, int level = 0)
    {
        string ind = new(' ', 2 * level);
        switch (expr)
        {
            case AggregateExpr a:
            {
                if (!NeedsSplit(a)) return ind + Print(a);
                var sb = new StringBuilder(ind);
                sb.Append(a.Op.ToText());
                if (a.Without) sb.Append(" without (");
                else if (a.Grouping.Count > 0) sb.Append(" by (");
                if (a.Without || a.Grouping.Count > 0)
                {
                    WriteLabelList(sb, a.Grouping);
                    sb.Append(") ");
                }
                sb.Append("(\n");
                if (a.Param is not null) sb.Append(Pretty(a.Param, level + 1)).Append(",\n");
                sb.Append(Pretty(a.Expr, level + 1)).Append('\n').Append(ind).Append(')');
                return sb.ToString();
            }
            case BinaryExpr b:
            {
                if (!NeedsSplit(b)) return ind + Print(b);
                var sb = new StringBuilder();
                sb.Append(Pretty(b.LHS, level + 1)).Append('\n').Append(ind).Append(b.Op.ToText());
                if (b.ReturnBool) sb.Append(" bool");
                WriteMatching(sb, b.VectorMatching);
                sb.Append('\n').Append(Pretty(b.RHS, level + 1));
                return sb.ToString();
            }
            case Call c:
            {
                if (!NeedsSplit(c)) return ind + Print(c);
                var sb = new StringBuilder(ind).Append(c.Func.Name).Append("(\n");
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0) sb.Append(",\n");
                    sb.Append(Pretty(c.Args[i], level + 1));
                }
                return sb.Append('\n').Append(ind).Append(')').ToString();
            }
            case ParenExpr p:
                if (!NeedsSplit(p)) return ind + Print(p);
                return $"{ind}(\n{Pretty(p.Expr, level + 1)}\n{ind})";
            case SubqueryExpr sq:
            {
                if (!NeedsSplit(sq)) return Print(sq);
                string full = Print(sq);
                string inner = Print(sq.Expr);
                return Pretty(sq.Expr, level) + full[inner.Length..];
            }
            case UnaryExpr u:
                return ind + u.Op.ToText() + Pretty(u.Expr, level).Trim();
            case StepInvariantExpr si:
                return Pretty(si.Expr, level);
            default:
                return ind + Print(expr);
        }
    }

    private static bool NeedsSplit(Expr e) => Encoding.UTF8.GetByteCount(Print(e)) > MaxCharactersPerLine;

    public static void Write(StringBuilder sb, Expr expr)
    {
        switch (expr)
        {
            case AggregateExpr a:
                sb.Append(a.Op.ToText());
                if (a.Without)
                {
                    sb.Append(" without (");
                    WriteLabelList(sb, a.Grouping);
                    sb.Append(") ");
                }
                else if (a.Grouping.Count > 0)
                {
                    sb.Append(" by (");
                    WriteLabelList(sb, a.Grouping);
                    sb.Append(") ");
                }
                sb.Append('(');
                if (a.Param is not null)
                {
                    Write(sb, a.Param);
                    sb.Append(", ");
                }
                Write(sb, a.Expr);
                sb.Append(')');
                break;
            case BinaryExpr b:
                Write(sb, b.LHS);
                sb.Append(' ').Append(b.Op.ToText());
                if (b.ReturnBool) sb.Append(" bool");
                WriteMatching(sb, b.VectorMatching);
                sb.Append(' ');
                Write(sb, b.RHS);
                break;
            case Call c:
                sb.Append(c.Func.Name).Append('(');
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, c.Args[i]);
                }
                sb.Append(')');
                break;
            case MatrixSelector m:
            {
                var vs = m.VectorSelector;
                WriteSelectorBody(sb, vs);
                sb.Append('[');
                if (m.RangeExpr is not null) Write(sb, m.RangeExpr);
                else sb.Append(PromDuration.Format(m.Range));
                sb.Append(']');
                WriteExtended(sb, vs);
                WriteAt(sb, vs.Timestamp, vs.StartOrEnd);
                WriteOffset(sb, vs.OriginalOffset, vs.OriginalOffsetExpr);
                break;
            }
            case SubqueryExpr s:
                Write(sb, s.Expr);
                sb.Append('[');
                if (s.RangeExpr is not null) Write(sb, s.RangeExpr);
                else sb.Append(PromDuration.Format(s.Range));
                sb.Append(':');
                if (s.StepExpr is not null) Write(sb, s.StepExpr);
                else if (s.Step != 0) sb.Append(PromDuration.Format(s.Step));
                sb.Append(']');
                WriteAt(sb, s.Timestamp, s.StartOrEnd);
                WriteOffset(sb, s.OriginalOffset, s.OriginalOffsetExpr);
                break;
            case NumberLiteral n:
                if (n.Duration && double.IsFinite(n.Val))
                {
                    if (n.Val < 0) sb.Append('-');
                    sb.Append(PromDuration.Format((long)Math.Round(Math.Abs(n.Val) * 1000)));
                }
                else
                {
                    sb.Append(FormatFloatPlain(n.Val));
                }
                break;
            case StringLiteral s:
                WriteQuoted(sb, s.Val);
                break;
            case ParenExpr p:
                sb.Append('(');
                Write(sb, p.Expr);
                sb.Append(')');
                break;
            case UnaryExpr u:
                sb.Append(u.Op.ToText());
                Write(sb, u.Expr);
                break;
            case StepInvariantExpr si:
                Write(sb, si.Expr);
                break;
            case VectorSelector v:
                WriteSelectorBody(sb, v);
                WriteAt(sb, v.Timestamp, v.StartOrEnd);
                WriteExtended(sb, v);
                WriteOffset(sb, v.OriginalOffset, v.OriginalOffsetExpr);
                break;
            case DurationExpr d:
                WriteDuration(sb, d);
                break;
            default:
                throw new ArgumentException($"unknown node type {expr.GetType().Name}", nameof(expr));
        }
    }

    private static void WriteDuration(StringBuilder sb, DurationExpr d)
    {
        if (d.Wrapped) sb.Append('(');
        switch (d.Op)
        {
            case DurationOp.Literal:
                if (d.IsDurationLiteral && double.IsFinite(d.Seconds))
                {
                    if (d.Seconds < 0) sb.Append('-');
                    sb.Append(PromDuration.Format((long)Math.Round(Math.Abs(d.Seconds) * 1000)));
                }
                else
                {
                    sb.Append(FormatFloatPlain(d.Seconds));
                }
                break;
            case DurationOp.Step:
                sb.Append("step()");
                break;
            case DurationOp.Range:
                sb.Append("range()");
                break;
            case DurationOp.Neg:
            case DurationOp.Pos:
                sb.Append(d.Op == DurationOp.Neg ? '-' : '+');
                WriteDuration(sb, d.RHS!);
                break;
            case DurationOp.MinOf:
            case DurationOp.MaxOf:
                sb.Append(d.Op == DurationOp.MinOf ? "min_of(" : "max_of(");
                WriteDuration(sb, d.LHS!);
                sb.Append(", ");
                WriteDuration(sb, d.RHS!);
                sb.Append(')');
                break;
            default:
                WriteDuration(sb, d.LHS!);
                sb.Append(d.Op switch
                {
                    DurationOp.Add => " + ",
                    DurationOp.Sub => " - ",
                    DurationOp.Mul => " * ",
                    DurationOp.Div => " / ",
                    DurationOp.Mod => " % ",
                    _ => " ^ ",
                });
                WriteDuration(sb, d.RHS!);
                break;
        }
        if (d.Wrapped) sb.Append(')');
    }

    private static void WriteMatching(StringBuilder sb, VectorMatching? vm)
    {
        if (vm is null) return;
        bool grouped = vm.Card is VectorMatchCardinality.ManyToOne or VectorMatchCardinality.OneToMany;
        if (vm.MatchingLabels.Count > 0 || vm.On || grouped)
        {
            sb.Append(vm.On ? " on (" : " ignoring (");
            WriteLabelList(sb, vm.MatchingLabels);
            sb.Append(')');
            if (grouped)
            {
                sb.Append(vm.Card == VectorMatchCardinality.ManyToOne ? " group_left (" : " group_right (");
                WriteLabelList(sb, vm.Include);
                sb.Append(')');
            }
        }
        if (vm.Fill is { } fill)
        {
            if (fill.Lhs is { } l && fill.Rhs is { } r && l.Equals(r))
            {
                sb.Append(" fill (").Append(FormatFloat(l)).Append(')');
            }
            else
            {
                if (fill.Lhs is { } fl) sb.Append(" fill_left (").Append(FormatFloat(fl)).Append(')');
                if (fill.Rhs is { } fr) sb.Append(" fill_right (").Append(FormatFloat(fr)).Append(')');
            }
        }
    }

    private static void WriteExtended(StringBuilder sb, VectorSelector v)
    {
        if (v.Anchored) sb.Append(" anchored");
        else if (v.Smoothed) sb.Append(" smoothed");
    }

    private static void WriteAt(StringBuilder sb, long? timestamp, AtModifier startOrEnd)
    {
        if (timestamp is { } ts)
        {
            sb.Append(" @ ").Append((ts / 1000.0).ToString("F3", CultureInfo.InvariantCulture));
        }
        else if (startOrEnd == AtModifier.Start)
        {
            sb.Append(" @ start()");
        }
        else if (startOrEnd == AtModifier.End)
        {
            sb.Append(" @ end()");
        }
    }

    private static void WriteOffset(StringBuilder sb, long offset, DurationExpr? offsetExpr)
    {
        if (offsetExpr is not null)
        {
            sb.Append(" offset ");
            WriteDuration(sb, offsetExpr);
        }
        else if (offset > 0)
        {
            sb.Append(" offset ").Append(PromDuration.Format(offset));
        }
        else if (offset < 0)
        {
            sb.Append(" offset -").Append(PromDuration.Format(-offset));
        }
    }

    /// <summary>Writes the name and matchers of a selector, without modifiers.</summary>
    private static void WriteSelectorBody(StringBuilder sb, VectorSelector v)
    {
        var matchers = new List<Matcher>(v.LabelMatchers.Count);
        foreach (var m in v.LabelMatchers)
        {
            if (m.Name == Labels.MetricName && m.Type == MatchType.Equal && m.Value == v.Name && v.Name.Length > 0) continue;
            matchers.Add(m);
        }
        matchers.Sort(static (a, b) => string.CompareOrdinal(MatcherText(a), MatcherText(b)));
        bool legacyName = v.Name.Length > 0 && LabelNames.IsLegacyMetricName(v.Name);
        if (legacyName) sb.Append(v.Name);
        if (!legacyName && v.Name.Length > 0)
        {
            sb.Append('{');
            WriteQuoted(sb, v.Name);
            foreach (var m in matchers) sb.Append(',').Append(MatcherText(m));
            sb.Append('}');
            return;
        }
        if (matchers.Count == 0 && legacyName) return;
        sb.Append('{');
        for (int i = 0; i < matchers.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(MatcherText(matchers[i]));
        }
        sb.Append('}');
    }

    /// <summary>Prints a matcher as <c>name="value"</c>, quoting a name that is not a legacy label name.</summary>
    public static string MatcherText(Matcher m)
    {
        var sb = new StringBuilder();
        WriteLabelName(sb, m.Name);
        sb.Append(m.Type switch { MatchType.Equal => "=", MatchType.NotEqual => "!=", MatchType.Regex => "=~", _ => "!~" });
        WriteQuoted(sb, m.Value);
        return sb.ToString();
    }

    private static void WriteLabelList(StringBuilder sb, List<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            WriteLabelName(sb, names[i]);
        }
    }

    private static void WriteLabelName(StringBuilder sb, string name)
    {
        if (LabelNames.IsLegacyLabelName(name)) sb.Append(name);
        else WriteQuoted(sb, name);
    }

    /// <summary>Appends <paramref name="s"/> double-quoted with Go's <c>strconv.Quote</c> escapes.</summary>
    public static void WriteQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            int rune = c;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                rune = char.ConvertToUtf32(c, s[i + 1]);
            }
            else if (c >= 0xDC80 && c <= 0xDCFF)
            {
                // An invalid UTF-8 byte kept by the parser; print it as Go does.
                sb.Append("\\x").Append(((int)c - 0xDC00).ToString("x2", CultureInfo.InvariantCulture));
                continue;
            }
            else if (char.IsSurrogate(c))
            {
                sb.Append("\\ufffd");
                continue;
            }
            switch (rune)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (IsGoPrintable(rune))
            {
                if (rune > 0xFFFF)
                {
                    sb.Append(c).Append(s[i + 1]);
                    i++;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (rune < ' ' || rune == 0x7f)
            {
                sb.Append("\\x").Append(rune.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (rune <= 0xFFFF)
            {
                sb.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
                i++;
            }
        }
        sb.Append('"');
    }

    private static bool IsGoPrintable(int rune)
    {
        if (rune < 0x80) return rune >= 0x20 && rune < 0x7f;
        if (rune is 0x00A0 or 0x1680 or (>= 0x2000 and <= 0x200A) or 0x202F or 0x205F or 0x3000) return false;
        var cat = CharUnicodeInfo.GetUnicodeCategory(rune);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Formats a float64 the way Go's <c>fmt.Sprint</c> does (<c>1e+06</c>, <c>0.5</c>, <c>+Inf</c>, <c>NaN</c>).</summary>
    public static string FormatFloat(double v) => FormatGo(v, exponentForm: true);

    /// <summary>Formats a float64 like Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c> (<c>1000000</c>, <c>0.00001</c>, <c>+Inf</c>).</summary>
    public static string FormatFloatPlain(double v) => FormatGo(v, exponentForm: false);

    private static string FormatGo(double v, bool exponentForm)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (v == 0) return double.IsNegative(v) ? "-0" : "0";
        // Shortest round-trip digits come from "R"; normalise them to digits + decimal point position.
        string shortest = v.ToString("R", CultureInfo.InvariantCulture);
        bool neg = shortest[0] == '-';
        if (neg) shortest = shortest[1..];
        int ePos = shortest.IndexOfAny(['E', 'e']);
        string mant = ePos >= 0 ? shortest[..ePos] : shortest;
        int exp10 = ePos >= 0 ? int.Parse(shortest.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int dot = mant.IndexOf('.');
        string digits = dot >= 0 ? mant.Remove(dot, 1) : mant;
        int dp = (dot >= 0 ? dot : mant.Length) + exp10;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
            dp--;
        }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        int exp = dp - 1;
        if (exponentForm && (exp < -4 || exp >= 6))
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            int ae = Math.Abs(exp);
            if (ae < 10) sb.Append('0');
            sb.Append(ae.ToString(CultureInfo.InvariantCulture));
        }
        else if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }
}
