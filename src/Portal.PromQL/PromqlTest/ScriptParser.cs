using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Model;
using Portal.PromQL.Parsing;

namespace Portal.PromQL.PromqlTest;

/// <summary>
/// Reads promqltest scripts (Prometheus's <c>promql/promqltest</c> format) into typed commands. Mirrors the
/// upstream reader: lines are trimmed, <c>#</c> lines are comments, a blank line ends a command block, a scalar
/// expected-result line ends an eval block. Query text is kept verbatim and not parsed here. Thread-safe.
/// </summary>
public static partial class ScriptParser
{
    [GeneratedRegex(@"^load(?:_(with_nhcb))?\s+(.+?)$")]
    private static partial Regex PatLoad();

    [GeneratedRegex(@"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$")]
    private static partial Regex PatEvalInstant();

    [GeneratedRegex(@"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$")]
    private static partial Regex PatEvalRange();

    [GeneratedRegex(@"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$")]
    private static partial Regex PatExpect();

    [GeneratedRegex(@"^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$")]
    private static partial Regex PatExpectRange();

    [GeneratedRegex(@"[\t ]+")]
    private static partial Regex PatSpace();

    public static IReadOnlyList<ScriptCommand> ParseFile(string path) => Parse(File.ReadAllText(path));

    /// <summary>Parses a whole script. Throws <see cref="ScriptParseException"/> naming the line on malformed input.</summary>
    public static IReadOnlyList<ScriptCommand> Parse(string text)
    {
        var raw = text.Split('\n');
        var lines = new string[raw.Length];
        for (int k = 0; k < raw.Length; k++)
        {
            string l = raw[k].Trim();
            lines[k] = l.StartsWith('#') ? "" : l;
        }
        var cmds = new List<ScriptCommand>();
        for (int i = 0; i < lines.Length; i++)
        {
            string l = lines[i];
            if (l.Length == 0) continue;
            string c = PatSpace().Split(l, 2)[0].ToLowerInvariant();
            if (c == "clear") cmds.Add(new ClearCommand(i + 1));
            else if (c.StartsWith("load", StringComparison.Ordinal)) cmds.Add(ParseLoad(lines, ref i));
            else if (c.StartsWith("eval", StringComparison.Ordinal)) cmds.Add(ParseEval(lines, ref i));
            else throw new ScriptParseException(i + 1, $"invalid command \"{l}\"");
        }
        return cmds;
    }

    private static long Duration(string s, int line, string what)
    {
        if (PromDuration.TryParse(s, out long ms, out string? err)) return ms;
        throw new ScriptParseException(line, $"invalid {what} \"{s}\": {err}");
    }

    private static LoadCommand ParseLoad(string[] lines, ref int i)
    {
        int line = i + 1;
        var m = PatLoad().Match(lines[i]);
        if (!m.Success) throw new ScriptParseException(line, "invalid load command. (load[_with_nhcb] <step:duration>)");
        bool nhcb = m.Groups[1].Value == "with_nhcb";
        long gap = Duration(m.Groups[2].Value, line, "step definition");
        var series = new List<SeriesDefinition>();
        while (i + 1 < lines.Length)
        {
            i++;
            if (lines[i].Length == 0)
            {
                i--;
                break;
            }
            series.Add(ParseSeriesDescription(lines[i], i + 1));
        }
        return new LoadCommand(line, gap, nhcb, series);
    }

