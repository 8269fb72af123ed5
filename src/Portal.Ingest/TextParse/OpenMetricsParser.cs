using System.Text;
using System.Text.Unicode;

namespace Portal.Ingest.TextParse;

/// <summary>
/// OpenMetrics 1.0 text (with Prometheus 3's quoted UTF-8 names). By default the semantics follow Prometheus's
/// <c>openmetricsparse</c>: single spaces separate tokens, only HELP/TYPE/UNIT/EOF comments exist, timestamps are
/// float seconds (converted to milliseconds), the payload must end with <c># EOF</c>, a trailing comma in a label
/// set is tolerated. With <c>strict</c>, the specification's lexical rules apply too (no trailing comma, exemplar
/// label sets of at most 128 code points); pair it with <see cref="OpenMetricsValidator"/> for the semantic rules.
/// Not thread-safe.
/// </summary>
public sealed class OpenMetricsParser : ExpositionParser
{
    private readonly bool _strict;
    private int _familyStart = -1, _familyEnd = -1;
    private bool _familyQuoted;

    // Created-timestamp cache: key of the series it was found for, and the value.
    private ulong _ctKey;
    private long _ct;
    private bool _ctValid;

    public OpenMetricsParser(byte[] data, int length, StringInterner? strings = null, bool strict = false) : base(data, length, strings)
    {
        _strict = strict;
    }

    public OpenMetricsParser(byte[] data) : this(data, data.Length) { }

    public override string HelpText()
    {
        var t = RawText;
        return t.IndexOf((byte)'\\') >= 0 ? StringInterner.Unescape(t, quotes: true) : Encoding.UTF8.GetString(t);
    }

    public override Entry Next()
    {
        ResetEntry();
        EntryStart = Pos;
        if (Pos >= Len) Fail(Pos, "data does not end with # EOF");
        byte c = B[Pos];
        if (c == '#') return HashLine();
        if (IsMetricStart(c) || c == '{') return Series();
        if (c == '\n') Fail(Pos, "blank lines are not allowed in OpenMetrics");
        Fail(Pos, $"expected a metric name, '{{' or '#' at the start of a line, got {Near(Pos)}");
        return Entry.Invalid;
    }

    private bool Starts(ReadOnlySpan<byte> word) => B.AsSpan(Pos, Len - Pos).StartsWith(word);

    private Entry HashLine()
    {
        if (Pos + 1 >= Len || B[Pos + 1] != ' ') Fail(Pos, "expected \"# \" followed by HELP, TYPE, UNIT or EOF (OpenMetrics has no other comments)");
        Pos += 2;
        if (Starts("EOF"u8))
        {
            Pos += 3;
            if (Pos < Len && B[Pos] == '\n') Pos++;
            if (Pos < Len) Fail(Pos, "unexpected data after # EOF");
            return Entry.Eof;
        }
        Entry kind;
        string what;
        if (Starts("HELP "u8)) { kind = Entry.Help; what = "HELP"; }
        else if (Starts("TYPE "u8)) { kind = Entry.Type; what = "TYPE"; }
        else if (Starts("UNIT "u8)) { kind = Entry.Unit; what = "UNIT"; }
        else
        {
            Fail(Pos, $"expected HELP, TYPE, UNIT or EOF after \"# \", got {Near(Pos)}");
            return Entry.Invalid;
        }
        Pos += 5;
        if (Pos < Len && B[Pos] == '"')
        {
            int end = ScanQuoted(false, "metric name");
            NameStart = Pos + 1;
            NameEnd = end - 1;
            NameQuoted = true;
            Pos = end;
        }
        else
        {
            int e = Pos;
            if (e < Len && IsMetricStart(B[e])) e++;
            while (e < Len && IsMetricChar(B[e])) e++;
            if (e == Pos) Fail(Pos, $"expected metric name after {what}, got {Near(Pos)}");
            NameStart = Pos;
            NameEnd = e;
            Pos = e;
        }
        if (Pos >= Len || B[Pos] != ' ') Fail(Pos, $"expected a space and text after the metric name in {what}, got {Near(Pos)}");
        int nl = IndexOfNewline(Pos);
        if (nl < 0) Fail(Len, "data does not end with # EOF");
        TextStart = Pos + 1;
        TextEnd = nl;
        Pos = nl + 1;
        _familyStart = NameStart;
        _familyEnd = NameEnd;
        _familyQuoted = NameQuoted;
        var t = RawText;
        switch (kind)
        {
            case Entry.Type:
                if (t.SequenceEqual("counter"u8)) MType = MetricType.Counter;
                else if (t.SequenceEqual("gauge"u8)) MType = MetricType.Gauge;
                else if (t.SequenceEqual("histogram"u8)) MType = MetricType.Histogram;
                else if (t.SequenceEqual("gaugehistogram"u8)) MType = MetricType.GaugeHistogram;
                else if (t.SequenceEqual("summary"u8)) MType = MetricType.Summary;
                else if (t.SequenceEqual("info"u8)) MType = MetricType.Info;
                else if (t.SequenceEqual("stateset"u8)) MType = MetricType.StateSet;
                else if (t.SequenceEqual("unknown"u8)) MType = MetricType.Unknown;
                else Fail(TextStart, $"invalid metric type \"{Encoding.UTF8.GetString(t)}\" (expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown)");
                break;
            case Entry.Help:
                CheckUtf8(TextStart, TextEnd, "help text");
                break;
            case Entry.Unit:
                var m = FamilyNameBytes;
                if (t.Length > 0 && !(m.Length > t.Length && m.EndsWith(t) && m[m.Length - t.Length - 1] == '_'))
                    Fail(TextStart, $"unit \"{Encoding.UTF8.GetString(t)}\" is not a suffix of metric \"{Encoding.UTF8.GetString(m)}\" (the name must end in \"_{Encoding.UTF8.GetString(t)}\")");
                break;
        }
        return kind;
    }

