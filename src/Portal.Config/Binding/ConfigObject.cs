using Portal.Config.Yaml;

namespace Portal.Config;

/// <summary>Names the YAML key a property binds to.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class YamlKeyAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks a property whose object's keys appear inline in the owner's mapping (Go's <c>yaml:",inline"</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class YamlInlineAttribute : Attribute;

/// <summary>The name of a configuration section, used in messages ("field x not found in type scrape_config").</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class YamlTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Base of every configuration section. Remembers where the section and each of its keys were in the source,
/// so later checks (hosted mode, the UI) can point at them. Not thread-safe while loading; read-only afterwards.
/// </summary>
public abstract class ConfigObject
{
    /// <summary>Where the section's mapping starts; null when built in code.</summary>
    public SourcePosition? Position { get; internal set; }

    internal Dictionary<string, SourcePosition>? KeyPositions { get; set; }

    /// <summary>The source nodes of the keys' values (for positions inside a value, e.g. a PromQL expression).</summary>
    internal Dictionary<string, Yaml.YNode>? KeyNodes { get; set; }

    /// <summary>The position of the value of <paramref name="key"/> when the key was present in the source.</summary>
    public SourcePosition? PositionOf(string key) =>
        KeyPositions is not null && KeyPositions.TryGetValue(key, out var p) ? p : null;

    /// <summary>True when the key was written in the source (as opposed to a default).</summary>
    public bool IsSet(string key) => KeyPositions is not null && KeyPositions.ContainsKey(key);

    /// <summary>Checks the section after binding, reporting every problem through <paramref name="ctx"/>.</summary>
    internal virtual void Validate(LoadContext ctx)
    {
    }
}

/// <summary>Collects errors and notes while one file is loaded.</summary>
internal sealed class LoadContext(string file, YDocument? document)
{
    public string File { get; } = file;
    public YDocument? Document { get; } = document;
    public List<ConfigError> Errors { get; } = new();
    public List<ConfigError> Notes { get; } = new();

    public void Error(SourcePosition p, string message) => Errors.Add(new ConfigError(File, p.Line, p.Column, message));

    public void Error(ConfigObject obj, string? key, string message) => Error(Where(obj, key), message);

    public void Note(ConfigObject obj, string? key, string message)
    {
        var p = Where(obj, key);
        Notes.Add(new ConfigError(File, p.Line, p.Column, message));
    }

    public static SourcePosition Where(ConfigObject obj, string? key) =>
        (key is not null ? obj.PositionOf(key) : null) ?? obj.Position ?? new SourcePosition(1, 1);
}

/// <summary>A section that may also be written as a single scalar (the scalar sets its main field).</summary>
public interface IScalarShorthand
{
    void SetFromScalar(string value);
}
