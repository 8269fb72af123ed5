using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Portal.Rules.Templates;

/// <summary>
/// How .NET values play Go's values in templates. Numbers are <see cref="long"/> (Go int) or
/// <see cref="double"/> (float64), maps are <see cref="IDictionary"/> (ranged in sorted key order), slices are
/// <see cref="IList"/>, times are <see cref="GoTime"/> and durations <see cref="GoDuration"/>, null is nil.
/// Other objects expose their public properties, fields and methods (declared outside <c>System.*</c>) as
/// fields and methods, method first as Go looks them up. Thread-safe.
/// </summary>
public static class TemplateValues
{
    private static readonly ConcurrentDictionary<(Type, string), MemberInfo[]> Members = new();

    /// <summary>Maps .NET numeric, time and span types onto the template's Go-like types; other values pass through.</summary>
    public static object? Normalize(object? v) => v switch
    {
        null or string or long or double or bool => v,
        int i => (long)i,
        uint u => (long)u,
        short s => (long)s,
        ushort us => (long)us,
        byte b => (long)b,
        sbyte sb => (long)sb,
        ulong ul => ul <= long.MaxValue ? (long)ul : (double)ul,
        float f => (double)f,
        decimal m => (double)m,
        char c => (long)c,
        DateTimeOffset dto => new GoTime(dto),
        DateTime dt => new GoTime(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime())),
        TimeSpan ts => GoDuration.FromTimeSpan(ts),
        Enum e => e.ToString(),
        _ => v,
    };

    /// <summary>Go's truth: false, 0, nil and empty strings, slices and maps are false; everything else is true.</summary>
    public static bool IsTrue(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        GoDuration g => g.Nanoseconds != 0,
        _ => true,
    };

    /// <summary>The value a missing key yields under <c>missingkey=zero</c>: the zero of the map's element type.</summary>
    internal static object? ZeroOfElement(IDictionary map)
    {
        var t = map.GetType();
        foreach (var itf in t.GetInterfaces())
        {
            if (!itf.IsGenericType || itf.GetGenericTypeDefinition() != typeof(IDictionary<,>)) continue;
            var elem = itf.GetGenericArguments()[1];
            if (elem == typeof(string)) return "";
            if (elem == typeof(double) || elem == typeof(float)) return 0.0;
            if (elem == typeof(long) || elem == typeof(int)) return 0L;
            if (elem == typeof(bool)) return false;
            return null;
        }
        return null;
    }

    /// <summary>Looks a public member up on a non-framework type: methods first, then properties and fields.</summary>
    internal static MemberInfo[] FindMembers(Type type, string name) => Members.GetOrAdd((type, name), static key =>
    {
        var (t, n) = key;
        var found = new List<MemberInfo>();
        foreach (var m in t.GetMember(n, MemberTypes.Method | MemberTypes.Property | MemberTypes.Field, BindingFlags.Public | BindingFlags.Instance))
        {
            var declaring = m.DeclaringType;
            if (declaring is null || (declaring.Namespace ?? "").StartsWith("System", StringComparison.Ordinal)) continue;
            if (m is MethodInfo mi && (mi.IsSpecialName || mi.IsGenericMethodDefinition)) continue;
            if (m is PropertyInfo pi && pi.GetIndexParameters().Length > 0) continue;
            found.Add(m);
        }
        found.Sort(static (a, b) => (a is MethodInfo ? 0 : 1).CompareTo(b is MethodInfo ? 0 : 1));
        return found.ToArray();
    });

    /// <summary>Converts a template value to a .NET parameter type, or throws <see cref="TemplateArgumentException"/> with Go's wording.</summary>
    internal static object? ConvertArg(object? v, Type target)
    {
        if (target == typeof(object)) return v;
        if (v is null)
        {
            if (!target.IsValueType || Nullable.GetUnderlyingType(target) is not null) return null;
            throw new TemplateArgumentException($"invalid value; expected {GoName(target)}");
        }
        if (target.IsInstanceOfType(v)) return v;
        if (target == typeof(double) && v is long l) return (double)l;
        if (target == typeof(float) && v is long or double) return Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture);
        if (target == typeof(int) && v is long li && li is >= int.MinValue and <= int.MaxValue) return (int)li;
        if (target == typeof(DateTimeOffset) && v is GoTime gt) return gt.Value;
        if (target == typeof(TimeSpan) && v is GoDuration gd) return TimeSpan.FromTicks(gd.Nanoseconds / 100);
        if (target == typeof(string[]) && v is IList list)
        {
            var arr = new string[list.Count];
            for (int i = 0; i < arr.Length; i++)
                arr[i] = list[i] as string ?? throw new TemplateArgumentException($"wrong type for value; expected []string; got {GoFormat.TypeName(v)}");
            return arr;
        }
        throw new TemplateArgumentException($"wrong type for value; expected {GoName(target)}; got {GoFormat.TypeName(v)}");
    }

    private static string GoName(Type t) =>
        t == typeof(string) ? "string" : t == typeof(double) ? "float64" : t == typeof(long) || t == typeof(int) ? "int" : t == typeof(bool) ? "bool" : t.Name;
}

/// <summary>An argument of the wrong type: reported as Go reports it, without "error calling".</summary>
public sealed class TemplateArgumentException(string message) : Exception(message);

/// <summary>
/// A template error: a parse error (<c>template: NAME:LINE: message</c>) or an execution error
/// (<c>template: NAME:LINE:COL: executing "NAME" at &lt;node&gt;: message</c>), worded as Go's text/template words them.
/// </summary>
public sealed class TemplateException : Exception
{
    /// <summary>The template (parse name) the position refers to.</summary>
    public string TemplateName { get; }

    /// <summary>1-based line of the error in that template's text.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 characters) of the error. Go's message shows the 0-based byte offset in the line instead.</summary>
    public int Column { get; }

    /// <summary>True for errors found while parsing, false for errors while executing.</summary>
    public bool IsParseError { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Detail { get; }

    private TemplateException(string message, string name, int line, int column, bool parse, string detail, Exception? inner)
        : base(message, inner)
    {
        TemplateName = name;
        Line = line;
        Column = column;
        IsParseError = parse;
        Detail = detail;
    }

    private static (int Line, int Col, int ByteCol) Locate(string src, int pos)
    {
        pos = Math.Clamp(pos, 0, src.Length);
        int line = 1, lineStart = 0;
        for (int i = 0; i < pos; i++)
            if (src[i] == '\n') { line++; lineStart = i + 1; }
        int byteCol = System.Text.Encoding.UTF8.GetByteCount(src.AsSpan(lineStart, pos - lineStart));
        return (line, pos - lineStart + 1, byteCol);
    }

    internal static TemplateException Parse(string name, string src, int pos, string message)
    {
        var (line, col, _) = Locate(src, pos);
        return new TemplateException($"template: {name}:{line}: {message}", name, line, col, true, message, null);
    }

    internal static TemplateException Plain(string name, string message) => new(message, name, 1, 1, false, message, null);

    internal static TemplateException Exec(string parseName, string src, int pos, string executing, string context, string message, Exception? inner)
    {
        var (line, col, byteCol) = Locate(src, pos);
        return new TemplateException($"template: {parseName}:{line}:{byteCol}: executing {GoFormat.Quote(executing)} at <{context}>: {message}",
            parseName, line, col, false, message, inner);
    }
}
