using Portal.Config.Prometheus;

namespace Portal.Config.Alertmanager;

/// <summary>Fields every notifier has. <see cref="HttpConfig"/> falls back to the global http_config on load.</summary>
public abstract class NotifierConfig : ConfigObject
{
    [YamlKey("send_resolved")] public bool SendResolved { get; set; } = true;
    [YamlKey("http_config")] public HttpClientConfig? HttpConfig { get; set; }

    /// <summary>The YAML key of the list this kind lives in, e.g. <c>webhook_configs</c>.</summary>
    public abstract string Key { get; }

    /// <summary>Server files this notifier reads (for hosted-mode checks).</summary>
    internal virtual IEnumerable<(string Key, string Path)> FileReferences() => [];

    /// <summary>URLs this notifier sends to (for hosted-mode checks).</summary>
    internal virtual IEnumerable<(string Key, string Url)> Urls() => [];

    private protected static IEnumerable<(string, string)> Files(params (string Key, string? Path)[] items)
    {
        foreach (var (k, p) in items)
            if (!string.IsNullOrEmpty(p)) yield return (k, p);
    }

    private protected void AtMostOne(LoadContext ctx, string a, string? av, string b, string? bv)
    {
        if (!string.IsNullOrEmpty(av) && !string.IsNullOrEmpty(bv)) ctx.Error(this, a, $"at most one of {a} & {b} must be configured");
    }

    private protected static void CheckUrl(LoadContext ctx, ConfigObject o, string key, string? url)
    {
        if (string.IsNullOrEmpty(url) || url == Secret.Mask || url.Contains("{{", StringComparison.Ordinal)) return;
        var err = AmUrl.Check(url);
        if (err is not null) ctx.Error(o, key, err);
    }
}

/// <summary>Alertmanager's URL rule: http or https with a host.</summary>
internal static class AmUrl
{
    public static string? Check(string url)
    {
        int i = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = i > 0 ? url[..i] : "";
        if (scheme is not ("http" or "https")) return $"unsupported scheme \"{scheme}\" for URL (use http or https)";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host)) return "missing host for URL";
        return null;
    }
}

[YamlType("email_threading")]
public sealed class EmailThreading : ConfigObject
{
    [YamlKey("enabled")] public bool Enabled { get; set; }
    [YamlKey("thread_by_date")] public string? ThreadByDate { get; set; }
}

[YamlType("email_config")]
public sealed class EmailConfig : NotifierConfig
{
    public EmailConfig() => SendResolved = false;
    public override string Key => "email_configs";
    [YamlKey("to")] public string? To { get; set; }
    [YamlKey("from")] public string? From { get; set; }
    [YamlKey("hello")] public string? Hello { get; set; }
    [YamlKey("smarthost")] public string? Smarthost { get; set; }
    [YamlKey("auth_username")] public string? AuthUsername { get; set; }
    [YamlKey("auth_password")] public Secret? AuthPassword { get; set; }
    [YamlKey("auth_password_file")] public string? AuthPasswordFile { get; set; }
    [YamlKey("auth_secret")] public Secret? AuthSecret { get; set; }
    [YamlKey("auth_secret_file")] public string? AuthSecretFile { get; set; }
    [YamlKey("auth_identity")] public string? AuthIdentity { get; set; }
    [YamlKey("headers")] public Dictionary<string, string>? Headers { get; set; }
    [YamlKey("html")] public string? Html { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("require_tls")] public bool? RequireTls { get; set; }
    [YamlKey("force_implicit_tls")] public bool? ForceImplicitTls { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("threading")] public EmailThreading? Threading { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("auth_password_file", AuthPasswordFile), ("auth_secret_file", AuthSecretFile));

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(To)) ctx.Error(this, null, "missing to address in email config");
        if (Headers is not null)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in Headers.Keys)
                if (!seen.Add(h)) ctx.Error(this, "headers", $"duplicate header \"{h}\" in email config");
        }
        AtMostOne(ctx, "auth_password", AuthPassword?.Value, "auth_password_file", AuthPasswordFile);
        AtMostOne(ctx, "auth_secret", AuthSecret?.Value, "auth_secret_file", AuthSecretFile);
        if (!string.IsNullOrEmpty(Smarthost) && HostPort.Check(Smarthost) is { } err) ctx.Error(this, "smarthost", err);
    }
}

