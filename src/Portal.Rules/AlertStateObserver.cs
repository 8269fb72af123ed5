using Portal.Model;

namespace Portal.Rules;

/// <summary>
/// One change of one alert's state as its rule's evaluation saw it: <c>pending</c> (the expression started returning
/// it), <c>firing</c> (its for-duration passed), <c>resolved</c> (a firing alert's expression stopped returning it) or
/// <c>inactive</c> (a pending alert went away before firing). <see cref="Labels"/> include the tenant's external
/// labels, as sent to the Alertmanager, so the fingerprint matches the Alertmanager's. Immutable.
/// </summary>
public sealed record AlertTransition(
    string RuleName,
    Labels Labels,
    Labels Annotations,
    string State,
    double Value,
    DateTimeOffset At,
    DateTimeOffset ActiveAt);

/// <summary>
/// Told about every alert state change of a tenant's rules. Called on the evaluation thread right after a rule's
/// evaluation, once per rule with changes and never when nothing changed; implementations must be thread-safe and
/// return at once (queue the work, never do I/O on the caller's thread). Exceptions are logged and ignored.
/// </summary>
public interface IAlertStateObserver
{
    void OnTransitions(string tenantId, IReadOnlyList<AlertTransition> transitions);
}
