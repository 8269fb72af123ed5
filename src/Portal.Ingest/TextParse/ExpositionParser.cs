using System.Text;
using System.Text.Unicode;
using Portal.Model;

namespace Portal.Ingest.TextParse;

/// <summary>
/// A pull parser over an exposition payload held in a byte array (no copy is made). Call <see cref="Next"/> until
/// it returns <see cref="Entry.Eof"/>; after each entry, the accessors for that kind of entry describe it. Spans
/// returned point into the payload and are valid until the next call to <see cref="Next"/>. Malformed input
/// throws <see cref="ExpositionParseException"/> with the line and column. Not thread-safe.
/// </summary>
public abstract class ExpositionParser
{
    private protected readonly byte[] B;
    private protected readonly int Len;
    private protected int Pos;
    private protected readonly StringInterner Strings;

    // Current entry.
    private protected int EntryStart;
    private protected int NameStart, NameEnd;
    private protected bool NameQuoted;
    private protected int TextStart, TextEnd;
    private protected int SeriesStart, SeriesEnd;
    private protected MetricType MType;
    private protected double Val;
    private protected bool HasTs;
    private protected long Ts;

    // Label offsets: nameStart, nameEnd, valueStart, valueEnd, nameQuoted (0/1) per label.
    private protected int[] Lab = new int[5 * 16];
    private protected int LabCount;

    // Exemplar of the current sample (OpenMetrics).
    private protected bool HasExemplarFlag;
    private protected int[] ExLab = new int[5 * 4];
    private protected int ExLabCount;
    private protected double ExVal;
    private protected bool ExHasTs;
    private protected long ExTs;

    private protected ExpositionParser(byte[] data, int length, StringInterner? strings)
    {
        ArgumentNullException.ThrowIfNull(data);
        if ((uint)length > (uint)data.Length) throw new ArgumentOutOfRangeException(nameof(length));
        B = data;
        Len = length;
        Strings = strings ?? new StringInterner();
    }

    /// <summary>Advances to the next entry. Throws <see cref="ExpositionParseException"/> on malformed input.</summary>
    public abstract Entry Next();

    /// <summary>The metric type from the last TYPE line (Prometheus keeps it until the next TYPE line).</summary>
    public MetricType CurrentType => MType;

    /// <summary>For Help, Type and Unit entries: the metric family name as written (quotes stripped, escapes kept).</summary>
    public ReadOnlySpan<byte> FamilyNameBytes => B.AsSpan(NameStart, NameEnd - NameStart);

    /// <summary>For Help, Type and Unit entries: the family name as a string.</summary>
    public string FamilyName => Strings.Get(FamilyNameBytes, NameQuoted);

    /// <summary>For Help, Type, Unit and Comment entries: the raw text (escapes unresolved).</summary>
    public ReadOnlySpan<byte> RawText => B.AsSpan(TextStart, TextEnd - TextStart);

    /// <summary>For Help entries: the help text with escapes resolved.</summary>
    public abstract string HelpText();

    /// <summary>For Unit entries: the unit.</summary>
    public string UnitText => Encoding.UTF8.GetString(RawText);

    /// <summary>For Comment entries: the comment line (including the leading <c>#</c>).</summary>
    public string CommentText => Encoding.UTF8.GetString(RawText);

    /// <summary>For Series entries: the bytes of the metric name and labels as written (the series' identity in this payload).</summary>
    public ReadOnlySpan<byte> SeriesBytes => B.AsSpan(SeriesStart, SeriesEnd - SeriesStart);

    /// <summary>For Series entries: the metric name as written (quotes stripped, escapes kept).</summary>
    public ReadOnlySpan<byte> MetricNameBytes => B.AsSpan(NameStart, NameEnd - NameStart);

    /// <summary>For Series entries: the sample value (NaNs other than the stale marker are Prometheus's canonical NaN).</summary>
    public double Value => Val;

    /// <summary>For Series entries: whether the sample carries a timestamp, and the timestamp in milliseconds.</summary>
    public bool HasTimestamp => HasTs;

    public long Timestamp => Ts;

    /// <summary>For Series entries: the number of labels besides the metric name.</summary>
    public int LabelCount => LabCount;

    /// <summary>The 1-based line of the start of the current entry.</summary>
    public int Line => LineCol(EntryStart).Line;