/// <summary>"host:port" as Alertmanager requires for SMTP smarthosts.</summary>
internal static class HostPort
{
    public static string? Check(string s)
    {
        int i = s.LastIndexOf(':');
        if (i < 0) return $"address {s}: missing port in address";
        if (i == s.Length - 1) return $"address \"{s}\": port cannot be empty";
        return null;
    }
}

[YamlType("slack_field")]
public sealed class SlackField : ConfigObject
{
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("value")] public string? Value { get; set; }
    [YamlKey("short")] public bool? Short { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Title)) ctx.Error(this, null, "missing title in Slack field configuration");
        if (string.IsNullOrEmpty(Value)) ctx.Error(this, null, "missing value in Slack field configuration");
    }
}

[YamlType("slack_confirmation")]
public sealed class SlackConfirmation : ConfigObject
{
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("ok_text")] public string? OkText { get; set; }
    [YamlKey("dismiss_text")] public string? DismissText { get; set; }
}

[YamlType("slack_action")]
public sealed class SlackAction : ConfigObject
{
    [YamlKey("type")] public string? Type { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("style")] public string? Style { get; set; }
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("value")] public string? Value { get; set; }
    [YamlKey("confirm")] public SlackConfirmation? Confirm { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Type)) ctx.Error(this, null, "missing type in Slack action configuration");
        if (string.IsNullOrEmpty(Text)) ctx.Error(this, null, "missing text in Slack action configuration");
        if (string.IsNullOrEmpty(Url) && string.IsNullOrEmpty(Name)) ctx.Error(this, null, "missing name or url in Slack action configuration");
    }
}

[YamlType("slack_config")]
public sealed class SlackConfig : NotifierConfig
{
    public const string ChatPostMessageUrl = "https://slack.com/api/chat.postMessage";
    public SlackConfig() => SendResolved = false;
    public override string Key => "slack_configs";
    [YamlKey("api_url")] public Secret? ApiUrl { get; set; }
    [YamlKey("api_url_file")] public string? ApiUrlFile { get; set; }
    [YamlKey("app_token")] public Secret? AppToken { get; set; }
    [YamlKey("app_token_file")] public string? AppTokenFile { get; set; }
    [YamlKey("app_url")] public string? AppUrl { get; set; }
    [YamlKey("channel")] public string? Channel { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("color")] public string? Color { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("title_link")] public string? TitleLink { get; set; }
    [YamlKey("pretext")] public string? Pretext { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("message_text")] public string? MessageText { get; set; }
    [YamlKey("fields")] public List<SlackField>? Fields { get; set; }
    [YamlKey("short_fields")] public bool ShortFields { get; set; }
    [YamlKey("footer")] public string? Footer { get; set; }
    [YamlKey("fallback")] public string? Fallback { get; set; }
    [YamlKey("callback_id")] public string? CallbackId { get; set; }
    [YamlKey("icon_emoji")] public string? IconEmoji { get; set; }
    [YamlKey("icon_url")] public string? IconUrl { get; set; }
    [YamlKey("image_url")] public string? ImageUrl { get; set; }
    [YamlKey("thumb_url")] public string? ThumbUrl { get; set; }
    [YamlKey("link_names")] public bool LinkNames { get; set; }
    [YamlKey("mrkdwn_in")] public List<string>? MrkdwnIn { get; set; }
    [YamlKey("actions")] public List<SlackAction>? Actions { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }
    [YamlKey("update_message")] public bool UpdateMessage { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("api_url_file", ApiUrlFile), ("app_token_file", AppTokenFile));
    internal override IEnumerable<(string, string)> Urls()
    {
        if (!string.IsNullOrEmpty(ApiUrl?.Value)) yield return ("api_url", ApiUrl.Value);
        if (!string.IsNullOrEmpty(AppUrl)) yield return ("app_url", AppUrl);
    }

