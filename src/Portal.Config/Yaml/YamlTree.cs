using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Config.Yaml;

/// <summary>A node of a parsed YAML document with the place it starts at. Immutable after parsing.</summary>
internal abstract class YNode
{
    public SourcePosition Start { get; init; }
    public string? Tag { get; init; }
    public abstract string KindName { get; }
}

internal sealed class YScalar : YNode
{
    public required string Value { get; init; }
    public ScalarStyle Style { get; init; }
    public override string KindName => "scalar";

    public bool IsPlain => Style == ScalarStyle.Plain;

    /// <summary>True for an untagged plain <c>~</c>, <c>null</c> or empty value.</summary>
    public bool IsNull => Tag is null && Style == ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL"
        || Tag is "tag:yaml.org,2002:null" or "!!null";
}

internal sealed class YSequence : YNode
{
    public List<YNode> Items { get; } = new();
    public override string KindName => "sequence";
}

internal sealed class YMapping : YNode
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = new();
    public override string KindName => "mapping";
}

/// <summary>A parsed YAML source: the first document's root (null when the source is empty) and the raw lines.</summary>
internal sealed class YDocument
{
    public YNode? Root { get; init; }
    public required string[] Lines { get; init; }
    public int DocumentCount { get; init; }

    /// <summary>
    /// Maps a character offset inside a scalar's value to a source position. Exact for plain and quoted scalars
    /// on one line and for literal block scalars; otherwise the scalar's start.
    /// </summary>
    public SourcePosition PositionInScalar(YScalar s, int offset)
    {
        if (offset < 0) offset = 0;
        switch (s.Style)
        {
            case ScalarStyle.Plain:
                if (!s.Value.Contains('\n')) return new(s.Start.Line, s.Start.Column + offset);
                break;
            case ScalarStyle.SingleQuoted:
            case ScalarStyle.DoubleQuoted:
                if (!s.Value.Contains('\n') && s.Value.IndexOf('\'') < 0 && s.Value.IndexOf('\\') < 0)
                    return new(s.Start.Line, s.Start.Column + 1 + offset);
                break;
            case ScalarStyle.Literal:
            case ScalarStyle.Folded:
            {
                // Content starts on the line after the header; its indentation is that of the first non-blank line.
                int lineIdx = s.Start.Line; // 0-based index of the line after the header
                int indent = -1;
                for (int i = lineIdx; i < Lines.Length; i++)
                {
                    var l = Lines[i];
                    if (l.Trim().Length == 0) continue;
                    indent = l.Length - l.TrimStart(' ').Length;
                    break;
                }
                if (indent < 0) break;
                int line = 0, col = 0;
                var v = s.Value;
                for (int i = 0; i < offset && i < v.Length; i++)
                {
                    if (v[i] == '\n') { line++; col = 0; }
                    else col++;
                }
                if (s.Style == ScalarStyle.Literal || line == 0)
                    return new(s.Start.Line + 1 + line, indent + 1 + col);
                break;
            }
        }
        return s.Start;
    }
}

