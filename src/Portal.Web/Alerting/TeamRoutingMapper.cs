using Portal.Config.Alertmanager;
using Portal.Data;

namespace Portal.Web.Alerting;

/// <summary>Turns stored teams, receivers and routes into <see cref="TeamRoutingTree"/>'s input.</summary>
public static class TeamRoutingMapper
{
    /// <summary>The Alertmanager list a receiver kind's settings belong to.</summary>
    public static string ConfigsKey(ReceiverKind kind) => kind switch
    {
        ReceiverKind.Slack => "slack_configs",
        ReceiverKind.Email => "email_configs",
        ReceiverKind.Webhook => "webhook_configs",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<TeamRouting> ToRouting(IReadOnlyList<TeamAlertingInfo> teams) =>
        teams.Select(t => new TeamRouting(
            t.Team.Name,
            t.Receivers.Select(r => new TeamReceiverSpec(r.Name, ConfigsKey(r.Kind), r.SettingsJson)).ToList(),
            ToSpec(t.Route))).ToList();

    public static TeamRouteSpec ToSpec(TeamRoute? r) => new(
        (r?.Matchers ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        r?.GroupBy is { Length: > 0 } gb ? gb.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
        r?.GroupWait, r?.GroupInterval, r?.RepeatInterval);
}