    internal override void Validate(LoadContext ctx)
    {
        AtMostOne(ctx, "api_url", ApiUrl?.Value, "api_url_file", ApiUrlFile);
        AtMostOne(ctx, "app_token", AppToken?.Value, "app_token_file", AppTokenFile);
        CheckUrl(ctx, this, "api_url", ApiUrl?.Value);
        CheckUrl(ctx, this, "app_url", AppUrl);
        if (UpdateMessage && string.IsNullOrEmpty(AppToken?.Value) && string.IsNullOrEmpty(AppTokenFile) && ApiUrl is not null && ApiUrl.Value != ChatPostMessageUrl)
            ctx.Error(this, "update_message", $"update_message can only be used with bot tokens. api_url must be set to {ChatPostMessageUrl}");
    }
}

[YamlType("webhook_config")]
public sealed class WebhookConfig : NotifierConfig
{
    public override string Key => "webhook_configs";
    [YamlKey("url")] public Secret? Url { get; set; }
    [YamlKey("url_file")] public string? UrlFile { get; set; }
    [YamlKey("max_alerts")] public ulong MaxAlerts { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }
    [YamlKey("payload")] public Dictionary<string, string>? Payload { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("url_file", UrlFile));
    internal override IEnumerable<(string, string)> Urls()
    {
        if (!string.IsNullOrEmpty(Url?.Value)) yield return ("url", Url.Value);
    }

    internal override void Validate(LoadContext ctx)
    {
        bool u = !string.IsNullOrEmpty(Url?.Value), f = !string.IsNullOrEmpty(UrlFile);
        if (!u && !f) ctx.Error(this, null, "one of url or url_file must be configured");
        if (u && f) ctx.Error(this, "url", "at most one of url & url_file must be configured");
        CheckUrl(ctx, this, "url", Url?.Value);
    }
}

[YamlType("pagerduty_image")]
public sealed class PagerdutyImage : ConfigObject
{
    [YamlKey("src")] public string? Src { get; set; }
    [YamlKey("alt")] public string? Alt { get; set; }
    [YamlKey("href")] public string? Href { get; set; }
}

[YamlType("pagerduty_link")]
public sealed class PagerdutyLink : ConfigObject
{
    [YamlKey("href")] public string? Href { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
}

[YamlType("pagerduty_config")]
public sealed class PagerdutyConfig : NotifierConfig
{
    public override string Key => "pagerduty_configs";
    [YamlKey("service_key")] public Secret? ServiceKey { get; set; }
    [YamlKey("service_key_file")] public string? ServiceKeyFile { get; set; }
    [YamlKey("routing_key")] public Secret? RoutingKey { get; set; }
    [YamlKey("routing_key_file")] public string? RoutingKeyFile { get; set; }
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("client")] public string? Client { get; set; }
    [YamlKey("client_url")] public string? ClientUrl { get; set; }
    [YamlKey("description")] public string? Description { get; set; }
    [YamlKey("details")] public Dictionary<string, object?>? Details { get; set; }
    [YamlKey("images")] public List<PagerdutyImage>? Images { get; set; }
    [YamlKey("links")] public List<PagerdutyLink>? Links { get; set; }
    [YamlKey("source")] public string? Source { get; set; }
    [YamlKey("severity")] public string? Severity { get; set; }
    [YamlKey("class")] public string? Class { get; set; }
    [YamlKey("component")] public string? Component { get; set; }
    [YamlKey("group")] public string? Group { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("service_key_file", ServiceKeyFile), ("routing_key_file", RoutingKeyFile));

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(RoutingKey?.Value) && string.IsNullOrEmpty(ServiceKey?.Value) && string.IsNullOrEmpty(RoutingKeyFile) && string.IsNullOrEmpty(ServiceKeyFile))
            ctx.Error(this, null, "missing service or routing key in PagerDuty config");
        AtMostOne(ctx, "routing_key", RoutingKey?.Value, "routing_key_file", RoutingKeyFile);
        AtMostOne(ctx, "service_key", ServiceKey?.Value, "service_key_file", ServiceKeyFile);
        CheckUrl(ctx, this, "url", Url);
    }
}

