using Portal.Model;

namespace Portal.Rules;

/// <summary>An alert's state, as Prometheus names them in ALERTS{alertstate} and the API.</summary>
public enum AlertState
{
    Inactive,
    Pending,
    Firing,
}

/// <summary>A rule's health after its last evaluation.</summary>
public enum RuleHealth
{
    Unknown,
    Good,
    Bad,
}

public static class RuleEnums
{
    /// <summary>"inactive", "pending" or "firing".</summary>
    public static string Text(this AlertState s) => s switch
    {
        AlertState.Pending => "pending",
        AlertState.Firing => "firing",
        _ => "inactive",
    };

    /// <summary>"unknown", "ok" or "err", as the rules API shows health.</summary>
    public static string Text(this RuleHealth h) => h switch
    {
        RuleHealth.Good => "ok",
        RuleHealth.Bad => "err",
        _ => "unknown",
    };
}

/// <summary>
/// One alert of an alerting rule, identified by its labels. Mutable: owned by its rule, changed only during the
/// rule's evaluation under the rule's lock; readers get copies (<see cref="Clone"/>).
/// </summary>
public sealed class Alert
{
    public required Labels Labels { get; init; }
    public Labels Annotations { get; set; } = Labels.Empty;
    public AlertState State { get; set; }
    public double Value { get; set; }

    /// <summary>When the alert became pending (the start of the for-duration).</summary>
    public DateTimeOffset ActiveAt { get; set; }

    /// <summary>When it last turned firing; default when it never did.</summary>
    public DateTimeOffset FiredAt { get; set; }

    /// <summary>When it resolved; default while active.</summary>
    public DateTimeOffset ResolvedAt { get; set; }

    /// <summary>When it was last sent to the Alertmanager.</summary>
    public DateTimeOffset LastSentAt { get; set; }

    /// <summary>The end time sent for a firing alert: last send + 4 × max(interval, resend delay).</summary>
    public DateTimeOffset ValidUntil { get; set; }

    /// <summary>Since when it is kept firing by keep_firing_for while its expression no longer returns it; default otherwise.</summary>
    public DateTimeOffset KeepFiringSince { get; set; }

    public Alert Clone() => (Alert)MemberwiseClone();

    internal bool NeedsSending(DateTimeOffset ts, TimeSpan resendDelay)
    {
        if (State == AlertState.Pending) return false;
        if (ResolvedAt > LastSentAt) return true;
        return LastSentAt + resendDelay < ts;
    }
}
