using System.Text;

namespace Portal.Rules.Templates;

/// <summary>Text marked as safe HTML (html/template's <c>template.HTML</c>): printed unescaped in HTML mode.</summary>
public sealed record SafeHtml(string Value)
{
    public override string ToString() => Value;
}

/// <summary>What a missing map key yields (Go's <c>missingkey</c> option).</summary>
public enum MissingKeyMode
{
    /// <summary>Nothing: prints as "&lt;no value&gt;" (Go's default).</summary>
    Default,

    /// <summary>The zero of the map's element type ("" for string maps), as Prometheus and Alertmanager use.</summary>
    Zero,

    /// <summary>An execution error.</summary>
    Error,
}

/// <summary>
/// A set of associated Go text/templates sharing one namespace of named templates and one function set, like
/// Go's <c>*template.Template</c>: <see cref="Parse"/> adds the text's top-level template and every
/// <c>define</c>/<c>block</c> in it (a later non-empty definition replaces an earlier one), <see cref="Execute"/>
/// runs one by name. Parse and Clone must not run concurrently with anything else; once parsing is done,
/// any number of threads may Execute at once.
/// </summary>
public sealed class GoTemplate
{
    private readonly Dictionary<string, ParseTree> _trees;

    public TemplateFunctions Functions { get; }
    public MissingKeyMode MissingKey { get; }

    /// <summary>
    /// HTML output (an approximation of Go's html/template): printed values are HTML-escaped as html/template
    /// escapes element text, except <see cref="SafeHtml"/> values; nil prints nothing. Contextual escaping inside
    /// attributes, URLs and scripts is not distinguished.
    /// </summary>
    public bool EscapeHtml { get; }

    public GoTemplate(TemplateFunctions? functions = null, MissingKeyMode missingKey = MissingKeyMode.Default, bool escapeHtml = false)
    {
        Functions = functions ?? new TemplateFunctions();
        MissingKey = missingKey;
        EscapeHtml = escapeHtml;
        _trees = new Dictionary<string, ParseTree>(StringComparer.Ordinal);
    }

    private GoTemplate(GoTemplate from)
    {
        Functions = from.Functions;
        MissingKey = from.MissingKey;
        EscapeHtml = from.EscapeHtml;
        _trees = new Dictionary<string, ParseTree>(from._trees, StringComparer.Ordinal);
    }

    /// <summary>A copy sharing parsed trees and functions; parsing into the copy leaves this set unchanged.</summary>
    public GoTemplate Clone() => new(this);

    /// <summary>
    /// Parses <paramref name="text"/> as the template <paramref name="name"/>, adding its definitions. Throws
    /// <see cref="TemplateException"/> (with line and column) for syntax errors, unknown functions and undefined
    /// variables; on error nothing is added. Returns this set.
    /// </summary>
    public GoTemplate Parse(string name, string text)
    {
        var trees = TemplateParser.Parse(name, text, Functions.Has);
        foreach (var (n, tree) in trees)
        {
            if (_trees.TryGetValue(n, out var _) && tree.IsEmpty) continue;
            _trees[n] = tree;
        }
        return this;
    }

    /// <summary>Whether a template of that name is defined.</summary>
    public bool Has(string name) => _trees.ContainsKey(name);

    /// <summary>The names of every defined template, sorted ordinally.</summary>
    public IReadOnlyList<string> TemplateNames
    {
        get
        {
            var names = new List<string>(_trees.Keys);
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    internal bool TryGetTree(string name, out ParseTree tree) => _trees.TryGetValue(name, out tree!);

    /// <summary>Runs template <paramref name="name"/> with <paramref name="data"/> as dot; throws <see cref="TemplateException"/> on failure.</summary>
    public string Execute(string name, object? data, CancellationToken ct = default)
    {
        var sb = new StringBuilder();
        Execute(name, data, sb, ct);
        return sb.ToString();
    }

    /// <summary>Runs template <paramref name="name"/>, appending to <paramref name="output"/> (which holds partial output on failure).</summary>
    public void Execute(string name, object? data, StringBuilder output, CancellationToken ct = default) =>
        Execute(name, data, Functions, output, ct);

    /// <summary>
    /// Runs template <paramref name="name"/> with <paramref name="functions"/> instead of the set parsed against
    /// (same names, other bindings, e.g. a query function for this evaluation's time), so parsed templates can be
    /// cached and shared.
    /// </summary>
    public void Execute(string name, object? data, TemplateFunctions functions, StringBuilder output, CancellationToken ct = default)
    {
        if (!_trees.TryGetValue(name, out var tree))
            throw TemplateException.Plain(name, $"template: no template {GoFormat.Quote(name)} associated with template {GoFormat.Quote(name)}");
        TemplateExecutor.Run(this, functions, tree, data, output, ct);
    }

    /// <summary>Parses and runs one template text in a fresh set.</summary>
    public static string Render(string name, string text, object? data, TemplateFunctions? functions = null, MissingKeyMode missingKey = MissingKeyMode.Default) =>
        new GoTemplate(functions, missingKey).Parse(name, text).Execute(name, data);
}