[YamlType("opsgenie_responder")]
public sealed class OpsGenieResponder : ConfigObject
{
    [YamlKey("id")] public string? Id { get; set; }
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("type")] public string? Type { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Id) && string.IsNullOrEmpty(Name) && string.IsNullOrEmpty(Username))
            ctx.Error(this, null, "opsGenieConfig responder has to have at least one of id, username or name specified");
        if (string.IsNullOrEmpty(Type)) ctx.Error(this, null, "opsGenieConfig responder type must be specified (team, teams, user, escalation or schedule)");
        else if (!Type.Contains("{{", StringComparison.Ordinal) && Type.ToLowerInvariant() is not ("team" or "teams" or "user" or "escalation" or "schedule"))
            ctx.Error(this, "type", $"opsGenieConfig responder type \"{Type}\" is not valid (team, teams, user, escalation or schedule)");
    }
}

[YamlType("opsgenie_config")]
public sealed class OpsGenieConfig : NotifierConfig
{
    public override string Key => "opsgenie_configs";
    [YamlKey("api_key")] public Secret? ApiKey { get; set; }
    [YamlKey("api_key_file")] public string? ApiKeyFile { get; set; }
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("description")] public string? Description { get; set; }
    [YamlKey("source")] public string? Source { get; set; }
    [YamlKey("details")] public Dictionary<string, string>? Details { get; set; }
    [YamlKey("entity")] public string? Entity { get; set; }
    [YamlKey("responders")] public List<OpsGenieResponder>? Responders { get; set; }
    [YamlKey("actions")] public string? Actions { get; set; }
    [YamlKey("tags")] public string? Tags { get; set; }
    [YamlKey("note")] public string? Note { get; set; }
    [YamlKey("priority")] public string? Priority { get; set; }
    [YamlKey("update_alerts")] public bool UpdateAlerts { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("api_key_file", ApiKeyFile));
    internal override void Validate(LoadContext ctx)
    {
        AtMostOne(ctx, "api_key", ApiKey?.Value, "api_key_file", ApiKeyFile);
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("wechat_config")]
public sealed class WechatConfig : NotifierConfig
{
    public WechatConfig() => SendResolved = false;
    public override string Key => "wechat_configs";
    [YamlKey("api_secret")] public Secret? ApiSecret { get; set; }
    [YamlKey("api_secret_file")] public string? ApiSecretFile { get; set; }
    [YamlKey("corp_id")] public string? CorpId { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("to_user")] public string? ToUser { get; set; }
    [YamlKey("to_party")] public string? ToParty { get; set; }
    [YamlKey("to_tag")] public string? ToTag { get; set; }
    [YamlKey("agent_id")] public string? AgentId { get; set; }
    [YamlKey("message_type")] public string? MessageType { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("api_secret_file", ApiSecretFile));
    internal override void Validate(LoadContext ctx)
    {
        if (MessageType is not (null or "" or "text" or "markdown"))
            ctx.Error(this, "message_type", $"weChat message type \"{MessageType}\" does not exist (use text or markdown)");
        AtMostOne(ctx, "api_secret", ApiSecret?.Value, "api_secret_file", ApiSecretFile);
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("pushover_config")]
public sealed class PushoverConfig : NotifierConfig
{
    public override string Key => "pushover_configs";
    [YamlKey("user_key")] public Secret? UserKey { get; set; }
    [YamlKey("user_key_file")] public string? UserKeyFile { get; set; }
    [YamlKey("token")] public Secret? Token { get; set; }
    [YamlKey("token_file")] public string? TokenFile { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("url_title")] public string? UrlTitle { get; set; }
    [YamlKey("device")] public string? Device { get; set; }
    [YamlKey("sound")] public string? Sound { get; set; }
    [YamlKey("priority")] public string? Priority { get; set; }
    [YamlKey("retry")] public Duration Retry { get; set; } = Duration.FromMinutes(1);
    [YamlKey("expire")] public Duration Expire { get; set; } = Duration.FromMinutes(60);
    [YamlKey("ttl")] public Duration Ttl { get; set; }
    [YamlKey("html")] public bool Html { get; set; }
    [YamlKey("monospace")] public bool Monospace { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("user_key_file", UserKeyFile), ("token_file", TokenFile));
    internal override void Validate(LoadContext ctx)
    {
        bool uk = !string.IsNullOrEmpty(UserKey?.Value), ukf = !string.IsNullOrEmpty(UserKeyFile);
        bool t = !string.IsNullOrEmpty(Token?.Value), tf = !string.IsNullOrEmpty(TokenFile);
        if (!uk && !ukf) ctx.Error(this, null, "one of user_key or user_key_file must be configured");
        if (uk && ukf) ctx.Error(this, "user_key", "at most one of user_key & user_key_file must be configured");
        if (!t && !tf) ctx.Error(this, null, "one of token or token_file must be configured");
        if (t && tf) ctx.Error(this, "token", "at most one of token & token_file must be configured");
        if (Html && Monospace) ctx.Error(this, "monospace", "html and monospace options are mutually exclusive");
    }
}

[YamlType("victorops_config")]
public sealed class VictorOpsConfig : NotifierConfig
{
    public override string Key => "victorops_configs";
    private static readonly string[] Reserved = ["routing_key", "message_type", "state_message", "entity_display_name", "monitoring_tool", "entity_id", "entity_state"];
    [YamlKey("api_key")] public Secret? ApiKey { get; set; }
    [YamlKey("api_key_file")] public string? ApiKeyFile { get; set; }
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("routing_key")] public string? RoutingKey { get; set; }
    [YamlKey("message_type")] public string? MessageType { get; set; }
    [YamlKey("state_message")] public string? StateMessage { get; set; }
    [YamlKey("entity_display_name")] public string? EntityDisplayName { get; set; }
    [YamlKey("monitoring_tool")] public string? MonitoringTool { get; set; }
    [YamlKey("custom_fields")] public Dictionary<string, string>? CustomFields { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("api_key_file", ApiKeyFile));
    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(RoutingKey)) ctx.Error(this, null, "missing Routing key in VictorOps config");
        foreach (var k in CustomFields?.Keys ?? (IEnumerable<string>)[])
            if (Array.IndexOf(Reserved, k) >= 0) ctx.Error(this, "custom_fields", $"victorOps config contains custom field {k} which cannot be used as it conflicts with the fixed/static fields");
        AtMostOne(ctx, "api_key", ApiKey?.Value, "api_key_file", ApiKeyFile);
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("sns_config")]
public sealed class SnsConfig : NotifierConfig
{
    public override string Key => "sns_configs";
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("sigv4")] public SigV4Config? SigV4 { get; set; }
    [YamlKey("topic_arn")] public string? TopicArn { get; set; }
    [YamlKey("phone_number")] public string? PhoneNumber { get; set; }
    [YamlKey("target_arn")] public string? TargetArn { get; set; }
    [YamlKey("subject")] public string? Subject { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("attributes")] public Dictionary<string, string>? Attributes { get; set; }
    [YamlKey("use_aws_http_client")] public bool UseAwsHttpClient { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        int n = (string.IsNullOrEmpty(TargetArn) ? 0 : 1) + (string.IsNullOrEmpty(TopicArn) ? 0 : 1) + (string.IsNullOrEmpty(PhoneNumber) ? 0 : 1);
        if (n != 1) ctx.Error(this, null, "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config");
    }
}

