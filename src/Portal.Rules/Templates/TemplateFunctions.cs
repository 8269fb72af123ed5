using System.Collections;
using System.Globalization;

namespace Portal.Rules.Templates;

/// <summary>
/// A function callable from templates. <see cref="Invoke"/> receives the evaluated arguments (a piped value
/// last) as template values (see <see cref="TemplateValues"/>); it reports a wrong argument type by throwing
/// <see cref="TemplateArgumentException"/> and any other failure by throwing an exception whose message
/// becomes "error calling NAME: message".
/// </summary>
public sealed class TemplateFunction(string name, int minArgs, int maxArgs, Func<object?[], object?> invoke)
{
    public string Name { get; } = name;
    public int MinArgs { get; } = minArgs;

    /// <summary>The most arguments accepted; -1 for variadic.</summary>
    public int MaxArgs { get; } = maxArgs;

    public Func<object?[], object?> Invoke { get; } = invoke;
}

/// <summary>
/// A set of template functions (Go's FuncMap). Go's builtins (and, or, not, len, index, slice, print, printf,
/// println, html, js, urlquery, eq, ne, lt, le, gt, ge, call) are always available and may be overridden.
/// Build a set once and share it: it is not modified after construction by the engine, and reads are thread-safe.
/// </summary>
public sealed class TemplateFunctions
{
    private readonly Dictionary<string, TemplateFunction> _funcs = new(StringComparer.Ordinal);

    /// <summary>Names of Go's builtin functions.</summary>
    public static readonly IReadOnlySet<string> BuiltinNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery",
        "eq", "ne", "lt", "le", "gt", "ge", "call",
    };

    public TemplateFunctions() { }

    public TemplateFunctions(TemplateFunctions copyFrom)
    {
        foreach (var (k, v) in copyFrom._funcs) _funcs[k] = v;
    }

    /// <summary>Adds or replaces a function; returns this set.</summary>
    public TemplateFunctions Add(string name, int minArgs, int maxArgs, Func<object?[], object?> invoke)
    {
        _funcs[name] = new TemplateFunction(name, minArgs, maxArgs, invoke);
        return this;
    }

    /// <summary>Adds or replaces every function of <paramref name="other"/>; returns this set.</summary>
    public TemplateFunctions AddAll(TemplateFunctions other)
    {
        foreach (var (k, v) in other._funcs) _funcs[k] = v;
        return this;
    }

    public bool TryGet(string name, out TemplateFunction function) => _funcs.TryGetValue(name, out function!);

    /// <summary>Whether templates may call <paramref name="name"/> (a function of the set or a builtin).</summary>
    public bool Has(string name) => _funcs.ContainsKey(name) || BuiltinNames.Contains(name);

    public IEnumerable<string> Names => _funcs.Keys;

    // Argument helpers for function implementations.

    /// <summary>The argument as a string, or Go's "wrong type" error.</summary>
    public static string ArgString(object? v) => v switch
    {
        string s => s,
        SafeHtml h => h.Value,
        _ => throw new TemplateArgumentException($"wrong type for value; expected string; got {GoFormat.TypeName(v)}"),
    };

    /// <summary>The argument as a float64 (ints convert, as Go's untyped constants do).</summary>
    public static double ArgFloat(object? v) => v switch
    {
        double d => d,
        long l => l,
        _ => throw new TemplateArgumentException($"wrong type for value; expected float64; got {GoFormat.TypeName(v)}"),
    };

    /// <summary>The argument as a time.</summary>
    public static GoTime ArgTime(object? v) =>
        v as GoTime ?? throw new TemplateArgumentException($"wrong type for value; expected time.Time; got {GoFormat.TypeName(v)}");

    /// <summary>The argument as a list of strings ([]string).</summary>
    public static IReadOnlyList<string> ArgStrings(object? v)
    {
        if (v is IReadOnlyList<string> rl) return rl;
        if (v is IList l)
        {
            var r = new string[l.Count];
            for (int i = 0; i < r.Length; i++)
                r[i] = l[i] as string ?? throw new TemplateArgumentException($"wrong type for value; expected []string; got {GoFormat.TypeName(v)}");
            return r;
        }
        throw new TemplateArgumentException($"wrong type for value; expected []string; got {GoFormat.TypeName(v)}");
    }

    /// <summary>
    /// Prometheus's <c>convertToFloat</c>: a float, an int, a duration (in seconds) or a string parsed as Go's
    /// ParseFloat would (errors read <c>strconv.ParseFloat: parsing "x": invalid syntax</c>).
    /// </summary>
    public static double ToFloat(object? v) => v switch
    {
        double d => d,
        long l => l,
        GoDuration g => g.Seconds(),
        string s => ParseGoFloat(s),
        _ => throw new InvalidOperationException($"can't convert {GoFormat.TypeName(v)} to float"),
    };

    /// <summary>Go's <c>strconv.ParseFloat(s, 64)</c> for decimal syntax, Inf/Infinity and NaN (any case, optional sign).</summary>
    public static double ParseGoFloat(string s)
    {
        var t = s.Replace("_", "");
        var lower = t.ToLowerInvariant();
        switch (lower)
        {
            case "inf" or "+inf" or "infinity" or "+infinity": return double.PositiveInfinity;
            case "-inf" or "-infinity": return double.NegativeInfinity;
            case "nan": return double.NaN;
        }
        bool ok = t.Length > 0 && t.AsSpan().IndexOfAny(" \t\n\r") < 0 && !lower.Contains("inf") && !lower.Contains("nan")
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        if (!ok) throw new FormatException($"strconv.ParseFloat: parsing {GoFormat.Quote(s)}: invalid syntax");
        double r = double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(r)) throw new FormatException($"strconv.ParseFloat: parsing {GoFormat.Quote(s)}: value out of range");
        return r;
    }
}
