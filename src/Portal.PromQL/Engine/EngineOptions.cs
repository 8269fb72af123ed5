namespace Portal.PromQL;

/// <summary>Settings of a <see cref="PromQLEngine"/>. Read once per query; do not mutate while queries run.</summary>
public sealed class EngineOptions
{
    /// <summary>Wall-clock limit of one query; it then fails with <see cref="ErrorKind.Timeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Most samples one query may hold: samples read from storage plus points produced by evaluation,
    /// counted over the whole query. Past it the query fails with <see cref="ErrorKind.Execution"/>.
    /// </summary>
    public int MaxSamples { get; set; } = 50_000_000;

    /// <summary>How far back an instant selector looks for the latest sample (left-open window).</summary>
    public long LookbackDeltaMs { get; set; } = 300_000;

    /// <summary>Enables functions and aggregations Prometheus gates behind promql-experimental-functions.</summary>
    public bool EnableExperimentalFunctions { get; set; }

    /// <summary>Step of subqueries written without one (<c>x[1h:]</c>), in milliseconds.</summary>
    public long DefaultSubqueryStepMs { get; set; } = 60_000;

    /// <summary>Most steps a range query may have (Prometheus's API limit is 11,000).</summary>
    public int MaxSteps { get; set; } = 11_000;
}