[YamlType("telegram_config")]
public sealed class TelegramConfig : NotifierConfig
{
    public override string Key => "telegram_configs";
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("bot_token")] public Secret? BotToken { get; set; }
    [YamlKey("bot_token_file")] public string? BotTokenFile { get; set; }
    [YamlKey("chat_id")] public long ChatId { get; set; }
    [YamlKey("chat_id_file")] public string? ChatIdFile { get; set; }
    [YamlKey("message_thread_id")] public int MessageThreadId { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("disable_notifications")] public bool DisableNotifications { get; set; }
    [YamlKey("parse_mode")] public string? ParseMode { get; set; } = "HTML";

    internal override IEnumerable<(string, string)> FileReferences() => Files(("bot_token_file", BotTokenFile), ("chat_id_file", ChatIdFile));
    internal override void Validate(LoadContext ctx)
    {
        AtMostOne(ctx, "bot_token", BotToken?.Value, "bot_token_file", BotTokenFile);
        if (ChatId == 0 && string.IsNullOrEmpty(ChatIdFile)) ctx.Error(this, null, "missing chat_id or chat_id_file on telegram_config");
        if (ChatId != 0 && !string.IsNullOrEmpty(ChatIdFile)) ctx.Error(this, "chat_id", "at most one of chat_id & chat_id_file must be configured");
        if (ParseMode is not (null or "" or "MarkdownV2" or "Markdown" or "HTML"))
            ctx.Error(this, "parse_mode", $"unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string");
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("discord_config")]
public sealed class DiscordConfig : NotifierConfig
{
    public override string Key => "discord_configs";
    [YamlKey("webhook_url")] public Secret? WebhookUrl { get; set; }
    [YamlKey("webhook_url_file")] public string? WebhookUrlFile { get; set; }
    [YamlKey("content")] public string? Content { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("avatar_url")] public string? AvatarUrl { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("webhook_url_file", WebhookUrlFile));
    internal override IEnumerable<(string, string)> Urls()
    {
        if (!string.IsNullOrEmpty(WebhookUrl?.Value)) yield return ("webhook_url", WebhookUrl.Value);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(WebhookUrl?.Value) && string.IsNullOrEmpty(WebhookUrlFile)) ctx.Error(this, null, "one of webhook_url or webhook_url_file must be configured");
        AtMostOne(ctx, "webhook_url", WebhookUrl?.Value, "webhook_url_file", WebhookUrlFile);
        CheckUrl(ctx, this, "webhook_url", WebhookUrl?.Value);
    }
}

