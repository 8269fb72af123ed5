using System.Globalization;
using System.Text;

namespace Portal.Alerting.Receivers;

/// <summary>
/// A small JSON writer producing exactly what Go's encoding/json produces: HTML-safe string escaping
/// (<c>&lt; &gt; &amp;</c> as <c>\u003c</c> …, U+2028/U+2029 escaped, other non-ASCII literal), map keys sorted,
/// no spaces. Not thread-safe.
/// </summary>
public sealed class GoJson
{
    private readonly StringBuilder _sb = new();
    private readonly Stack<bool> _first = new();

    public GoJson BeginObject() { Sep(); _sb.Append('{'); _first.Push(true); return this; }
    public GoJson EndObject() { _sb.Append('}'); _first.Pop(); return this; }
    public GoJson BeginArray() { Sep(); _sb.Append('['); _first.Push(true); return this; }
    public GoJson EndArray() { _sb.Append(']'); _first.Pop(); return this; }

    /// <summary>Writes a key; the next call writes its value.</summary>
    public GoJson Key(string k)
    {
        Sep();
        Quote(_sb, k);
        _sb.Append(':');
        _pendingValue = true;
        return this;
    }

    private bool _pendingValue;

    public GoJson String(string s) { Sep(); Quote(_sb, s); return this; }
    public GoJson Bool(bool b) { Sep(); _sb.Append(b ? "true" : "false"); return this; }
    public GoJson Number(long n) { Sep(); _sb.Append(n.ToString(CultureInfo.InvariantCulture)); return this; }
    public GoJson Null() { Sep(); _sb.Append("null"); return this; }

    /// <summary>Writes a string map with sorted keys (Go's map encoding).</summary>
    public GoJson Map(IEnumerable<KeyValuePair<string, string>> map)
    {
        var list = new List<KeyValuePair<string, string>>(map);
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        BeginObject();
        foreach (var (k, v) in list) Key(k).String(v);
        return EndObject();
    }

    public GoJson Prop(string k, string v) => Key(k).String(v);
    public GoJson Prop(string k, bool v) => Key(k).Bool(v);
    public GoJson Prop(string k, long v) => Key(k).Number(v);

    /// <summary>Writes the property unless <paramref name="v"/> is empty (Go's <c>omitempty</c>).</summary>
    public GoJson PropOmitEmpty(string k, string? v) => string.IsNullOrEmpty(v) ? this : Key(k).String(v);

    private void Sep()
    {
        if (_pendingValue) { _pendingValue = false; return; }
        if (_first.Count == 0) return;
        if (_first.Peek()) { _first.Pop(); _first.Push(false); }
        else _sb.Append(',');
    }

    /// <summary>The document followed by a newline, as Go's <c>json.Encoder.Encode</c> writes it.</summary>
    public string ToEncoderOutput() => _sb.ToString() + "\n";

    public override string ToString() => _sb.ToString();

    public static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<': sb.Append("\\u003c"); break;
                case '>': sb.Append("\\u003e"); break;
                case '&': sb.Append("\\u0026"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                default:
                    if (c < 0x20) sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else if (char.IsSurrogate(c))
                    {
                        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(c).Append(s[i + 1]); i++; }
                        else sb.Append("\\ufffd");
                    }
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