    private Entry Series()
    {
        SeriesStart = Pos;
        if (B[Pos] != '{')
        {
            int e = Pos + 1;
            while (e < Len && IsMetricChar(B[e])) e++;
            NameStart = Pos;
            NameEnd = e;
            Pos = e;
        }
        if (Pos < Len && B[Pos] == '{') LabelSet(exemplar: false);
        SeriesEnd = Pos;
        if (NameStart < 0) Fail(SeriesStart, "metric name not set: a label set without a metric name needs a quoted name inside the braces");
        Val = ValueToken("value after metric");
        if (Pos >= Len) Fail(Pos, "data does not end with # EOF");
        if (B[Pos] == '\n')
        {
            Pos++;
            return Entry.Series;
        }
        // B[Pos] is a space here.
        if (IsExemplarStart())
        {
            ExemplarPart();
            return Entry.Series;
        }
        HasTs = true;
        Ts = TimestampToken("timestamp");
        if (Pos >= Len) Fail(Pos, "data does not end with # EOF");
        if (B[Pos] == '\n')
        {
            Pos++;
            return Entry.Series;
        }
        if (IsExemplarStart())
        {
            ExemplarPart();
            return Entry.Series;
        }
        Fail(Pos, $"expected line feed or exemplar after timestamp, got {Near(Pos)}");
        return Entry.Invalid;
    }

    private bool IsExemplarStart() =>
        Pos + 3 < Len && B[Pos] == ' ' && B[Pos + 1] == '#' && B[Pos + 2] == ' ' && B[Pos + 3] == '{';

    /// <summary>Reads " token" where token is [^ \n]+ and parses it as a float; Pos ends after the token.</summary>
    private double ValueToken(string what)
    {
        if (Pos >= Len || B[Pos] != ' ') Fail(Pos, $"expected a single space and a {what}, got {Near(Pos)}");
        int s = ++Pos;
        while (Pos < Len && B[Pos] != ' ' && B[Pos] != '\n') Pos++;
        if (Pos == s) Fail(s, $"expected a {what}, got {Near(s)}");
        return ParseValue(s, Pos, "value");
    }

    private long TimestampToken(string what)
    {
        if (Pos >= Len || B[Pos] != ' ') Fail(Pos, $"expected a single space and a {what}, got {Near(Pos)}");
        int s = ++Pos;
        while (Pos < Len && B[Pos] != ' ' && B[Pos] != '\n') Pos++;
        if (Pos == s) Fail(s, $"expected a {what}, got {Near(s)}");
        if (!GoFloat.TryParse(B.AsSpan(s, Pos - s), out var f)) Fail(s, $"{what} {Near(s)} is not a valid number (seconds since the epoch)");
        if (double.IsNaN(f) || double.IsInfinity(f)) Fail(s, $"invalid {what} {Near(s)}: must be a finite number");
        return SecondsToMs(f);
    }

    private static long SecondsToMs(double seconds)
    {
        double ms = seconds * 1000;
        if (ms >= long.MaxValue) return long.MaxValue;
        if (ms <= long.MinValue) return long.MinValue;
        return (long)ms;
    }

    private void ExemplarPart()
    {
        Pos += 3; // " # " — now on '{'
        int exStart = Pos;
        LabelSet(exemplar: true);
        if (_strict)
        {
            int runes = 0;
            for (int i = 0; i < ExLabCount; i++)
            {
                int o = 5 * i;
                runes += RuneCount(ExLab[o], ExLab[o + 1]) + RuneCount(ExLab[o + 2], ExLab[o + 3]);
            }
            if (runes > 128) Fail(exStart, $"exemplar label set has {runes} code points; at most 128 are allowed");
        }
        HasExemplarFlag = true;
        ExVal = ValueToken("exemplar value");
        ExHasTs = false;
        if (Pos >= Len) Fail(Pos, "data does not end with # EOF");
        if (B[Pos] != '\n')
        {
            ExHasTs = true;
            ExTs = TimestampToken("exemplar timestamp");
            if (Pos >= Len) Fail(Pos, "data does not end with # EOF");
            if (B[Pos] != '\n') Fail(Pos, $"expected line feed after exemplar timestamp, got {Near(Pos)}");
        }
        Pos++;
    }

