using Portal.Alerting;
using Portal.Config;
using Portal.Config.Alertmanager;
using Portal.Data;
using Portal.Model;
using Portal.Tenancy;
using Portal.Web.Hosting;
using AmAlert = Portal.Alerting.Alert;

namespace Portal.Web.Alerting;

/// <summary>The outcome of a change to a team's alerting: empty <see cref="Errors"/> when it was saved and runs.</summary>
public sealed record TeamChangeResult(IReadOnlyList<string> Errors, long Id = 0)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>What one integration answered to a test notification.</summary>
public sealed record TestNotificationResult(string Integration, bool Success, string? Error);

/// <summary>A receiver's templates rendered against an alert: the title (Slack title or email subject) and text (Slack text or email body).</summary>
public sealed record TemplatePreview(string Title, string Text, string AlertSource, string? Error);

/// <summary>
/// Teams' receivers and routes for the UI: every change is checked by generating the tenant's routing tree with it
/// (so a change that would not run is refused with Alertmanager's reasons and nothing is saved), then saved, then the
/// tenant's Alertmanager is reconfigured. Also sends test notifications and renders template previews. Callers check
/// the user's role; every call is scoped to one tenant. Thread-safe.
/// </summary>
public sealed class TeamAlertingService(
    TeamService teams, TeamReceiverService receivers, TenantConfigService configs, TenantEngineRegistry engines, TimeProvider clock)
{
    /// <summary>The tenant's teams with receivers and routes.</summary>
    public Task<IReadOnlyList<TeamAlertingInfo>> ListAsync(string tenantId, CancellationToken ct = default) => receivers.ListAsync(tenantId, ct);

    /// <summary>The effective alertmanager.yml (hand-written plus the teams' tree) with secrets masked, and its errors.</summary>
    public async Task<(string Yaml, IReadOnlyList<string> Errors)> EffectiveYamlAsync(string tenantId, CancellationToken ct = default)
    {
        var r = await configs.EffectiveAlertmanagerAsync(tenantId, ct: ct);
        if (r.Config is { } c) return (ConfigSerializer.ToYaml(c, maskSecrets: true), r.Errors.Select(e => e.ToString()).ToList());
        var masked = SecretText.Mask<AlertmanagerConfig>(r.Yaml);
        return (masked.Text, r.Errors.Select(e => masked.Redact(e.ToString())).ToList());
    }

    /// <summary>Creates a team (its alerts are routed once it has a receiver).</summary>
    public async Task<TeamChangeResult> CreateTeamAsync(string tenantId, string name, string actor, CancellationToken ct = default)
    {
        try
        {
            var t = await teams.CreateAsync(tenantId, name, actor, ct);
            return new([], t.Id);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return new([e.Message]);
        }
    }

    /// <summary>Deletes a team with its receivers and route, and reconfigures the Alertmanager.</summary>
    public async Task<TeamChangeResult> DeleteTeamAsync(string tenantId, long teamId, string actor, CancellationToken ct = default)
    {
        if (!await teams.DeleteAsync(tenantId, teamId, actor, ct)) return new(["no such team in this tenant; reload the page"]);
        return new(await Reapply(tenantId, ct));
    }

    /// <summary>Adds (<paramref name="id"/> 0) or changes a receiver of a team, after checking the tenant's configuration still loads with it.</summary>
    public async Task<TeamChangeResult> SaveReceiverAsync(string tenantId, long teamId, long id, string name, ReceiverKind kind, string settingsJson, string actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (TeamReceiverService.CheckReceiverName(name) is { } bad) return new([$"name: {bad}"]);
        var all = await receivers.ListAsync(tenantId, ct);
        var team = all.FirstOrDefault(t => t.Team.Id == teamId);
        if (team is null) return new(["no such team in this tenant; reload the page"]);
        if (team.Receivers.Any(r => r.Name == name && r.Id != id))
            return new([$"name: team {team.Team.Name} already has a receiver named \"{name}\"; choose another name"]);
        var candidate = new TeamReceiver { Id = id, TeamId = teamId, TenantId = tenantId, Name = name, Kind = kind, SettingsJson = settingsJson };
        var changed = all.Select(t => t.Team.Id != teamId ? t
            : t with { Receivers = [.. t.Receivers.Where(r => r.Id != id || id == 0), candidate] }).ToList();
        var check = await configs.EffectiveAlertmanagerAsync(tenantId, TeamRoutingMapper.ToRouting(changed), ct);
        if (!check.Success) return new(Describe(check.Errors));
        TeamReceiver? saved;
        try
        {
            saved = await receivers.SaveReceiverAsync(tenantId, teamId, id, name, kind, settingsJson, actor, ct);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return new([e.Message]);
        }
        if (saved is null) return new(["no such receiver in this tenant; reload the page"]);
        return new(await Reapply(tenantId, ct), saved.Id);
    }

    /// <summary>Deletes a receiver and reconfigures the Alertmanager.</summary>
    public async Task<TeamChangeResult> DeleteReceiverAsync(string tenantId, long receiverId, string actor, CancellationToken ct = default)
    {
        if (!await receivers.DeleteReceiverAsync(tenantId, receiverId, actor, ct)) return new(["no such receiver in this tenant; reload the page"]);
        return new(await Reapply(tenantId, ct));
    }

    /// <summary>Sets a team's routing rule after checking the tenant's configuration still loads with it.</summary>
    public async Task<TeamChangeResult> SaveRouteAsync(string tenantId, long teamId, TeamRoute route, string actor, CancellationToken ct = default)
    {
        var all = await receivers.ListAsync(tenantId, ct);
        var team = all.FirstOrDefault(t => t.Team.Id == teamId);
        if (team is null) return new(["no such team in this tenant; reload the page"]);
        var errors = new List<string>();
        foreach (var (key, v) in new[] { ("group_wait", route.GroupWait), ("group_interval", route.GroupInterval), ("repeat_interval", route.RepeatInterval) })
            if (!string.IsNullOrWhiteSpace(v) && !PromDuration.TryParse(v.Trim(), out _, out var why))
                errors.Add($"{key}: \"{v.Trim()}\" is not a duration ({why}); write e.g. 30s, 5m or 4h");
        if (errors.Count > 0) return new(errors);
        var changed = all.Select(t => t.Team.Id != teamId ? t : t with { Route = route }).ToList();
        if (team.Receivers.Count == 0 && team.Route is null)
        {
            // A team without receivers adds no route; check the rule as if it had one so mistakes show now.
            var probe = new TeamReceiver { TeamId = teamId, TenantId = tenantId, Name = "probe", Kind = ReceiverKind.Webhook, SettingsJson = "{\"url\":\"http://127.0.0.1/\"}" };
            changed = all.Select(t => t.Team.Id != teamId ? t : t with { Route = route, Receivers = [probe] }).ToList();
        }
        var check = await configs.EffectiveAlertmanagerAsync(tenantId, TeamRoutingMapper.ToRouting(changed), ct);
        if (!check.Success) return new(Describe(check.Errors));
        if (!await receivers.SaveRouteAsync(tenantId, teamId, route, actor, ct)) return new(["no such team in this tenant; reload the page"]);
        return new(await Reapply(tenantId, ct));
    }

    /// <summary>
    /// Sends a synthetic alert (<c>alertname="TestNotification"</c>, the team's label) through the receiver's real
    /// integration and returns what it answered. The attempt is recorded in alert history like any other.
    /// </summary>
    public async Task<IReadOnlyList<TestNotificationResult>> TestAsync(string tenantId, long receiverId, CancellationToken ct = default)
    {
        var (team, receiver) = await FindAsync(tenantId, receiverId, ct);
        if (team is null || receiver is null) return [new("", false, "no such receiver in this tenant; reload the page")];
        var am = engines.Get(tenantId).Alerting.Alertmanager;
        var now = clock.GetUtcNow();
        var alert = new AmAlert
        {
            Labels = Labels.FromStrings("alertname", "TestNotification", "team", team.Name, "severity", "none", "instance", "portal"),
            Annotations = Labels.FromStrings("summary", "Test notification from Portal", "description", $"Sent from the Teams page to receiver {receiver.Name} of team {team.Name}."),
            StartsAt = now,
            UpdatedAt = now,
        };
        var results = await am.TestReceiverAsync(TeamRoutingTree.ReceiverName(team.Name, receiver.Name), [alert], ct);
        if (results is null) return [new("", false, "the receiver is not in the running configuration; save it again and check the errors shown")];
        if (results.Count == 0) return [new("", false, "the receiver has no integration to send to")];
        return results.Select(r => new TestNotificationResult(r.Integration, r.Result.Success, r.Result.Error)).ToList();
    }

    /// <summary>
    /// Renders a receiver's title and text templates with the running notification templates, against the firing
    /// alert <paramref name="fingerprint"/> (16 hex digits) of the tenant's Alertmanager, or a sample alert when null.
    /// <paramref name="settingsJson"/> is the receiver's (possibly unsaved) settings.
    /// </summary>
    public TemplatePreview Preview(string tenantId, string teamName, string receiverName, ReceiverKind kind, string settingsJson, string? fingerprint)
    {
        var am = engines.Get(tenantId).Alerting.Alertmanager;
        var now = clock.GetUtcNow();
        AmAlert? alert = null;
        string source;
        if (fingerprint is { Length: > 0 } && ulong.TryParse(fingerprint, System.Globalization.NumberStyles.HexNumber, null, out var fp)) alert = am.Alerts.Get(fp);
        if (alert is not null) source = "firing alert " + Fingerprints.LabelSetString(alert.Labels);
        else
        {
            source = "sample alert";
            alert = new AmAlert
            {
                Labels = Labels.FromStrings("alertname", "InstanceDown", "team", teamName, "severity", "page", "instance", "db-1:9100", "job", "node"),
                Annotations = Labels.FromStrings("summary", "db-1:9100 is down", "description", "db-1:9100 of job node has been down for more than 5 minutes."),
                StartsAt = now.AddMinutes(-5),
                UpdatedAt = now,
            };
        }
        var data = TemplateData.Create(TeamRoutingTree.ReceiverName(teamName, receiverName), alert.Labels.Keep("alertname"), [alert], ExternalUrl(tenantId), now);
        var settings = ReceiverSettings.Parse(settingsJson);
        string titleTemplate, textTemplate;
        bool html = false;
        switch (kind)
        {
            case ReceiverKind.Slack:
                titleTemplate = settings.GetValueOrDefault("title") ?? "{{ template \"slack.default.title\" . }}";
                textTemplate = settings.GetValueOrDefault("text") ?? "{{ template \"slack.default.text\" . }}";
                break;
            case ReceiverKind.Email:
                titleTemplate = ReceiverSettings.Header(settingsJson, "Subject") ?? "{{ template \"email.default.subject\" . }}";
                if (settings.GetValueOrDefault("text") is { Length: > 0 } text) textTemplate = text;
                else
                {
                    textTemplate = settings.GetValueOrDefault("html") ?? "{{ template \"email.default.html\" . }}";
                    html = true;
                }
                break;
            default:
                return new TemplatePreview("", WebhookNotifierPayload(data), source, null);
        }
        try
        {
            return new TemplatePreview(am.Templater.Text(titleTemplate, data), html ? am.Templater.Html(textTemplate, data) : am.Templater.Text(textTemplate, data), source, null);
        }
        catch (Portal.Alerting.Receivers.NotificationTemplateException e)
        {
            return new TemplatePreview("", "", source, e.Message);
        }
    }

    /// <summary>The firing alerts of the tenant's Alertmanager, for choosing one to preview against.</summary>
    public IReadOnlyList<(string Fingerprint, string Text)> FiringAlerts(string tenantId)
    {
        var alerting = engines.Get(tenantId).Alerting;
        if (!alerting.IsStarted) return [];
        var now = clock.GetUtcNow();
        return alerting.Alertmanager.Alerts.List().Where(a => !a.ResolvedAt(now))
            .Select(a => (Fingerprints.ToHex(a.Fingerprint), Fingerprints.LabelSetString(a.Labels))).OrderBy(a => a.Item2, StringComparer.Ordinal).ToList();
    }

    private static string WebhookNotifierPayload(TemplateData data) =>
        Portal.Alerting.Receivers.WebhookNotifier.BuildPayload(data, "{}:{alertname=\"" + (data.GroupLabels.GetValueOrDefault("alertname") ?? "") + "\"}", 0);

    private string ExternalUrl(string tenantId) => engines.Get(tenantId).Alerting.ExternalUrl;

    private async Task<(Team? Team, TeamReceiver? Receiver)> FindAsync(string tenantId, long receiverId, CancellationToken ct)
    {
        foreach (var t in await receivers.ListAsync(tenantId, ct))
            foreach (var r in t.Receivers)
                if (r.Id == receiverId) return (t.Team, r);
        return (null, null);
    }

    private async Task<IReadOnlyList<string>> Reapply(string tenantId, CancellationToken ct) =>
        Describe(await configs.ReapplyAlertmanagerAsync(tenantId, ct));

    private static IReadOnlyList<string> Describe(IReadOnlyList<ConfigError> errors) => errors.Select(e => e.ToString()).ToList();
}