/// <summary>Builds <see cref="YNode"/> trees from YamlDotNet's event parser, keeping positions, resolving aliases and merge keys.</summary>
internal static class YamlTreeBuilder
{
    /// <summary>Parses <paramref name="text"/>. Throws <see cref="YamlSyntaxException"/> with the position on malformed YAML.</summary>
    public static YDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        YNode? root = null;
        int docs = 0;
        try
        {
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                docs++;
                var node = ReadNode(parser, anchors);
                parser.Consume<DocumentEnd>();
                if (docs == 1) root = node;
            }
            parser.Consume<StreamEnd>();
        }
        catch (YamlException e)
        {
            var pos = new SourcePosition((int)e.Start.Line, (int)e.Start.Column);
            var line = pos.Line >= 1 && pos.Line <= lines.Length ? lines[pos.Line - 1] : "";
            throw new YamlSyntaxException(pos, CleanMessage(e) + Hint(e.Message, line));
        }
        if (root is YScalar sc && sc.IsNull) root = null;
        return new YDocument { Root = root, Lines = lines, DocumentCount = docs };
    }

    /// <summary>Words a user can act on for the common YAML mistakes.</summary>
    private static string Hint(string message, string line)
    {
        var t = line.Trim();
        if (t is "[...]" or "..." or "[…]" or "…")
            return " (this looks like an elision from documentation; remove the line)";
        if (message.Contains("quoted scalar", StringComparison.Ordinal) && message.Contains("end of stream", StringComparison.Ordinal))
            return " (a quoted string starts here and is never closed; is this quote a stray one?)";
        if (message.Contains("did not find expected key", StringComparison.Ordinal))
            return " (expected a \"key: value\" line here; check the indentation)";
        if (message.Contains("mapping values are not allowed", StringComparison.Ordinal) || message.Contains("Mapping values are not allowed", StringComparison.Ordinal))
            return " (a \"key: value\" appears where a plain value was expected; check the indentation or quote the value)";
        if (t.Contains('\t'))
            return " (YAML does not allow tabs for indentation)";
        return "";
    }

    private static string CleanMessage(YamlException e)
    {
        var m = e.Message;
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 3) - (Line: ...): ".
        int i = m.IndexOf("): ", StringComparison.Ordinal);
        if (m.StartsWith('(') && i > 0) m = m[(i + 3)..];
        if (e.InnerException is not null && m.Contains("Exception during deserialization", StringComparison.Ordinal))
            m = e.InnerException.Message;
        return "YAML syntax error: " + m;
    }

    private static SourcePosition Pos(Mark m) => new((int)m.Line, (int)m.Column);

    private static string? NormTag(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;

    private static YNode ReadNode(IParser parser, Dictionary<string, YNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlSyntaxException(Pos(alias.Start), $"YAML syntax error: unknown anchor '{alias.Value.Value}' referenced");
            return target;
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YScalar { Start = Pos(scalar.Start), Tag = NormTag(scalar.Tag), Value = scalar.Value, Style = scalar.Style };
            if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = node;
            return node;
        }
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var seq = new YSequence { Start = Pos(seqStart.Start), Tag = NormTag(seqStart.Tag) };
            if (!seqStart.Anchor.IsEmpty) anchors[seqStart.Anchor.Value] = seq;
            while (!parser.TryConsume<SequenceEnd>(out _))
                seq.Items.Add(ReadNode(parser, anchors));
            return seq;
        }
        if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            var map = new YMapping { Start = Pos(mapStart.Start), Tag = NormTag(mapStart.Tag) };
            if (!mapStart.Anchor.IsEmpty) anchors[mapStart.Anchor.Value] = map;
            var merged = new List<KeyValuePair<YScalar, YNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors);
                var value = ReadNode(parser, anchors);
                if (key is not YScalar keyScalar)
                    throw new YamlSyntaxException(key.Start, "YAML syntax error: mapping keys must be plain values, not a " + key.KindName);
                if (keyScalar.IsPlain && keyScalar.Value == "<<" && keyScalar.Tag is null)
                {
                    if (value is YMapping vm) merged.AddRange(vm.Entries);
                    else if (value is YSequence vs)
                    {
                        foreach (var item in vs.Items)
                            if (item is YMapping im) merged.AddRange(im.Entries);
                    }
                    continue;
                }
                map.Entries.Add(new(keyScalar, value));
            }
            foreach (var kv in merged)
            {
                bool present = false;
                foreach (var e in map.Entries)
                    if (e.Key.Value == kv.Key.Value) { present = true; break; }
                if (!present) map.Entries.Add(kv);
            }
            return map;
        }
        var ev = parser.Current;
        throw new YamlSyntaxException(ev is null ? default : Pos(ev.Start), "YAML syntax error: unexpected " + ev?.GetType().Name);
    }
}

/// <summary>Malformed YAML, with the position the parser stopped at.</summary>
internal sealed class YamlSyntaxException(SourcePosition position, string message) : Exception(message)
{
    public SourcePosition Position { get; } = position;
}
