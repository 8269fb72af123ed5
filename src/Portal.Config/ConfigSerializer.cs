using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Config;

/// <summary>
/// Writes configuration models back as YAML. Values equal to a section's defaults are left out; everything else
/// (including values inherited on load) is written, so loading the output gives the same model again.
/// With <c>maskSecrets</c> every <see cref="Secret"/> prints as <c>&lt;secret&gt;</c> (for display); without it the
/// real values are kept (for storage). Thread-safe.
/// </summary>
public static class ConfigSerializer
{
    private static readonly ConcurrentDictionary<Type, object> Defaults = new();

    public static string ToYaml(ConfigObject model, bool maskSecrets)
    {
        var sw = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(sw, 2, int.MaxValue, isCanonical: false);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        WriteObject(emitter, model, maskSecrets);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return sw.ToString();
    }

    private static void WriteObject(IEmitter e, ConfigObject obj, bool mask)
    {
        if (obj is IScalarShorthand && obj is Alertmanager.JiraTextField { WrittenAsScalar: true } jf)
        {
            WriteString(e, jf.Template ?? "");
            return;
        }
        var type = obj.GetType();
        var defaults = Defaults.GetOrAdd(type, t => Activator.CreateInstance(t)!);
        e.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
        foreach (var prop in Binder.PropsOf(type))
        {
            var owner = prop.Path.Length == 0 ? obj : Binder.Resolve(obj, prop.Path, create: false);
            if (owner is null) continue;
            var value = prop.Property.GetValue(owner);
            if (IsEmpty(value)) continue;
            var defOwner = prop.Path.Length == 0 ? defaults : Binder.Resolve(defaults, prop.Path, create: false);
            if (defOwner is not null && IsScalarLike(value) && Equals(value, prop.Property.GetValue(defOwner))) continue;
            WriteString(e, prop.Key);
            WriteValue(e, value!, mask);
        }
        e.Emit(new MappingEnd());
    }

    private static bool IsScalarLike(object? v) => v is string or bool or int or long or uint or ulong or double or Duration or ByteSize or Secret;

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        ICollection c => c.Count == 0,
        _ => false,
    };

    private static void WriteValue(IEmitter e, object value, bool mask)
    {
        switch (value)
        {
            case ConfigObject co:
                WriteObject(e, co, mask);
                break;
            case string s:
                WriteString(e, s);
                break;
            case Secret secret:
                WriteString(e, mask ? Secret.Mask : secret.Value);
                break;
            case bool b:
                WritePlain(e, b ? "true" : "false");
                break;
            case double d:
                WritePlain(e, double.IsPositiveInfinity(d) ? ".inf" : double.IsNegativeInfinity(d) ? "-.inf" : double.IsNaN(d) ? ".nan" : d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case int or long or uint or ulong:
                WritePlain(e, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case Duration dur:
                WritePlain(e, dur.ToString());
                break;
            case ByteSize bs:
                WritePlain(e, bs.ToString());
                break;
            case IDictionary dict:
                e.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (DictionaryEntry kv in dict)
                {
                    WriteString(e, (string)kv.Key);
                    if (kv.Value is null) WritePlain(e, "null");
                    else WriteValue(e, kv.Value, mask);
                }
                e.Emit(new MappingEnd());
                break;
            case IEnumerable list:
                e.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in list)
                {
                    if (item is null) WritePlain(e, "null");
                    else WriteValue(e, item, mask);
                }
                e.Emit(new SequenceEnd());
                break;
            default:
                WriteString(e, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                break;
        }
    }

    private static void WritePlain(IEmitter e, string text) =>
        e.Emit(new Scalar(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    /// <summary>Strings are quoted when plain text would read back as null or lose whitespace.</summary>
    private static void WriteString(IEmitter e, string s)
    {
        bool quote = s.Length == 0 || s is "~" or "null" or "Null" or "NULL" || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]);
        e.Emit(new Scalar(null, null, s, quote ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, isPlainImplicit: true, isQuotedImplicit: true));
    }
}