    private static EvalCommand ParseEval(string[] lines, ref int i)
    {
        int line = i + 1;
        var inst = PatEvalInstant().Match(lines[i]);
        var range = PatEvalRange().Match(lines[i]);
        if (!inst.Success && !range.Success)
        {
            throw new ScriptParseException(line,
                "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'");
        }
        EvalCommand cmd;
        string mod;
        if (inst.Success)
        {
            mod = inst.Groups[1].Value;
            string at = inst.Groups[2].Value;
            long t = at.Length == 0 ? 0 : Duration(at, line, "timestamp definition");
            cmd = new EvalCommand(line, inst.Groups[3].Value, false, t, t, 0);
        }
        else
        {
            mod = range.Groups[1].Value;
            long from = Duration(range.Groups[2].Value, line, "start timestamp definition");
            long to = Duration(range.Groups[3].Value, line, "end timestamp definition");
            if (to < from)
                throw new ScriptParseException(line, $"invalid test definition, end timestamp ({range.Groups[3].Value}) is before start timestamp ({range.Groups[2].Value})");
            long step = Duration(range.Groups[4].Value, line, "step definition");
            cmd = new EvalCommand(line, range.Groups[5].Value, true, from, to, step);
        }
        switch (mod)
        {
            case "ordered": cmd.OrderedFlag = true; break;
            case "fail": cmd.FailFlag = true; break;
            case "warn": cmd.WarnFlag = true; break;
            case "info": cmd.InfoFlag = true; break;
        }

        while (i + 1 < lines.Length)
        {
            i++;
            string def = lines[i];
            int defLine = i + 1;
            if (def.Length == 0)
            {
                i--;
                break;
            }
            if (cmd.FailFlag && def.StartsWith("expected_fail_message", StringComparison.Ordinal))
            {
                cmd.ExpectedFailMessage = def["expected_fail_message".Length..].Trim();
                break;
            }
            if (cmd.FailFlag && def.StartsWith("expected_fail_regexp", StringComparison.Ordinal))
            {
                cmd.ExpectedFailRegexp = def["expected_fail_regexp".Length..].Trim();
                break;
            }
            if (def.StartsWith("expect range vector", StringComparison.Ordinal))
            {
                var rm = PatExpectRange().Match(def);
                if (!rm.Success) throw new ScriptParseException(defLine, $"invalid range vector definition \"{def}\"");
                long from = Duration(rm.Groups[1].Value, defLine, "start timestamp definition");
                long to = Duration(rm.Groups[2].Value, defLine, "end timestamp definition");
                long step = Duration(rm.Groups[3].Value, defLine, "step definition");
                if (to < from) throw new ScriptParseException(defLine, "invalid test definition, end timestamp is before start timestamp");
                cmd.ExpectRangeVector = new RangeVectorExpectation(from, to, step);
                cmd.ExcludeFromRangeQuery = true;
                continue;
            }
            if (def.StartsWith("expect string", StringComparison.Ordinal))
            {
                cmd.ExpectedString = ParseExpectedString(def, defLine);
                cmd.ExcludeFromRangeQuery = true;
                continue;
            }
            if (def.Split(' ')[0] == "expect")
            {
                cmd.Expectations.Add(ParseExpect(def, defLine));
                Validate(cmd, defLine);
                continue;
            }
            if (TryParseScalar(def, out double scalar))
            {
                cmd.ExpectedScalar = scalar;
                break;
            }
            var series = ParseSeriesDescription(def, defLine);
            if (series.Values.Count > 1 && !cmd.IsRange && cmd.ExpectRangeVector is null)
            {
                throw new ScriptParseException(defLine,
                    "expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query");
            }
            cmd.ExpectedSeries.Add(series);
        }
        return cmd;
    }

    private static Expectation ParseExpect(string def, int line)
    {
        var m = PatExpect().Match(def.Trim());
        if (!m.Success) throw new ScriptParseException(line, "invalid expect statement, must match `expect <type> <match_type>: <string>` format");
        var kind = m.Groups[1].Value switch
        {
            "ordered" => ExpectationKind.Ordered,
            "fail" => ExpectationKind.Fail,
            "warn" => ExpectationKind.Warn,
            "no_warn" => ExpectationKind.NoWarn,
            "info" => ExpectationKind.Info,
            _ => ExpectationKind.NoInfo,
        };
        if (!m.Groups[2].Success) return new Expectation(kind, null, null, line);
        string value = m.Groups[3].Value.Trim();
        return m.Groups[2].Value == "msg" ? new Expectation(kind, value, null, line) : new Expectation(kind, null, value, line);
    }

    private static void Validate(EvalCommand cmd, int line)
    {
        if (cmd.Has(ExpectationKind.Info) && cmd.Has(ExpectationKind.NoInfo))
            throw new ScriptParseException(line, "invalid expect lines, info and no_info cannot be used together");
        if (cmd.Has(ExpectationKind.Warn) && cmd.Has(ExpectationKind.NoWarn))
            throw new ScriptParseException(line, "invalid expect lines, warn and no_warn cannot be used together");
        int fails = 0;
        foreach (var e in cmd.Expectations)
            if (e.Kind == ExpectationKind.Fail) fails++;
        if (fails > 1) throw new ScriptParseException(line, "invalid expect lines, multiple expect fail lines are not allowed");
    }

    private static string ParseExpectedString(string def, int line)
    {
        const string prefix = "expect string";
        string s = def == prefix ? "" : def.StartsWith(prefix + " ", StringComparison.Ordinal) ? def[(prefix.Length + 1)..] : "";
        if (s.Length == 0) throw new ScriptParseException(line, "expected string literal not valid - a quoted string literal is required");
        if (s.Length < 2 || !((s[0] == '"' && s[^1] == '"') || (s[0] == '`' && s[^1] == '`')))
            throw new ScriptParseException(line, "expected string literal not valid - check that the string is correctly quoted");
        return StringUnquoter.Unquote(s);
    }

