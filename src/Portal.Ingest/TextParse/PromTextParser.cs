using System.Buffers.Text;
using System.Text;

namespace Portal.Ingest.TextParse;

/// <summary>
/// The Prometheus text format 0.0.4 (with Prometheus 3's quoted UTF-8 names). Semantics follow Prometheus's
/// <c>promparse</c>: blank lines and free-form comments are allowed, spaces and tabs separate tokens, a trailing
/// comma in a label set is allowed, timestamps are integer milliseconds, and every line (the last included) must
/// end with a line feed. Not thread-safe.
/// </summary>
public sealed class PromTextParser : ExpositionParser
{
    public PromTextParser(byte[] data, int length, StringInterner? strings = null) : base(data, length, strings) { }

    public PromTextParser(byte[] data) : this(data, data.Length) { }

    public override string HelpText()
    {
        var t = RawText;
        return t.IndexOf((byte)'\\') >= 0 ? StringInterner.Unescape(t, quotes: false) : Encoding.UTF8.GetString(t);
    }

    public override Entry Next()
    {
        while (true)
        {
            ResetEntry();
            SkipWs();
            if (Pos >= Len) return Entry.Eof;
            EntryStart = Pos;
            byte c = B[Pos];
            if (c == '\n')
            {
                Pos++;
                continue;
            }
            if (c == 0) return Entry.Eof;
            if (c == '#') return HashLine();
            if (IsMetricStart(c) || c == '{') return Series();
            Fail(Pos, $"{Near(Pos)} is not a valid start of a line: expected a metric name, '{{', '#' or a blank line");
        }
    }

    private void SkipWs()
    {
        while (Pos < Len && (B[Pos] == ' ' || B[Pos] == '\t')) Pos++;
    }

    private Entry HashLine()
    {
        Pos++;
        if (Pos < Len && (B[Pos] == ' ' || B[Pos] == '\t'))
        {
            SkipWs();
            bool help = Starts("HELP"u8), type = !help && Starts("TYPE"u8);
            if ((help || type) && Pos + 4 < Len && (B[Pos + 4] == ' ' || B[Pos + 4] == '\t'))
            {
                Pos += 4;
                SkipWs();
                return Metadata(help ? Entry.Help : Entry.Type);
            }
        }
        int nl = IndexOfNewline(EntryStart);
        // Like Prometheus, a comment running into the end of the input ends the input.
        if (nl < 0) return Entry.Eof;
        TextStart = EntryStart;
        TextEnd = nl;
        Pos = nl + 1;
        return Entry.Comment;
    }

    private bool Starts(ReadOnlySpan<byte> word) => B.AsSpan(Pos, Len - Pos).StartsWith(word);

    private Entry Metadata(Entry kind)
    {
        string what = kind == Entry.Help ? "HELP" : "TYPE";
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
        int nl = IndexOfNewline(Pos);
        if (nl < 0) Fail(Len, $"line break expected after {what} metadata (the last line must end with a line feed)");
        // Prometheus's lexer: a rest of only blanks is empty text; otherwise the first character (the separator) is dropped.
        bool blank = true;
        for (int i = Pos; i < nl; i++)
            if (B[i] != ' ' && B[i] != '\t') { blank = false; break; }
        TextStart = blank ? nl : Math.Min(Pos + 1, nl);
        TextEnd = nl;
        Pos = nl + 1;
        if (kind == Entry.Type)
        {
            var t = RawText;
            if (t.SequenceEqual("counter"u8)) MType = MetricType.Counter;
            else if (t.SequenceEqual("gauge"u8)) MType = MetricType.Gauge;
            else if (t.SequenceEqual("histogram"u8)) MType = MetricType.Histogram;
            else if (t.SequenceEqual("summary"u8)) MType = MetricType.Summary;
            else if (t.SequenceEqual("untyped"u8)) MType = MetricType.Unknown;
            else Fail(TextStart, $"invalid metric type \"{Encoding.UTF8.GetString(t)}\" (expected counter, gauge, histogram, summary or untyped)");
        }
        else CheckUtf8(TextStart, TextEnd, "help text");
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
            SeriesEnd = Pos;
            SkipWs();
        }
        if (Pos < Len && B[Pos] == '{')
        {
            LabelSet();
            SeriesEnd = Pos;
            SkipWs();
        }
        if (NameStart < 0) Fail(SeriesStart, "metric name not set: a label set without a metric name needs a quoted name inside the braces");
        int vs = Pos;
        while (Pos < Len && B[Pos] != ' ' && B[Pos] != '\t' && B[Pos] != '\n' && B[Pos] != '{') Pos++;
        if (Pos == vs) Fail(vs, $"expected value after metric, got {Near(vs)}");
        Val = ParseValue(vs, Pos, "value");
        SkipWs();
        if (Pos >= Len) Fail(Pos, "expected timestamp or new record, got end of input (the last line must end with a line feed)");
        if (B[Pos] == '\n')
        {
            Pos++;
            return Entry.Series;
        }
        int tsStart = Pos;
        while (Pos < Len && B[Pos] != ' ' && B[Pos] != '\t' && B[Pos] != '\n') Pos++;
        var tok = B.AsSpan(tsStart, Pos - tsStart);
        if (!(Utf8Parser.TryParse(tok, out long ts, out int used) && used == tok.Length && (tok[0] == '-' || (uint)(tok[0] - '0') <= 9)))
            Fail(tsStart, $"expected timestamp (integer milliseconds) or new record, got {Near(tsStart)}");
        HasTs = true;
        Ts = ts;
        SkipWs();
        if (Pos >= Len) Fail(Pos, "expected line feed after timestamp, got end of input (the last line must end with a line feed)");
        if (B[Pos] != '\n') Fail(Pos, $"expected line feed after timestamp, got {Near(Pos)}");
        Pos++;
        return Entry.Series;
    }

    private void LabelSet()
    {
        Pos++;
        while (true)
        {
            SkipWs();
            if (Pos >= Len) Fail(Pos, "unexpected end of input in label set");
            byte c = B[Pos];
            if (c == '}')
            {
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
                SkipWs();
                if (Pos < Len && (B[Pos] == ',' || B[Pos] == '}'))
                {
                    if (NameStart >= 0) Fail(ns - 1, "metric name already set: a quoted name without a value in braces is the metric name");
                    NameStart = ns;
                    NameEnd = ne;
                    NameQuoted = true;
                    if (B[Pos] == ',') Pos++;
                    continue;
                }
            }
            else if (IsLabelStart(c))
            {
                ns = Pos;
                Pos++;
                while (Pos < Len && IsLabelChar(B[Pos])) Pos++;
                ne = Pos;
                SkipWs();
            }
            else
            {
                Fail(Pos, $"expected label name, got {Near(Pos)}");
                return;
            }
            if (Pos >= Len || B[Pos] != '=') Fail(Pos, $"expected '=' after label name, got {Near(Pos)}");
            Pos++;
            SkipWs();
            if (Pos >= Len || B[Pos] != '"') Fail(Pos, $"expected label value (a double-quoted string), got {Near(Pos)}");
            int vend = ScanQuoted(true, "label value");
            CheckUtf8(Pos + 1, vend - 1, "label value");
            AddLabel(ns, ne, Pos + 1, vend - 1, quoted);
            Pos = vend;
            SkipWs();
            // Free trailing commas are allowed.
            if (Pos < Len && B[Pos] == ',') Pos++;
        }
    }
}
