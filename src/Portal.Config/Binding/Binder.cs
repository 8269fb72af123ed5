using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using Portal.Config.Yaml;

namespace Portal.Config;

/// <summary>
/// Maps YAML nodes onto configuration classes strictly: unknown and repeated keys are errors, values of the wrong
/// kind are errors, and every error carries the line:column of the offending node. Binding goes on after an error
/// so one pass reports all of them. Thread-safe (the property cache is concurrent).
/// </summary>
internal static class Binder
{
    internal sealed record Prop(string Key, PropertyInfo Property, PropertyInfo[] Path);

    private static readonly ConcurrentDictionary<Type, Prop[]> Cache = new();

    /// <summary>The bindable properties of <paramref name="type"/> in declaration order, inline sections expanded (recursively).</summary>
    internal static Prop[] PropsOf(Type type) => Cache.GetOrAdd(type, static t =>
    {
        var list = new List<Prop>();
        Collect(t, [], list);
        return list.ToArray();
    });

    private static void Collect(Type t, PropertyInfo[] path, List<Prop> list)
    {
        foreach (var p in OrderedProperties(t))
        {
            if (p.GetCustomAttribute<YamlInlineAttribute>() is not null)
            {
                Collect(p.PropertyType, [.. path, p], list);
                continue;
            }
            var k = p.GetCustomAttribute<YamlKeyAttribute>();
            if (k is not null) list.Add(new Prop(k.Name, p, path));
        }
    }

    /// <summary>The inline property chains of <paramref name="type"/> (outermost first).</summary>
    internal static List<PropertyInfo[]> InlinePaths(Type type)
    {
        var paths = new List<PropertyInfo[]>();
        foreach (var p in PropsOf(type))
            for (int i = 1; i <= p.Path.Length; i++)
            {
                var prefix = p.Path[..i];
                bool seen = false;
                foreach (var q in paths)
                    if (q.Length == prefix.Length && q.AsSpan().SequenceEqual(prefix)) { seen = true; break; }
                if (!seen) paths.Add(prefix);
            }
        return paths;
    }

    /// <summary>Follows an inline chain from <paramref name="root"/>, creating missing objects.</summary>
    internal static object Resolve(object root, PropertyInfo[] path, bool create)
    {
        object cur = root;
        foreach (var pi in path)
        {
            var next = pi.GetValue(cur);
            if (next is null)
            {
                if (!create) return null!;
                next = Activator.CreateInstance(pi.PropertyType)!;
                pi.SetValue(cur, next);
            }
            cur = next;
        }
        return cur;
    }

