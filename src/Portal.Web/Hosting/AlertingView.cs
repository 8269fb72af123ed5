using Portal.Alerting;
using Portal.Model;
using Portal.Rules;
using Portal.Tenancy;

namespace Portal.Web.Hosting;

/// <summary>
/// One pending or firing alert of a tenant's alerting rule, as the Alerts page shows it. <see cref="SilencedBy"/>
/// lists the active silences of the tenant's Alertmanager muting it (matched on the labels the rule manager sends,
/// i.e. with the external labels added); <see cref="InhibitedBy"/> the fingerprints of the alerts inhibiting it,
/// once the Alertmanager has received it (pending alerts are not sent, so they are never inhibited).
/// </summary>
public sealed record ActiveAlertView(
    string RuleName, string Group, string File, Labels Labels, Labels Annotations, AlertState State,
    DateTimeOffset ActiveAt, double Value, IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy);

/// <summary>
/// The tenant's alerting data the alerting pages read: the rule manager's active alerts (the same data as
/// <c>/api/v1/alerts</c>) joined with the Alertmanager's silences (the same data as <c>/alertmanager/api/v2</c>).
/// Reads only; every method works on one tenant's engine, so nothing crosses tenants.
/// </summary>
public static class AlertingView
{
    /// <summary>Every pending or firing alert of <paramref name="engine"/>'s rules, in group and rule order.</summary>
    public static List<ActiveAlertView> ActiveAlerts(TenantEngine engine)
    {
        var result = new List<ActiveAlertView>();
        var external = engine.Rules.Options.ExternalLabels;
        Portal.Alerting.Alertmanager? am = null;
        foreach (var g in engine.Rules.Groups)
            foreach (var rule in g.Rules)
            {
                if (rule is not AlertingRule a) continue;
                foreach (var alert in a.ActiveAlerts())
                {
                    // The Alertmanager starts on first use; rule alerts have started it already, so this does not create one for nothing.
                    am ??= engine.Alerting.Alertmanager;
                    var sent = WithExternalLabels(alert.Labels, external);
                    IReadOnlyList<string> muted, inhibited = [];
                    if (am.Alerts.Get(Fingerprints.Of(sent)) is { } received && !received.ResolvedAt(am.Now))
                    {
                        var status = am.StatusOf(received);
                        muted = status.SilencedBy;
                        inhibited = status.InhibitedBy;
                    }
                    else muted = am.Silences.MutedBy(sent);
                    result.Add(new ActiveAlertView(a.Name, g.Name, g.File, alert.Labels, alert.Annotations, alert.State, alert.ActiveAt, alert.Value, muted, inhibited));
                }
            }
        return result;
    }

    /// <summary>The labels an alert carries once sent to the Alertmanager: its own, plus each external label it lacks.</summary>
    public static Labels WithExternalLabels(Labels labels, Labels external)
    {
        if (external.Count == 0) return labels;
        var lb = new LabelsBuilder(labels);
        foreach (var l in external)
            if (!labels.Has(l.Name)) lb.Set(l.Name, l.Value);
        return lb.Build();
    }

    /// <summary>The label sets of the alerts the tenant's Alertmanager holds that have not resolved, for silence previews.</summary>
    public static IReadOnlyList<Labels> AlertmanagerAlerts(TenantEngine engine)
    {
        var am = engine.Alerting.Alertmanager;
        var now = am.Now;
        var list = new List<Labels>();
        foreach (var a in am.Alerts.List())
            if (!a.ResolvedAt(now)) list.Add(a.Labels);
        list.Sort(static (x, y) => x.CompareTo(y));
        return list;
    }
}
