using System.Text.Json;
using Portal.Config.Alertmanager;

namespace Portal.Alerting.Receivers;

/// <summary>
/// Posts Alertmanager's Slack message (one attachment with title, link, text, colour, fields, actions) to an
/// incoming-webhook URL, or to chat.postMessage with an app token. Unset texts use default.tmpl's Slack templates;
/// titles are cut to 1024 characters. A 200 answer that is not "ok" (webhooks) or <c>ok: false</c> (API) fails
/// without retry. Thread-safe.
/// </summary>
public sealed class SlackNotifier(SlackConfig config, NotifierEnvironment env) : INotifier
{
    private const int MaxTitleRunes = 1024;

    public string Integration => "slack";
    public bool SendResolved => config.SendResolved;

    /// <summary>The message body for <paramref name="data"/> (templates expanded), as Go encodes it.</summary>
    public string BuildPayload(TemplateData data)
    {
        var t = env.Templater;
        string T(string? configured, string fallback) => t.Text(configured ?? fallback, data);
        var title = T(config.Title, "{{ template \"slack.default.title\" . }}");
        if (title.EnumerateRunes().Count() > MaxTitleRunes)
        {
            var sb = new System.Text.StringBuilder();
            int n = 0;
            foreach (var r in title.EnumerateRunes())
            {
                if (++n > MaxTitleRunes - 1) break;
                sb.Append(r.ToString());
            }
            title = sb.Append('…').ToString();
        }
        var j = new GoJson().BeginObject()
            .PropOmitEmpty("channel", T(config.Channel, ""))
            .PropOmitEmpty("username", T(config.Username, "{{ template \"slack.default.username\" . }}"))
            .PropOmitEmpty("icon_emoji", T(config.IconEmoji, "{{ template \"slack.default.iconemoji\" . }}"))
            .PropOmitEmpty("icon_url", T(config.IconUrl, "{{ template \"slack.default.iconurl\" . }}"));
        if (config.LinkNames) j.Prop("link_names", true);
        j.PropOmitEmpty("text", T(config.MessageText, ""));
        j.Key("attachments").BeginArray().BeginObject()
            .PropOmitEmpty("title", title)
            .PropOmitEmpty("title_link", T(config.TitleLink, "{{ template \"slack.default.titlelink\" . }}"))
            .PropOmitEmpty("pretext", T(config.Pretext, "{{ template \"slack.default.pretext\" . }}"))
            .Prop("text", T(config.Text, "{{ template \"slack.default.text\" . }}"))
            .Prop("fallback", T(config.Fallback, "{{ template \"slack.default.fallback\" . }}"))
            .Prop("callback_id", T(config.CallbackId, "{{ template \"slack.default.callbackid\" . }}"));
        if (config.Fields is { Count: > 0 })
        {
            j.Key("fields").BeginArray();
            foreach (var f in config.Fields)
            {
                j.BeginObject().PropOmitEmpty("title", T(f.Title, "")).PropOmitEmpty("value", T(f.Value, ""))
                    .Prop("short", f.Short ?? config.ShortFields).EndObject();
            }
            j.EndArray();
        }
        if (config.Actions is { Count: > 0 })
        {
            j.Key("actions").BeginArray();
            foreach (var a in config.Actions)
            {
                j.BeginObject().PropOmitEmpty("type", T(a.Type, "")).PropOmitEmpty("text", T(a.Text, "")).PropOmitEmpty("url", T(a.Url, ""))
                    .PropOmitEmpty("style", T(a.Style, "")).PropOmitEmpty("name", T(a.Name, "")).PropOmitEmpty("value", T(a.Value, ""));
                if (a.Confirm is { } c)
                {
                    j.Key("confirm").BeginObject().PropOmitEmpty("text", T(c.Text, "")).PropOmitEmpty("title", T(c.Title, ""))
                        .PropOmitEmpty("ok_text", T(c.OkText, "")).PropOmitEmpty("dismiss_text", T(c.DismissText, "")).EndObject();
                }
                j.EndObject();
            }
            j.EndArray();
        }
        j.PropOmitEmpty("image_url", T(config.ImageUrl, ""))
            .PropOmitEmpty("thumb_url", T(config.ThumbUrl, ""))
            .Prop("footer", T(config.Footer, "{{ template \"slack.default.footer\" . }}"))
            .PropOmitEmpty("color", T(config.Color, "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}"));
        var mrkdwn = config.MrkdwnIn is { Count: > 0 } m ? m : ["fallback", "pretext", "text"];
        j.Key("mrkdwn_in").BeginArray();
        foreach (var s in mrkdwn) j.String(s);
        j.EndArray();
        j.EndObject().EndArray().EndObject();
        return j.ToEncoderOutput();
    }

    public async Task<NotifyResult> NotifyAsync(NotificationContext ctx, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        var data = TemplateData.Create(ctx.Receiver, ctx.GroupLabels, alerts, env.ExternalUrl, ctx.Now);
        string json;
        try
        {
            json = BuildPayload(data);
        }
        catch (NotificationTemplateException e)
        {
            return NotifyResult.Failed(false, e.Message);
        }
        string url;
        string? token = null;
        try
        {
            token = config.AppToken?.Value ?? (config.AppTokenFile is { } tf ? NotifyHttp.ReadFile(tf) : null);
            url = token is not null ? config.AppUrl ?? SlackConfig.ChatPostMessageUrl
                : config.ApiUrl?.Value ?? (config.ApiUrlFile is { } uf ? NotifyHttp.ReadFile(uf) : throw new IOException("no api_url configured"));
        }
        catch (IOException e)
        {
            return NotifyResult.Failed(false, $"reading Slack URL: {e.Message}");
        }
        var (resp, failure) = await NotifyHttp.PostJsonAsync(env, config.HttpConfig, url, json, config.Timeout.ToTimeSpan(), ct, token).ConfigureAwait(false);
        if (resp is null) return failure;
        using (resp)
        {
            var check = await NotifyHttp.CheckAsync(resp, ct).ConfigureAwait(false);
            if (!check.Success) return check with { Error = $"channel \"{config.Channel}\": {check.Error}" };
            var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var mediaType = resp.Content.Headers.ContentType?.MediaType ?? "";
            if (mediaType.StartsWith("application/json", StringComparison.Ordinal))
            {
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
                    {
                        var err = doc.RootElement.TryGetProperty("error", out var e) ? e.ToString() : "unknown";
                        return NotifyResult.Failed(false, $"error response from Slack: {err}");
                    }
                }
                catch (JsonException e)
                {
                    return NotifyResult.Failed(false, $"could not parse Slack's answer: {e.Message}");
                }
                return NotifyResult.Ok;
            }
            if (body != "ok") return NotifyResult.Failed(false, $"received an error response from Slack: {body}");
            return NotifyResult.Ok;
        }
    }
}