    /// <summary>The label name bytes of label <paramref name="i"/> (escapes unresolved if quoted).</summary>
    public ReadOnlySpan<byte> LabelNameBytes(int i) => B.AsSpan(Lab[5 * i], Lab[5 * i + 1] - Lab[5 * i]);

    /// <summary>The raw value bytes of label <paramref name="i"/> (escapes unresolved).</summary>
    public ReadOnlySpan<byte> LabelValueBytes(int i) => B.AsSpan(Lab[5 * i + 2], Lab[5 * i + 3] - Lab[5 * i + 2]);

    /// <summary>Decoded name of label <paramref name="i"/>.</summary>
    public string LabelName(int i) => Strings.Get(LabelNameBytes(i), Lab[5 * i + 4] != 0);

    /// <summary>Decoded value of label <paramref name="i"/>, normalized as <see cref="Labels(LabelsBuilder)"/> does.</summary>
    public string LabelValue(int i) => NormalizeLe(LabelNameBytes(i), LabelValueBytes(i), Strings.Get(LabelValueBytes(i), true));

    /// <summary>Decoded value of label <paramref name="i"/> exactly as written (escapes resolved, no normalization).</summary>
    public string LabelValueAsWritten(int i) => Strings.Get(LabelValueBytes(i), true);

    /// <summary>Decoded metric name of the current series.</summary>
    public string MetricName => Strings.Get(MetricNameBytes, NameQuoted);

    /// <summary>
    /// Writes the current series' labels (with <c>__name__</c>) into <paramref name="builder"/> after resetting it.
    /// Label values of <c>le</c> (histograms) and <c>quantile</c> (summaries) are normalized to OpenMetrics' float
    /// form, as Prometheus 3 does. Strings come from the parser's <see cref="StringInterner"/>.
    /// </summary>
    public void Labels(LabelsBuilder builder)
    {
        builder.Reset(Model.Labels.Empty);
        builder.Set(Model.Labels.MetricName, MetricName);
        for (int i = 0; i < LabCount; i++) builder.Set(LabelName(i), LabelValue(i));
    }

    /// <summary>The current series' labels as a new <see cref="Model.Labels"/>.</summary>
    public Labels Labels()
    {
        var b = new LabelsBuilder();
        Labels(b);
        return b.Build();
    }

    /// <summary>True when two labels of the current series have the same name (Prometheus refuses such samples).</summary>
    public bool HasDuplicateLabelNames(out string duplicate)
    {
        for (int i = 0; i < LabCount; i++)
        {
            var a = LabelNameBytes(i);
            if (a.SequenceEqual("__name__"u8)) { duplicate = "__name__"; return true; }
            for (int j = i + 1; j < LabCount; j++)
                if (a.SequenceEqual(LabelNameBytes(j))) { duplicate = LabelName(i); return true; }
        }
        duplicate = "";
        return false;
    }

    /// <summary>True when the current sample has an exemplar.</summary>
    public bool HasExemplar => HasExemplarFlag;

    /// <summary>The current sample's exemplar, if any.</summary>
    public bool TryGetExemplar(out Exemplar exemplar)
    {
        if (!HasExemplarFlag)
        {
            exemplar = default;
            return false;
        }
        var b = new LabelsBuilder();
        for (int i = 0; i < ExLabCount; i++)
        {
            int o = 5 * i;
            b.Set(Strings.Get(B.AsSpan(ExLab[o], ExLab[o + 1] - ExLab[o]), ExLab[o + 4] != 0),
                Strings.Get(B.AsSpan(ExLab[o + 2], ExLab[o + 3] - ExLab[o + 2]), true));
        }
        exemplar = new Exemplar(b.Build(), ExVal, ExHasTs, ExTs);
        return true;
    }

    /// <summary>The created timestamp (milliseconds) of the current series, when the format carries one.</summary>
    public virtual long? CreatedTimestamp() => null;

    private Dictionary<string, string>? _normalized;

    private string NormalizeLe(ReadOnlySpan<byte> name, ReadOnlySpan<byte> raw, string value)
    {
        bool le = MType == MetricType.Histogram && name.SequenceEqual("le"u8);
        bool q = MType == MetricType.Summary && name.SequenceEqual("quantile"u8);
        if (!le && !q) return value;
        _normalized ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (_normalized.TryGetValue(value, out var cached)) return cached;
        var result = value;
        if (GoFloat.TryParse(raw, out var f))
        {
            var s = GoFloat.FormatOpenMetrics(f);
            if (s != value) result = s;
        }
        if (_normalized.Count < 4096) _normalized[value] = result;
        return result;
    }

