using Portal.Model;

namespace Portal.Ingest.Discovery;

/// <summary>
/// A set of targets from one discovery source: each target is a label set holding at least <c>__address__</c>,
/// <see cref="Labels"/> apply to all of them (a target's own label wins). <see cref="Source"/> identifies the
/// group within its discoverer so that an update replaces the earlier group of the same source. Immutable.
/// </summary>
public sealed record TargetGroup(string Source, IReadOnlyList<Labels> Targets, Labels Labels)
{
    public const string AddressLabel = "__address__";
}

/// <summary>
/// A source of target groups (static, file, HTTP; later DNS, Consul, EC2, Kubernetes). Implementations push full
/// replacement lists of groups through <see cref="Updated"/> — the first time as soon as possible, then whenever
/// something changes — until disposed. Thread-safe; <see cref="Start"/> is called once.
/// </summary>
public interface IDiscoverer : IDisposable
{
    /// <summary>Raised with every group this discoverer currently knows (a group with no targets clears its source).</summary>
    event Action<IReadOnlyList<TargetGroup>>? Updated;

    /// <summary>Begins discovering; returns without waiting for the first result.</summary>
    void Start();

    /// <summary>The last error, if the latest refresh failed (the previous groups are kept).</summary>
    string? LastError { get; }
}
