namespace Portal.Alerting;

/// <summary>What one flush of an aggregation group is about; passed to every stage and notifier. Immutable.</summary>
public sealed record NotificationContext(
    string GroupKey,
    Portal.Model.Labels GroupLabels,
    string Receiver,
    string RouteId,
    DateTimeOffset Now,
    TimeSpan RepeatInterval,
    IReadOnlyList<string> MuteTimeIntervals,
    IReadOnlyList<string> ActiveTimeIntervals);

/// <summary>The outcome of one delivery attempt. <see cref="Retry"/> says whether trying again may help.</summary>
public readonly record struct NotifyResult(bool Success, bool Retry, string? Error)
{
    public static readonly NotifyResult Ok = new(true, false, null);
    public static NotifyResult Failed(bool retry, string error) => new(false, retry, error);
}

/// <summary>
/// One configured integration of a receiver (one entry of <c>webhook_configs</c>, <c>slack_configs</c>, …).
/// Implementations must be thread-safe: different groups notify concurrently.
/// </summary>
public interface INotifier
{
    /// <summary>The integration name as Alertmanager logs it: <c>webhook</c>, <c>slack</c>, <c>email</c>.</summary>
    string Integration { get; }

    /// <summary>Whether resolved alerts are sent (<c>send_resolved</c>).</summary>
    bool SendResolved { get; }

    /// <summary>Delivers one notification. Must not throw for delivery problems: report them in the result.</summary>
    Task<NotifyResult> NotifyAsync(NotificationContext context, IReadOnlyList<Alert> alerts, CancellationToken ct);
}

/// <summary>One delivery attempt to one integration, successful or not, with the reason when it failed. Immutable.</summary>
public sealed record NotificationAttempt(
    string TenantId,
    string Receiver,
    string Integration,
    int Index,
    string GroupKey,
    int Attempt,
    DateTimeOffset At,
    TimeSpan Duration,
    bool Success,
    bool Retryable,
    string? Error,
    int FiringAlerts,
    int ResolvedAlerts)
{
    /// <summary>The label sets of the alerts in the notification (empty when not known).</summary>
    public IReadOnlyList<Portal.Model.Labels> AlertLabels { get; init; } = [];
}

/// <summary>
/// Receives every delivery attempt (a later part stores them as alert history). Called from notification threads
/// concurrently; implementations must be thread-safe and quick (no blocking I/O on the caller's thread).
/// </summary>
public interface INotificationRecorder
{
    void Record(NotificationAttempt attempt);
}

/// <summary>A recorder that keeps nothing.</summary>
public sealed class NullNotificationRecorder : INotificationRecorder
{
    public static readonly NullNotificationRecorder Instance = new();
    public void Record(NotificationAttempt attempt) { }
}

/// <summary>A recorder keeping the most recent attempts in memory (bounded). Thread-safe.</summary>
public sealed class MemoryNotificationRecorder(int capacity = 1000) : INotificationRecorder
{
    private readonly Queue<NotificationAttempt> _q = new();

    public void Record(NotificationAttempt attempt)
    {
        lock (_q)
        {
            _q.Enqueue(attempt);
            while (_q.Count > capacity) _q.Dequeue();
        }
    }

    public List<NotificationAttempt> Snapshot()
    {
        lock (_q) return [.. _q];
    }
}
