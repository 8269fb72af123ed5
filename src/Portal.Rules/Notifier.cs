using Portal.Model;

namespace Portal.Rules;

/// <summary>
/// An alert as Prometheus sends it to the Alertmanager (<c>POST /api/v2/alerts</c> payload semantics): labels
/// (rule, series and external labels), annotations, <see cref="StartsAt"/> (when it fired),
/// <see cref="EndsAt"/> (the resolve time, or for a firing alert last send + 4 × max(interval, resend delay), so
/// the Alertmanager resolves it by itself if Prometheus stops sending) and the generator URL (the expression's
/// table view). Immutable.
/// </summary>
public sealed record NotifierAlert(Labels Labels, Labels Annotations, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string GeneratorUrl)
{
    /// <summary>Resolved when its end lies in the past at <paramref name="now"/>.</summary>
    public bool IsResolvedAt(DateTimeOffset now) => EndsAt <= now;
}

/// <summary>
/// Where a tenant's rule manager delivers alerts that fire, are re-sent (every resend delay, 1m) or resolve.
/// Implementations must be thread-safe and must not block for long: groups call <see cref="Send"/> from their
/// evaluation loop (queue and deliver asynchronously).
/// </summary>
public interface IAlertSink
{
    /// <summary>Delivers a batch of alerts of one rule of tenant <paramref name="tenantId"/>.</summary>
    void Send(string tenantId, IReadOnlyList<NotifierAlert> alerts);
}