[YamlType("webex_config")]
public sealed class WebexConfig : NotifierConfig
{
    public override string Key => "webex_configs";
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("message")] public string? Message { get; set; }
    [YamlKey("room_id")] public string? RoomId { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(RoomId)) ctx.Error(this, null, "missing room_id on webex_config");
        if (HttpConfig?.Authorization is null && !(HttpConfig?.IsSet("bearer_token") ?? false))
            ctx.Error(this, "http_config", "missing webex_configs.http_config.authorization");
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

/// <summary>Microsoft Teams (both the legacy connector and the v2 workflow kinds share these fields).</summary>
public abstract class TeamsConfigBase : NotifierConfig
{
    [YamlKey("webhook_url")] public Secret? WebhookUrl { get; set; }
    [YamlKey("webhook_url_file")] public string? WebhookUrlFile { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("text")] public string? Text { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("webhook_url_file", WebhookUrlFile));
    internal override IEnumerable<(string, string)> Urls()
    {
        if (!string.IsNullOrEmpty(WebhookUrl?.Value)) yield return ("webhook_url", WebhookUrl.Value);
    }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(WebhookUrl?.Value) && string.IsNullOrEmpty(WebhookUrlFile)) ctx.Error(this, null, "one of webhook_url or webhook_url_file must be configured");
        AtMostOne(ctx, "webhook_url", WebhookUrl?.Value, "webhook_url_file", WebhookUrlFile);
        CheckUrl(ctx, this, "webhook_url", WebhookUrl?.Value);
    }
}

[YamlType("msteams_config")]
public sealed class MsTeamsConfig : TeamsConfigBase
{
    public override string Key => "msteams_configs";
    [YamlKey("summary")] public string? Summary { get; set; }
}