    /// <summary>Go's <c>ParseInt(s, 0, 64)</c> then <c>ParseFloat(s, 64)</c>, accepting a leading sign.</summary>
    private static bool TryParseScalar(string s, out double v)
    {
        v = 0;
        if (s.Length == 0) return false;
        bool neg = false;
        string body = s;
        if (s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            body = s[1..];
        }
        if (body.Length == 0 || body[0] is '+' or '-') return false;
        if (!NumberParsing.TryParse(body, out v, out _))
        {
            string lower = body.ToLowerInvariant();
            if (lower is "infinity") v = double.PositiveInfinity;
            else return false;
        }
        if (neg) v = -v;
        return true;
    }

    /// <summary>
    /// Parses a series description line: <c>metric{l="v"} 1+2x3 _ stale -3x2 1x0 Inf NaN {{...}}</c>.
    /// Expansion follows promtool: <c>a+bxn</c> gives n+1 values, <c>_xn</c> gives n blanks.
    /// </summary>
    public static SeriesDefinition ParseSeriesDescription(string text, int line = 0)
    {
        int pos = 0;
        var labels = ParseLabels(text, ref pos, line);
        bool st = false;
        if (string.CompareOrdinal(text, pos, "@st", 0, 3) == 0 && (pos + 3 == text.Length || char.IsWhiteSpace(text[pos + 3])))
        {
            st = true;
            pos += 3;
        }
        var values = new List<SequenceValue>();
        while (true)
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
            if (pos >= text.Length) break;
            if (text[pos] == '{' && pos + 1 < text.Length && text[pos + 1] == '{')
            {
                ParseHistogramItem(text, ref pos, values, line);
                continue;
            }
            int start = pos;
            while (pos < text.Length && !char.IsWhiteSpace(text[pos])) pos++;
            if (st) ParseDurationItem(text[start..pos], values, line);
            else ParseValueItem(text[start..pos], values, line);
        }
        return new SeriesDefinition(labels, values, line, st);
    }

    private static Labels ParseLabels(string s, ref int pos, int line)
    {
        var list = new List<Label>();
        int start = pos;
        while (pos < s.Length && (Lexer.IsAlphaNumeric(s[pos]) || s[pos] == ':')) pos++;
        if (pos > start)
        {
            if (Lexer.IsDigit(s[start])) throw new ScriptParseException(line, $"invalid metric name in series description \"{s}\"");
            list.Add(new Label(Labels.MetricName, s[start..pos]));
        }
        if (pos < s.Length && s[pos] == '{' && !(pos + 1 < s.Length && s[pos + 1] == '{'))
        {
            pos++;
            while (true)
            {
                SkipSpaces(s, ref pos);
                if (pos >= s.Length) throw new ScriptParseException(line, "unexpected end of input inside braces");
                if (s[pos] == '}')
                {
                    pos++;
                    break;
                }
                string name;
                bool quotedName = false;
                if (s[pos] is '"' or '\'' or '`')
                {
                    name = ReadQuoted(s, ref pos, line);
                    quotedName = true;
                }
                else
                {
                    int ns = pos;
                    while (pos < s.Length && Lexer.IsAlphaNumeric(s[pos])) pos++;
                    if (ns == pos) throw new ScriptParseException(line, $"unexpected character inside braces: '{s[pos]}'");
                    name = s[ns..pos];
                }
                SkipSpaces(s, ref pos);
                if (quotedName && pos < s.Length && s[pos] is ',' or '}')
                {
                    list.Add(new Label(Labels.MetricName, name));
                }
                else
                {
                    if (pos >= s.Length || s[pos] != '=') throw new ScriptParseException(line, $"expected '=' after label name \"{name}\"");
                    pos++;
                    SkipSpaces(s, ref pos);
                    if (pos >= s.Length || s[pos] is not ('"' or '\'' or '`')) throw new ScriptParseException(line, $"expected a quoted value for label \"{name}\"");
                    list.Add(new Label(name, ReadQuoted(s, ref pos, line)));
                }
                SkipSpaces(s, ref pos);
                if (pos < s.Length && s[pos] == ',') pos++;
            }
        }
        else if (pos == start)
        {
            throw new ScriptParseException(line, $"invalid series description \"{s}\": expected a metric name or label set");
        }
        return Labels.FromUnsorted(list);
    }

    private static void SkipSpaces(string s, ref int pos)
    {
        while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++;
    }

    private static string ReadQuoted(string s, ref int pos, int line)
    {
        char q = s[pos];
        int start = pos++;
        while (pos < s.Length && s[pos] != q)
        {
            if (s[pos] == '\\' && q != '`') pos++;
            pos++;
        }
        if (pos >= s.Length) throw new ScriptParseException(line, "unterminated quoted string");
        pos++;
        return StringUnquoter.Unquote(s[start..pos]);
    }

    private static void ParseValueItem(string item, List<SequenceValue> values, int line)
    {
        if (item == "_")
        {
            values.Add(SequenceValue.Blank);
            return;
        }
        if (item.StartsWith("_x", StringComparison.Ordinal))
        {
            int n = ParseCount(item[2..], item, line);
            for (int k = 0; k < n; k++) values.Add(SequenceValue.Blank);
            return;
        }
        if (item.Equals("stale", StringComparison.OrdinalIgnoreCase))
        {
            values.Add(SequenceValue.Float(SampleValue.StaleNaN));
            return;
        }
        // <a>[(+|-)<b>]x<n>, or a plain value.
        int x = item.LastIndexOf('x');
        if (x > 0 && x < item.Length - 1 && AllDigits(item.AsSpan(x + 1)))
        {
            int n = ParseCount(item[(x + 1)..], item, line);
            string head = item[..x];
            int split = -1;
            for (int k = 1; k < head.Length; k++)
            {
                if (head[k] is '+' or '-' && head[k - 1] is not ('e' or 'E'))
                {
                    split = k;
                    break;
                }
            }
            double a = ParseValue(split < 0 ? head : head[..split], item, line);
            double b = split < 0 ? 0 : ParseValue(head[split..], item, line);
            double cur = a;
            for (int k = 0; k <= n; k++)
            {
                values.Add(SequenceValue.Float(cur));
                cur += b;
            }
            return;
        }
        values.Add(SequenceValue.Float(ParseValue(item, item, line)));
    }

    /// <summary>A start-timestamp item: <c>_</c>, <c>_xN</c>, or a signed duration with an optional <c>(+|-)duration xN</c> increment.</summary>
    private static void ParseDurationItem(string item, List<SequenceValue> values, int line)
    {
        if (item == "_" || item.StartsWith("_x", StringComparison.Ordinal))
        {
            ParseValueItem(item, values, line);
            return;
        }
        int n = 0;
        string head = item;
        int x = item.LastIndexOf('x');
        if (x > 0 && AllDigits(item.AsSpan(x + 1)))
        {
            n = ParseCount(item[(x + 1)..], item, line);
            head = item[..x];
        }
        int split = -1;
        for (int k = 1; k < head.Length; k++)
        {
            if (head[k] is '+' or '-')
            {
                split = k;
                break;
            }
        }
        long a = SignedDuration(split < 0 ? head : head[..split], item, line);
        long b = split < 0 ? 0 : SignedDuration(head[split..], item, line);
        long cur = a;
        for (int k = 0; k <= n; k++)
        {
            values.Add(SequenceValue.Float(cur));
            cur += b;
        }
    }

    private static long SignedDuration(string s, string item, int line)
    {
        bool neg = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            neg = s[0] == '-';
            s = s[1..];
        }
        if (!PromDuration.TryParse(s, out long ms, out _)) throw new ScriptParseException(line, $"invalid duration \"{s}\" in \"{item}\"");
        return neg ? -ms : ms;
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!char.IsAsciiDigit(c)) return false;
        return s.Length > 0;
    }

    private static int ParseCount(string s, string item, int line)
    {
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return n;
        throw new ScriptParseException(line, $"invalid repetition count in \"{item}\"");
    }

    private static double ParseValue(string s, string item, int line)
    {
        if (TryParseScalar(s, out double v)) return v;
        throw new ScriptParseException(line, $"invalid value \"{s}\" in \"{item}\"");
    }

    private static void ParseHistogramItem(string s, ref int pos, List<SequenceValue> values, int line)
    {
        int start = pos;
        int end = s.IndexOf("}}", pos + 2, StringComparison.Ordinal);
        if (end < 0) throw new ScriptParseException(line, "histogram description incomplete: missing \"}}\"");
        pos = end + 2;
        int count = 1;
        if (pos < s.Length && s[pos] is '+' or '-' && pos + 2 < s.Length && s[pos + 1] == '{' && s[pos + 2] == '{')
        {
            int end2 = s.IndexOf("}}", pos + 3, StringComparison.Ordinal);
            if (end2 < 0) throw new ScriptParseException(line, "histogram description incomplete: missing \"}}\"");
            pos = end2 + 2;
            if (pos >= s.Length || s[pos] != 'x') throw new ScriptParseException(line, "histogram increment needs a repetition count (xN)");
        }
        if (pos < s.Length && s[pos] == 'x')
        {
            int ns = ++pos;
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) pos++;
            count = ParseCount(s[ns..pos], s[start..pos], line) + 1;
        }
        string text = s[start..pos];
        for (int k = 0; k < count; k++) values.Add(new SequenceValue(0, false, text));
    }
}
