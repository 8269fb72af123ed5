using Portal.Config.Alertmanager;

namespace Portal.Alerting.Receivers;

/// <summary>
/// Posts Alertmanager's webhook payload (version 4) to the configured URL: the template data (receiver, status,
/// alerts, group/common labels, common annotations, externalURL) plus version, groupKey and truncatedAlerts,
/// encoded as Go encodes it. <c>max_alerts</c> truncates. Thread-safe.
/// </summary>
public sealed class WebhookNotifier(WebhookConfig config, NotifierEnvironment env) : INotifier
{
    public string Integration => "webhook";
    public bool SendResolved => config.SendResolved;

    public async Task<NotifyResult> NotifyAsync(NotificationContext ctx, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        long truncated = 0;
        if (config.MaxAlerts > 0 && (ulong)alerts.Count > config.MaxAlerts)
        {
            truncated = alerts.Count - (long)config.MaxAlerts;
            alerts = alerts.Take((int)config.MaxAlerts).ToList();
        }
        var data = TemplateData.Create(ctx.Receiver, ctx.GroupLabels, alerts, env.ExternalUrl, ctx.Now);
        var json = BuildPayload(data, ctx.GroupKey, truncated);
        string url;
        try
        {
            url = config.Url?.Value ?? NotifyHttp.ReadFile(config.UrlFile!);
        }
        catch (IOException e)
        {
            return NotifyResult.Failed(false, $"reading url_file: {e.Message}");
        }
        var (resp, failure) = await NotifyHttp.PostJsonAsync(env, config.HttpConfig, url, json, config.Timeout.ToTimeSpan(), ct).ConfigureAwait(false);
        if (resp is null) return failure;
        using (resp) return await NotifyHttp.CheckAsync(resp, ct).ConfigureAwait(false);
    }

    /// <summary>The webhook body exactly as Alertmanager's <c>json.Encoder</c> writes it (trailing newline included).</summary>
    public static string BuildPayload(TemplateData data, string groupKey, long truncatedAlerts)
    {
        var j = new GoJson().BeginObject()
            .Prop("receiver", data.Receiver)
            .Prop("status", data.Status)
            .Key("alerts").BeginArray();
        foreach (var a in data.Alerts)
        {
            j.BeginObject()
                .Prop("status", a.Status)
                .Key("labels").Map(a.Labels)
                .Key("annotations").Map(a.Annotations)
                .Prop("startsAt", Fingerprints.Rfc3339Nano(a.StartsAt))
                .Prop("endsAt", a.EndsAt == default ? "0001-01-01T00:00:00Z" : Fingerprints.Rfc3339Nano(a.EndsAt))
                .Prop("generatorURL", a.GeneratorURL)
                .Prop("fingerprint", a.Fingerprint)
                .EndObject();
        }
        j.EndArray()
            .Key("groupLabels").Map(data.GroupLabels)
            .Key("commonLabels").Map(data.CommonLabels)
            .Key("commonAnnotations").Map(data.CommonAnnotations)
            .Prop("externalURL", data.ExternalURL)
            .Prop("version", "4")
            .Prop("groupKey", groupKey)
            .Prop("truncatedAlerts", truncatedAlerts)
            .EndObject();
        return j.ToEncoderOutput();
    }
}