    private int RuneCount(int s, int e)
    {
        // Escapes count as what they stand for.
        var raw = B.AsSpan(s, e - s);
        int n = Encoding.UTF8.GetCharCount(raw);
        int surrogatePairs = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if ((raw[i] & 0xF8) == 0xF0) surrogatePairs++;
            if (raw[i] == '\\' && i + 1 < raw.Length) { n--; i++; }
        }
        return n - surrogatePairs;
    }

    private void LabelSet(bool exemplar)
    {
        string what = exemplar ? "exemplar label set" : "label set";
        Pos++;
        bool afterComma = false;
        while (true)
        {
            if (Pos >= Len) Fail(Pos, $"unexpected end of input in {what}");
            byte c = B[Pos];
            if (c == '}')
            {
                if (afterComma && _strict) Fail(Pos - 1, $"trailing comma in {what}");
                Pos++;
                return;
            }
            int ns, ne;
            bool quoted = false;
            if (c == '"')
            {
                int end = ScanQuoted(false, "label name");
                ns = Pos + 1;
                ne = end - 1;
                quoted = true;
                Pos = end;
                if (Pos < Len && (B[Pos] == ',' || B[Pos] == '}'))
                {
                    if (exemplar) Fail(ns - 1, "expected label name in exemplar, got a quoted name without a value");
                    if (NameStart >= 0) Fail(ns - 1, "metric name already set: a quoted name without a value in braces is the metric name");
                    NameStart = ns;
                    NameEnd = ne;
                    NameQuoted = true;
                    afterComma = B[Pos] == ',';
                    if (afterComma) Pos++;
                    continue;
                }
            }
            else if (IsLabelStart(c))
            {
                ns = Pos;
                Pos++;
                while (Pos < Len && IsLabelChar(B[Pos])) Pos++;
                ne = Pos;
            }
            else
            {
                Fail(Pos, $"expected label name, got {Near(Pos)}");
                return;
            }
            if (Pos >= Len || B[Pos] != '=') Fail(Pos, $"expected '=' after label name, got {Near(Pos)}");
            Pos++;
            if (Pos >= Len || B[Pos] != '"') Fail(Pos, $"expected label value (a double-quoted string), got {Near(Pos)}");
            int vend = ScanQuoted(false, "label value");
            if (!Utf8.IsValid(B.AsSpan(Pos + 1, vend - Pos - 2))) Fail(Pos, "label value is not valid UTF-8");
            if (exemplar) AddExemplarLabel(ns, ne, Pos + 1, vend - 1, quoted);
            else AddLabel(ns, ne, Pos + 1, vend - 1, quoted);
            Pos = vend;
            if (Pos < Len && B[Pos] == ',')
            {
                Pos++;
                afterComma = true;
            }
            else if (Pos < Len && B[Pos] == '}') afterComma = false;
            else Fail(Pos, $"expected ',' or '}}' after label value, got {Near(Pos)}");
        }
    }

    /// <summary>
    /// The created timestamp of the current counter, summary or histogram series: the value of the family's
    /// <c>_created</c> sample with the same labels (ignoring <c>le</c> and <c>quantile</c>), found by looking ahead
    /// within the family, in milliseconds. Null when the type has none or none is found.
    /// </summary>
    public override long? CreatedTimestamp()
    {
        if (MType is not (MetricType.Counter or MetricType.Summary or MetricType.Histogram) || _familyStart < 0) return null;
        ulong key = SeriesKey(this);
        if (_ctValid && key == _ctKey) return _ct;
        var family = B.AsSpan(_familyStart, _familyEnd - _familyStart);
        var peek = new OpenMetricsParser(B, Len, Strings)
        {
            Pos = Pos,
            MType = MType,
            _familyStart = _familyStart,
            _familyEnd = _familyEnd,
            _familyQuoted = _familyQuoted,
        };
        try
        {
            while (peek.Next() == Entry.Series)
            {
                var name = peek.MetricNameBytes;
                if (name.Length < 8 || !name.EndsWith("_created"u8)) continue;
                if (!name[..^8].SequenceEqual(family) || SeriesKey(peek) != key) return null;
                _ct = SecondsToMs(peek.Val);
                _ctKey = key;
                _ctValid = true;
                return _ct;
            }
        }
        catch (ExpositionParseException)
        {
        }
        return null;
    }

    private static ulong SeriesKey(OpenMetricsParser p)
    {
        ulong h = 14695981039346656037UL;
        for (int i = 0; i < p.LabCount; i++)
        {
            var n = p.LabelNameBytes(i);
            if (p.MType == MetricType.Summary && n.SequenceEqual("quantile"u8)) continue;
            if (p.MType == MetricType.Histogram && n.SequenceEqual("le"u8)) continue;
            foreach (var b in n) h = (h ^ b) * 1099511628211UL;
            h = (h ^ 0xff) * 1099511628211UL;
            foreach (var b in p.LabelValueBytes(i)) h = (h ^ b) * 1099511628211UL;
            h = (h ^ 0xfe) * 1099511628211UL;
        }
        return h;
    }
}