[YamlType("msteamsv2_config")]
public sealed class MsTeamsV2Config : TeamsConfigBase
{
    public override string Key => "msteamsv2_configs";
}

[YamlType("jira_text_field")]
public sealed class JiraTextField : ConfigObject, IScalarShorthand
{
    [YamlKey("template")] public string? Template { get; set; }
    [YamlKey("enable_update")] public bool? EnableUpdate { get; set; }

    /// <summary>True when written as a plain string; serialized back the same way.</summary>
    internal bool WrittenAsScalar { get; private set; }

    public void SetFromScalar(string value)
    {
        Template = value;
        WrittenAsScalar = true;
    }
}

[YamlType("jira_config")]
public sealed class JiraConfig : NotifierConfig
{
    public override string Key => "jira_configs";
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("api_type")] public string? ApiType { get; set; }
    [YamlKey("project")] public string? Project { get; set; }
    [YamlKey("summary")] public JiraTextField? Summary { get; set; }
    [YamlKey("description")] public JiraTextField? Description { get; set; }
    [YamlKey("labels")] public List<string>? Labels { get; set; }
    [YamlKey("priority")] public string? Priority { get; set; }
    [YamlKey("issue_type")] public string? IssueType { get; set; }
    [YamlKey("reopen_transition")] public string? ReopenTransition { get; set; }
    [YamlKey("resolve_transition")] public string? ResolveTransition { get; set; }
    [YamlKey("wont_fix_resolution")] public string? WontFixResolution { get; set; }
    [YamlKey("reopen_duration")] public Duration ReopenDuration { get; set; }
    [YamlKey("fields")] public Dictionary<string, object?>? Fields { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Project)) ctx.Error(this, null, "missing project in jira_config");
        if (string.IsNullOrEmpty(IssueType)) ctx.Error(this, null, "missing issue_type in jira_config");
        if (ApiType is not (null or "" or "auto" or "cloud" or "datacenter"))
            ctx.Error(this, "api_type", $"unknown api_type \"{ApiType}\", must be auto, cloud or datacenter");
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("incidentio_config")]
public sealed class IncidentioConfig : NotifierConfig
{
    public override string Key => "incidentio_configs";
    [YamlKey("url")] public Secret? Url { get; set; }
    [YamlKey("url_file")] public string? UrlFile { get; set; }
    [YamlKey("alert_source_token")] public Secret? AlertSourceToken { get; set; }
    [YamlKey("alert_source_token_file")] public string? AlertSourceTokenFile { get; set; }
    [YamlKey("max_alerts")] public ulong MaxAlerts { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("url_file", UrlFile), ("alert_source_token_file", AlertSourceTokenFile));
    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Url?.Value) && string.IsNullOrEmpty(UrlFile)) ctx.Error(this, null, "one of url or url_file must be configured");
        AtMostOne(ctx, "url", Url?.Value, "url_file", UrlFile);
        AtMostOne(ctx, "alert_source_token", AlertSourceToken?.Value, "alert_source_token_file", AlertSourceTokenFile);
    }
}

[YamlType("rocketchat_field")]
public sealed class RocketchatField : ConfigObject
{
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("value")] public string? Value { get; set; }
    [YamlKey("short")] public bool? Short { get; set; }
}

[YamlType("rocketchat_action")]
public sealed class RocketchatAction : ConfigObject
{
    [YamlKey("type")] public string? Type { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("url")] public string? Url { get; set; }
    [YamlKey("msg")] public string? Msg { get; set; }
}