    private static IEnumerable<PropertyInfo> OrderedProperties(Type t)
    {
        // Base-class properties first, then the derived ones, each in declaration order.
        var chain = new Stack<Type>();
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType) chain.Push(c);
        foreach (var c in chain)
            foreach (var p in c.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly))
                yield return p;
    }

    internal static string TypeName(Type t) => t.GetCustomAttribute<YamlTypeAttribute>()?.Name ?? t.Name;

    /// <summary>Binds a mapping to a new <typeparamref name="T"/>; null (with an error) when the node is not a mapping.</summary>
    public static T? Bind<T>(YNode node, LoadContext ctx) where T : ConfigObject =>
        (T?)BindObject(typeof(T), node, ctx);

    public static ConfigObject? BindObject(Type type, YNode node, LoadContext ctx)
    {
        if (node is YScalar s && s.IsNull) return null;
        if (node is not YMapping map)
        {
            ctx.Error(node.Start, $"expected a mapping for {TypeName(type)}, got a {node.KindName}");
            return null;
        }
        var obj = (ConfigObject)Activator.CreateInstance(type)!;
        obj.Position = map.Start;
        obj.KeyPositions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        obj.KeyNodes = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var props = PropsOf(type);
        bool ownError = false;
        foreach (var (key, value) in map.Entries)
        {
            Prop? prop = null;
            foreach (var p in props)
                if (p.Key == key.Value) { prop = p; break; }
            if (prop is null)
            {
                ctx.Error(key.Start, $"field {key.Value} not found in type {TypeName(type)}{Suggest(key.Value, props)}");
                ownError = true;
                continue;
            }
            if (obj.KeyPositions.ContainsKey(key.Value))
            {
                ctx.Error(key.Start, $"field {key.Value} already set in type {TypeName(type)}");
                ownError = true;
                continue;
            }
            obj.KeyPositions[key.Value] = value.Start;
            obj.KeyNodes[key.Value] = value;
            object target = prop.Path.Length == 0 ? obj : Resolve(obj, prop.Path, create: true);
            var v = ConvertValue(prop.Property.PropertyType, value, ctx, key.Value, out bool ok);
            if (ok) prop.Property.SetValue(target, v);
            else ownError = true;
        }
        if (!ownError)
        {
            var paths = InlinePaths(type);
            // Innermost first, so an owner sees its inline parts already checked.
            for (int i = paths.Count - 1; i >= 0; i--)
            {
                if (Resolve(obj, paths[i], create: true) is not ConfigObject inl) continue;
                inl.Position = map.Start;
                inl.KeyPositions = obj.KeyPositions;
                inl.Validate(ctx);
            }
            obj.Validate(ctx);
        }
        return obj;
    }

    private static string Suggest(string key, Prop[] props)
    {
        string? best = null;
        int bestDist = int.MaxValue;
        foreach (var p in props)
        {
            int d = Distance(key, p.Key);
            if (d < bestDist) { bestDist = d; best = p.Key; }
        }
        return best is not null && bestDist <= Math.Max(2, key.Length / 4) ? $" (did you mean {best}?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>Converts <paramref name="node"/> to <paramref name="type"/>; reports and returns ok=false when it cannot.</summary>
    public static object? ConvertValue(Type type, YNode node, LoadContext ctx, string what, out bool ok)
    {
        ok = true;
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YScalar ns && ns.IsNull)
            return type.IsValueType && underlying is null ? Activator.CreateInstance(type) : null;
        if (underlying is not null) type = underlying;

        if (type == typeof(object)) return FreeForm(node, ctx, out ok);
        if (typeof(IScalarShorthand).IsAssignableFrom(type) && node is YScalar shorthand)
        {
            var inst = (ConfigObject)Activator.CreateInstance(type)!;
            inst.Position = shorthand.Start;
            ((IScalarShorthand)inst).SetFromScalar(shorthand.Value);
            return inst;
        }
        if (typeof(ConfigObject).IsAssignableFrom(type))
        {
            var o = BindObject(type, node, ctx);
            if (o is null && node is not YMapping) ok = false;
            return o;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var et = type.GetGenericArguments()[0];
            if (node is not YSequence seq)
            {
                ctx.Error(node.Start, $"{what}: expected a list, got a {node.KindName}");
                ok = false;
                return null;
            }
            var list = (IList)Activator.CreateInstance(type)!;
            foreach (var item in seq.Items)
            {
                var v = ConvertValue(et, item, ctx, what, out bool iok);
                if (iok) list.Add(v);
                else ok = false;
            }
            return list;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var vt = type.GetGenericArguments()[1];
            if (node is not YMapping map)
            {
                ctx.Error(node.Start, $"{what}: expected a mapping, got a {node.KindName}");
                ok = false;
                return null;
            }
            var dict = (IDictionary)Activator.CreateInstance(type, StringComparer.Ordinal)!;
            foreach (var (k, v) in map.Entries)
            {
                var keyText = DecodeScalar(k, ctx, out bool kok);
                if (!kok) { ok = false; continue; }
                if (dict.Contains(keyText!))
                {
                    ctx.Error(k.Start, $"{what}: key \"{keyText}\" is repeated");
                    ok = false;
                    continue;
                }
                object? cv;
                if (vt == typeof(string) && v is YScalar vs && vs.IsNull) cv = "";
                else
                {
                    cv = ConvertValue(vt, v, ctx, what, out bool vok);
                    if (!vok) { ok = false; continue; }
                }
                dict[keyText!] = cv;
            }
            return dict;
        }
        if (node is not YScalar s)
        {
            ctx.Error(node.Start, $"{what}: expected {Describe(type)}, got a {node.KindName}");
            ok = false;
            return null;
        }
        var text = DecodeScalar(s, ctx, out ok);
        if (!ok) return null;
        if (type == typeof(string)) return text;
        if (type == typeof(Secret)) return new Secret(text!);
        if (type == typeof(bool))
        {
            if (s.IsPlain && TryParseBool(text!, out bool b)) return b;
            return Fail(ctx, s, $"{what}: \"{text}\" is not a boolean (use true or false)", out ok);
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong))
        {
            if (s.IsPlain && TryParseInt(text!, out long l))
            {
                if ((type == typeof(uint) || type == typeof(ulong)) && l < 0)
                    return Fail(ctx, s, $"{what}: {text} must not be negative", out ok);
                if (type == typeof(int) && (l < int.MinValue || l > int.MaxValue))
                    return Fail(ctx, s, $"{what}: {text} is out of range", out ok);
                if (type == typeof(uint) && l > uint.MaxValue)
                    return Fail(ctx, s, $"{what}: {text} is out of range", out ok);
                return Convert.ChangeType(l, type, CultureInfo.InvariantCulture);
            }
            return Fail(ctx, s, $"{what}: \"{text}\" is not an integer", out ok);
        }
        if (type == typeof(double))
        {
            if (s.IsPlain && TryParseFloat(text!, out double d)) return d;
            return Fail(ctx, s, $"{what}: \"{text}\" is not a number", out ok);
        }
        if (type == typeof(Duration))
        {
            if (Duration.TryParse(text!, out var dur, out var err)) return dur;
            return Fail(ctx, s, $"{what}: {err} (a duration is numbers with units y, w, d, h, m, s, ms in that order, e.g. 30s or 1h30m)", out ok);
        }
        if (type == typeof(ByteSize))
        {
            if (ByteSize.TryParse(text!, out var bs, out var err)) return bs;
            return Fail(ctx, s, $"{what}: {err}", out ok);
        }
        throw new InvalidOperationException($"no YAML conversion for {type}");
    }

    /// <summary>Any YAML value as plain objects: string, List&lt;object?&gt; or Dictionary&lt;string, object?&gt;.</summary>
    private static object? FreeForm(YNode node, LoadContext ctx, out bool ok)
    {
        ok = true;
        switch (node)
        {
            case YScalar s:
                return s.IsNull ? null : DecodeScalar(s, ctx, out ok);
            case YSequence seq:
            {
                var list = new List<object?>();
                foreach (var i in seq.Items) list.Add(FreeForm(i, ctx, out _));
                return list;
            }
            case YMapping map:
            {
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in map.Entries) d[k.Value] = FreeForm(v, ctx, out _);
                return d;
            }
        }
        return null;
    }

    private static object? Fail(LoadContext ctx, YScalar s, string message, out bool ok)
    {
        ctx.Error(s.Start, message);
        ok = false;
        return null;
    }

    private static string Describe(Type t) =>
        t == typeof(string) || t == typeof(Secret) ? "a string" :
        t == typeof(bool) ? "a boolean" :
        t == typeof(Duration) ? "a duration" :
        t == typeof(int) || t == typeof(long) || t == typeof(uint) ? "an integer" :
        t == typeof(double) ? "a number" : "a value";

    /// <summary>The text of a scalar; decodes <c>!!binary</c> and rejects text that is not valid UTF-8.</summary>
    public static string? DecodeScalar(YScalar s, LoadContext ctx, out bool ok)
    {
        ok = true;
        if (s.Tag is "tag:yaml.org,2002:binary" or "!!binary")
        {
            byte[] bytes;
            try
            {
                bytes = System.Convert.FromBase64String(s.Value.Replace("\n", "").Replace(" ", ""));
            }
            catch (FormatException)
            {
                ctx.Error(s.Start, "!!binary value contains invalid base64 data");
                ok = false;
                return null;
            }
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                ctx.Error(s.Start, "!!binary value is not valid UTF-8 text");
                ok = false;
                return null;
            }
        }
        return s.Value;
    }

    internal static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                value = true;
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    internal static bool TryParseInt(string text, out long value)
    {
        var t = text.Replace("_", "");
        if (t.StartsWith("0x", StringComparison.Ordinal))
            return long.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        return long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    internal static bool TryParseFloat(string text, out double value)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
        }
        return double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