    private protected void ResetEntry()
    {
        LabCount = 0;
        HasExemplarFlag = false;
        ExLabCount = 0;
        HasTs = false;
        NameQuoted = false;
        NameStart = NameEnd = -1;
    }

    private protected void AddLabel(int ns, int ne, int vs, int ve, bool quoted)
    {
        if (5 * (LabCount + 1) > Lab.Length) Array.Resize(ref Lab, Lab.Length * 2);
        int o = 5 * LabCount++;
        Lab[o] = ns; Lab[o + 1] = ne; Lab[o + 2] = vs; Lab[o + 3] = ve; Lab[o + 4] = quoted ? 1 : 0;
    }

    private protected void AddExemplarLabel(int ns, int ne, int vs, int ve, bool quoted)
    {
        if (5 * (ExLabCount + 1) > ExLab.Length) Array.Resize(ref ExLab, ExLab.Length * 2);
        int o = 5 * ExLabCount++;
        ExLab[o] = ns; ExLab[o + 1] = ne; ExLab[o + 2] = vs; ExLab[o + 3] = ve; ExLab[o + 4] = quoted ? 1 : 0;
    }

    private protected static bool IsMetricStart(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_' || c == ':';
    private protected static bool IsMetricChar(byte c) => IsMetricStart(c) || (uint)(c - '0') <= 9;
    private protected static bool IsLabelStart(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_';
    private protected static bool IsLabelChar(byte c) => IsLabelStart(c) || (uint)(c - '0') <= 9;

    /// <summary>Scans a double-quoted string starting at <see cref="Pos"/> (on the opening quote); returns the end (after the closing quote).</summary>
    private protected int ScanQuoted(bool allowNewline, string what)
    {
        int start = Pos;
        int i = Pos + 1;
        while (true)
        {
            if (i >= Len) Fail(start, $"unterminated {what}: missing closing '\"'");
            byte c = B[i];
            if (c == '"') return i + 1;
            if (c == '\\')
            {
                if (i + 1 >= Len) Fail(start, $"unterminated {what}: missing closing '\"'");
                if (B[i + 1] == '\n' && !allowNewline) Fail(i + 1, $"line break inside {what}");
                i += 2;
                continue;
            }
            if (c == '\n' && !allowNewline) Fail(start, $"unterminated {what}: line ends before the closing '\"'");
            i++;
        }
    }

    private protected void CheckUtf8(int start, int end, string what)
    {
        if (!Utf8.IsValid(B.AsSpan(start, end - start))) Fail(start, $"{what} is not valid UTF-8");
    }

    private protected int IndexOfNewline(int from)
    {
        int i = B.AsSpan(from, Len - from).IndexOf((byte)'\n');
        return i < 0 ? -1 : from + i;
    }

    /// <summary>A printable description of the token at <paramref name="at"/> for error messages.</summary>
    private protected string Near(int at)
    {
        if (at >= Len) return "end of input";
        int e = at;
        while (e < Len && e - at < 24 && B[e] != '\n') e++;
        if (e == at) return "end of line";
        return "\"" + Encoding.UTF8.GetString(B, at, e - at) + "\"";
    }

    private protected (int Line, int Column) LineCol(int at)
    {
        if (at > Len) at = Len;
        int line = 1, lineStart = 0;
        var span = B.AsSpan(0, at);
        int idx;
        int off = 0;
        while ((idx = span[off..].IndexOf((byte)'\n')) >= 0)
        {
            line++;
            off += idx + 1;
            lineStart = off;
        }
        int col = Encoding.UTF8.GetCharCount(B, lineStart, at - lineStart) + 1;
        return (line, col);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private protected void Fail(int at, string reason)
    {
        var (l, c) = LineCol(at);
        throw new ExpositionParseException(l, c, reason);
    }

    /// <summary>Parses a float value token; the canonical NaN replaces other NaNs.</summary>
    private protected double ParseValue(int start, int end, string what)
    {
        if (!GoFloat.TryParse(B.AsSpan(start, end - start), out var v))
            Fail(start, $"{what} {Near(start)} is not a valid number");
        if (double.IsNaN(v)) v = BitConverter.UInt64BitsToDouble(SampleValue.NormalNaNBits);
        return v;
    }
}