[YamlType("rocketchat_config")]
public sealed class RocketchatConfig : NotifierConfig
{
    public override string Key => "rocketchat_configs";
    [YamlKey("api_url")] public string? ApiUrl { get; set; }
    [YamlKey("token_id")] public Secret? TokenId { get; set; }
    [YamlKey("token_id_file")] public string? TokenIdFile { get; set; }
    [YamlKey("token")] public Secret? Token { get; set; }
    [YamlKey("token_file")] public string? TokenFile { get; set; }
    [YamlKey("channel")] public string? Channel { get; set; }
    [YamlKey("color")] public string? Color { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("title_link")] public string? TitleLink { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("fields")] public List<RocketchatField>? Fields { get; set; }
    [YamlKey("short_fields")] public bool ShortFields { get; set; }
    [YamlKey("emoji")] public string? Emoji { get; set; }
    [YamlKey("icon_url")] public string? IconUrl { get; set; }
    [YamlKey("image_url")] public string? ImageUrl { get; set; }
    [YamlKey("thumb_url")] public string? ThumbUrl { get; set; }
    [YamlKey("link_names")] public bool LinkNames { get; set; }
    [YamlKey("actions")] public List<RocketchatAction>? Actions { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("token_id_file", TokenIdFile), ("token_file", TokenFile));
    internal override void Validate(LoadContext ctx)
    {
        AtMostOne(ctx, "token", Token?.Value, "token_file", TokenFile);
        AtMostOne(ctx, "token_id", TokenId?.Value, "token_id_file", TokenIdFile);
        CheckUrl(ctx, this, "api_url", ApiUrl);
    }
}

[YamlType("mattermost_attachment")]
public sealed class MattermostAttachment : ConfigObject
{
    [YamlKey("fallback")] public string? Fallback { get; set; }
    [YamlKey("color")] public string? Color { get; set; }
    [YamlKey("pretext")] public string? Pretext { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("author_name")] public string? AuthorName { get; set; }
    [YamlKey("author_link")] public string? AuthorLink { get; set; }
    [YamlKey("author_icon")] public string? AuthorIcon { get; set; }
    [YamlKey("title")] public string? Title { get; set; }
    [YamlKey("title_link")] public string? TitleLink { get; set; }
    [YamlKey("fields")] public List<SlackField>? Fields { get; set; }
    [YamlKey("thumb_url")] public string? ThumbUrl { get; set; }
    [YamlKey("footer")] public string? Footer { get; set; }
    [YamlKey("footer_icon")] public string? FooterIcon { get; set; }
    [YamlKey("image_url")] public string? ImageUrl { get; set; }
}

[YamlType("mattermost_props")]
public sealed class MattermostProps : ConfigObject
{
    [YamlKey("card")] public string? Card { get; set; }
}

[YamlType("mattermost_priority")]
public sealed class MattermostPriority : ConfigObject
{
    [YamlKey("priority")] public string? Priority { get; set; }
    [YamlKey("requested_ack")] public bool RequestedAck { get; set; }
    [YamlKey("persistent_notifications")] public bool PersistentNotifications { get; set; }
}

[YamlType("mattermost_config")]
public sealed class MattermostConfig : NotifierConfig
{
    public override string Key => "mattermost_configs";
    [YamlKey("webhook_url")] public Secret? WebhookUrl { get; set; }
    [YamlKey("webhook_url_file")] public string? WebhookUrlFile { get; set; }
    [YamlKey("channel")] public string? Channel { get; set; }
    [YamlKey("username")] public string? Username { get; set; }
    [YamlKey("icon_url")] public string? IconUrl { get; set; }
    [YamlKey("icon_emoji")] public string? IconEmoji { get; set; }
    [YamlKey("text")] public string? Text { get; set; }
    [YamlKey("attachments")] public List<MattermostAttachment>? Attachments { get; set; }
    [YamlKey("props")] public MattermostProps? Props { get; set; }
    [YamlKey("priority")] public MattermostPriority? Priority { get; set; }

    internal override IEnumerable<(string, string)> FileReferences() => Files(("webhook_url_file", WebhookUrlFile));
    internal override IEnumerable<(string, string)> Urls()
    {
        if (!string.IsNullOrEmpty(WebhookUrl?.Value)) yield return ("webhook_url", WebhookUrl.Value);
    }

    internal override void Validate(LoadContext ctx)
    {
        AtMostOne(ctx, "webhook_url", WebhookUrl?.Value, "webhook_url_file", WebhookUrlFile);
        CheckUrl(ctx, this, "webhook_url", WebhookUrl?.Value);
    }
}
