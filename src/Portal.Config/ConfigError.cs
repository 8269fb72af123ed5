namespace Portal.Config;

/// <summary>One problem found in a configuration file, with the place it is at (1-based line and column).</summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary><c>file:line:col: message</c>, the form editors and CI logs recognise.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>A place in a source document (1-based line and column).</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>
/// The outcome of loading one document: either <see cref="Config"/> (and no errors) or every error found.
/// <see cref="Notes"/> carries informational remarks (settings accepted but ignored) that are not errors.
/// </summary>
public sealed class ConfigLoadResult<T> where T : class
{
    public T? Config { get; }
    public IReadOnlyList<ConfigError> Errors { get; }
    public IReadOnlyList<ConfigError> Notes { get; }

    public bool Success => Config is not null && Errors.Count == 0;

    internal ConfigLoadResult(T? config, IReadOnlyList<ConfigError> errors, IReadOnlyList<ConfigError> notes)
    {
        Config = errors.Count == 0 ? config : null;
        Errors = errors;
        Notes = notes;
    }
}
