using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Config;

/// <summary>
/// A configuration document's text with its secrets replaced by <see cref="Secret.Mask"/>, and the secret values
/// that were replaced (to take them out of messages about the same document). Immutable.
/// </summary>
public sealed record MaskedText(string Text, IReadOnlyList<string> Secrets)
{
    /// <summary>
    /// <paramref name="message"/> with every replaced secret value (three characters or longer, so that short values do
    /// not mangle ordinary words) written as <see cref="Secret.Mask"/>.
    /// </summary>
    public string Redact(string? message)
    {
        if (string.IsNullOrEmpty(message)) return message ?? "";
        foreach (var s in Secrets.OrderByDescending(s => s.Length))
            if (s.Length >= 3) message = message.Replace(s, Secret.Mask, StringComparison.Ordinal);
        return message;
    }
}

/// <summary>
/// Masks secrets in the text of a configuration document while keeping everything else (comments, order, quoting,
/// layout) as written, for showing a stored document to someone who may not see its secrets. What is secret is
/// what the configuration model types as <see cref="Secret"/> — the same fields <see cref="ConfigSerializer"/> masks
/// in the status APIs: the YAML parser's events are walked along the model's types (<see cref="Binder.PropsOf"/>),
/// and every scalar standing where the model expects a <see cref="Secret"/> is replaced. Keys the model does not
/// know (a typo, free-form sections) fall back to the names of the model's secret fields anywhere, e.g.
/// <c>password</c> or <c>api_url</c>; text that is not YAML at all falls back to those names line by line.
/// Stateless; thread-safe.
/// </summary>
public static class SecretText
{
    /// <summary>Every YAML key the configuration model binds to a <see cref="Secret"/> (directly or in a list or map).</summary>
    public static IReadOnlySet<string> SecretKeyNames => LazyNames.Value;

    private static readonly Lazy<HashSet<string>> LazyNames = new(CollectSecretKeyNames);

    /// <summary>The text of a document whose root section is <typeparamref name="T"/> (e.g. <c>PrometheusConfig</c>) with its secrets masked.</summary>
    public static MaskedText Mask<T>(string yaml) where T : ConfigObject => Mask(typeof(T), yaml);

    /// <summary>The text of a document whose root section is <paramref name="rootType"/> with its secrets masked.</summary>
    public static MaskedText Mask(Type rootType, string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var walk = new Walk(yaml);
        bool complete;
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                walk.Node(parser, rootType, secret: false);
                parser.Consume<DocumentEnd>();
            }
            complete = true;
        }
        catch (YamlException)
        {
            complete = false;
        }
        var text = walk.Apply();
        if (!complete) text = MaskLines(text, walk.Values);
        return new MaskedText(text, walk.Values.Distinct(StringComparer.Ordinal).ToList());
    }

    private static readonly Regex KeyLine = new(@"^(?<lead>\s*(?:-\s+)?(?<q>[""']?)(?<key>[A-Za-z0-9_]+)\k<q>\s*:[ \t]*)(?<value>[^\s#].*?)?[ \t]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>For text that does not parse: every <c>key: value</c> line whose key is a secret field name gets its value masked.</summary>
    private static string MaskLines(string text, List<string> values) => KeyLine.Replace(text, m =>
    {
        var v = m.Groups["value"];
        if (!v.Success || !SecretKeyNames.Contains(m.Groups["key"].Value) || v.Value == Secret.Mask) return m.Value;
        values.Add(v.Value.Trim('"', '\''));
        return m.Groups["lead"].Value + Secret.Mask;
    });

    /// <summary>One pass over a document's events, collecting the spans to replace.</summary>
    private sealed class Walk(string yaml)
    {
        private readonly List<(int Start, int End, bool Block)> _spans = new();
        private readonly Dictionary<string, List<(int Start, int End, bool Block, string Value)>> _anchors = new(StringComparer.Ordinal);

        public List<string> Values { get; } = new();

        /// <summary>Consumes the node at the parser's position; <paramref name="type"/> is what the model expects there (null: unknown).</summary>
        public void Node(IParser parser, Type? type, bool secret)
        {
            secret |= type == typeof(Secret);
            var ev = parser.Consume<ParsingEvent>();
            switch (ev)
            {
                case Scalar s:
                {
                    var span = (ValueStart((int)s.Start.Index, (int)s.End.Index), (int)s.End.Index, s.Style is ScalarStyle.Literal or ScalarStyle.Folded, s.Value);
                    if (!s.Anchor.IsEmpty)
                    {
                        if (!_anchors.TryGetValue(s.Anchor.Value, out var list)) _anchors[s.Anchor.Value] = list = new();
                        list.Add(span);
                    }
                    if (secret) Add(span.Item1, span.Item2, span.Item3, s.Value);
                    break;
                }
                case AnchorAlias alias:
                    if (secret && _anchors.TryGetValue(alias.Value.Value, out var anchored))
                        foreach (var a in anchored) Add(a.Start, a.End, a.Block, a.Value);
                    break;
                case SequenceStart:
                {
                    var element = ElementType(type);
                    while (!parser.TryConsume<SequenceEnd>(out _)) Node(parser, element, secret);
                    break;
                }
                case MappingStart:
                    while (!parser.TryConsume<MappingEnd>(out _))
                    {
                        string? key = parser.Current is Scalar k ? k.Value : null;
                        Node(parser, null, secret: false);
                        var (valueType, byName) = ValueOf(type, key);
                        Node(parser, valueType, secret || byName);
                    }
                    break;
            }
        }

        /// <summary>Where a scalar's value begins: after its anchor (<c>&amp;name</c>) and tag (<c>!!str</c>), which stay.</summary>
        private int ValueStart(int start, int end)
        {
            int i = start;
            while (i < end && (yaml[i] == '&' || yaml[i] == '!'))
            {
                while (i < end && !char.IsWhiteSpace(yaml[i])) i++;
                while (i < end && char.IsWhiteSpace(yaml[i])) i++;
            }
            return i;
        }

        private void Add(int start, int end, bool block, string value)
        {
            if (value.Length == 0 || value == Secret.Mask) return;
            _spans.Add((start, end, block));
            Values.Add(value);
        }

        /// <summary>The text with every collected span replaced (a block scalar keeps the line break that ends it).</summary>
        public string Apply()
        {
            if (_spans.Count == 0) return yaml;
            var sb = new StringBuilder(yaml.Length);
            int at = 0;
            foreach (var (start, end, block) in _spans.Distinct().OrderBy(s => s.Start))
            {
                if (start < at) continue;
                sb.Append(yaml, at, start - at).Append(Secret.Mask);
                if (block)
                {
                    int i = end;
                    while (i > start && (yaml[i - 1] == ' ' || yaml[i - 1] == '\t')) i--;
                    int nl = i;
                    while (nl > start && (yaml[nl - 1] == '\n' || yaml[nl - 1] == '\r')) nl--;
                    sb.Append(yaml, nl, end - nl);
                }
                at = end;
            }
            sb.Append(yaml, at, yaml.Length - at);
            return sb.ToString();
        }
    }

    /// <summary>What the model expects under <paramref name="key"/> of a mapping it expects to be <paramref name="owner"/>, and whether the key's name alone marks a secret.</summary>
    private static (Type? Type, bool SecretByName) ValueOf(Type? owner, string? key)
    {
        if (key is null) return (null, false);
        if (owner is not null && typeof(ConfigObject).IsAssignableFrom(owner))
        {
            foreach (var p in Binder.PropsOf(owner))
                if (p.Key == key) return (Unwrap(p.Property.PropertyType), false);
        }
        else if (owner is { IsGenericType: true } && owner.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            return (Unwrap(owner.GetGenericArguments()[1]), false);
        return (null, SecretKeyNames.Contains(key));
    }

    private static Type? ElementType(Type? t) =>
        t is { IsGenericType: true } && t.GetGenericTypeDefinition() == typeof(List<>) ? Unwrap(t.GetGenericArguments()[0]) : null;

    private static Type Unwrap(Type t) => Nullable.GetUnderlyingType(t) ?? t;

    private static bool HoldsSecret(Type t)
    {
        t = Unwrap(t);
        if (t == typeof(Secret)) return true;
        if (!t.IsGenericType) return false;
        var def = t.GetGenericTypeDefinition();
        if (def == typeof(List<>)) return HoldsSecret(t.GetGenericArguments()[0]);
        if (def == typeof(Dictionary<,>)) return HoldsSecret(t.GetGenericArguments()[1]);
        return false;
    }

    private static HashSet<string> CollectSecretKeyNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in typeof(ConfigObject).Assembly.GetTypes())
        {
            if (t.IsAbstract || !typeof(ConfigObject).IsAssignableFrom(t) || t.GetConstructor(Type.EmptyTypes) is null) continue;
            foreach (var p in Binder.PropsOf(t))
                if (HoldsSecret(p.Property.PropertyType)) names.Add(p.Key);
        }
        return names;
    }
}
