using System.Globalization;
using Portal.Config.Prometheus;
using Portal.Model;

namespace Portal.Config.Alertmanager;

/// <summary>The top level of an Alertmanager configuration file (alertmanager.yml).</summary>
[YamlType("alertmanager_config")]
public sealed class AlertmanagerConfig : ConfigObject
{
    [YamlKey("global")] public AmGlobalConfig? Global { get; set; }
    [YamlKey("route")] public Route? Route { get; set; }
    [YamlKey("inhibit_rules")] public List<InhibitRule>? InhibitRules { get; set; }
    [YamlKey("receivers")] public List<Receiver>? Receivers { get; set; }
    [YamlKey("templates")] public List<string>? Templates { get; set; }
    [YamlKey("mute_time_intervals")] public List<TimeIntervalSet>? MuteTimeIntervals { get; set; }
    [YamlKey("time_intervals")] public List<TimeIntervalSet>? TimeIntervals { get; set; }
    [YamlKey("tracing")] public AmTracingConfig? Tracing { get; set; }
    /// <summary>Accepted and stored as written; Portal records notification events itself.</summary>
    [YamlKey("event_recorder")] public Dictionary<string, object?>? EventRecorder { get; set; }
}

/// <summary>Alertmanager's global section: defaults for notifiers. resolve_timeout defaults to 5m.</summary>
[YamlType("global_config")]
public sealed class AmGlobalConfig : ConfigObject
{
    [YamlKey("resolve_timeout")] public Duration ResolveTimeout { get; set; } = Duration.FromMinutes(5);
    [YamlKey("http_config")] public HttpClientConfig? HttpConfig { get; set; }
    [YamlKey("smtp_from")] public string? SmtpFrom { get; set; }
    [YamlKey("smtp_hello")] public string? SmtpHello { get; set; } = "localhost";
    [YamlKey("smtp_smarthost")] public string? SmtpSmarthost { get; set; }
    [YamlKey("smtp_auth_username")] public string? SmtpAuthUsername { get; set; }
    [YamlKey("smtp_auth_password")] public Secret? SmtpAuthPassword { get; set; }
    [YamlKey("smtp_auth_password_file")] public string? SmtpAuthPasswordFile { get; set; }
    [YamlKey("smtp_auth_secret")] public Secret? SmtpAuthSecret { get; set; }
    [YamlKey("smtp_auth_secret_file")] public string? SmtpAuthSecretFile { get; set; }
    [YamlKey("smtp_auth_identity")] public string? SmtpAuthIdentity { get; set; }
    [YamlKey("smtp_require_tls")] public bool SmtpRequireTls { get; set; } = true;
    [YamlKey("smtp_tls_config")] public TlsConfig? SmtpTlsConfig { get; set; }
    [YamlKey("smtp_force_implicit_tls")] public bool? SmtpForceImplicitTls { get; set; }
    [YamlKey("slack_api_url")] public Secret? SlackApiUrl { get; set; }
    [YamlKey("slack_api_url_file")] public string? SlackApiUrlFile { get; set; }
    [YamlKey("slack_app_token")] public Secret? SlackAppToken { get; set; }
    [YamlKey("slack_app_token_file")] public string? SlackAppTokenFile { get; set; }
    [YamlKey("slack_app_url")] public string? SlackAppUrl { get; set; } = SlackConfig.ChatPostMessageUrl;
    [YamlKey("pagerduty_url")] public string? PagerdutyUrl { get; set; } = "https://events.pagerduty.com/v2/enqueue";
    [YamlKey("opsgenie_api_url")] public string? OpsGenieApiUrl { get; set; } = "https://api.opsgenie.com/";
    [YamlKey("opsgenie_api_key")] public Secret? OpsGenieApiKey { get; set; }
    [YamlKey("opsgenie_api_key_file")] public string? OpsGenieApiKeyFile { get; set; }
    [YamlKey("wechat_api_url")] public string? WeChatApiUrl { get; set; } = "https://qyapi.weixin.qq.com/cgi-bin/";
    [YamlKey("wechat_api_secret")] public Secret? WeChatApiSecret { get; set; }
    [YamlKey("wechat_api_secret_file")] public string? WeChatApiSecretFile { get; set; }
    [YamlKey("wechat_api_corp_id")] public string? WeChatApiCorpId { get; set; }
    [YamlKey("victorops_api_url")] public string? VictorOpsApiUrl { get; set; } = "https://alert.victorops.com/integrations/generic/20131114/alert/";
    [YamlKey("victorops_api_key")] public Secret? VictorOpsApiKey { get; set; }
    [YamlKey("victorops_api_key_file")] public string? VictorOpsApiKeyFile { get; set; }
    [YamlKey("telegram_api_url")] public string? TelegramApiUrl { get; set; } = "https://api.telegram.org";
    [YamlKey("telegram_bot_token")] public Secret? TelegramBotToken { get; set; }
    [YamlKey("telegram_bot_token_file")] public string? TelegramBotTokenFile { get; set; }
    [YamlKey("webex_api_url")] public string? WebexApiUrl { get; set; } = "https://webexapis.com/v1/messages";
    [YamlKey("jira_api_url")] public string? JiraApiUrl { get; set; }
    [YamlKey("rocketchat_api_url")] public string? RocketchatApiUrl { get; set; } = "https://open.rocket.chat/";
    [YamlKey("rocketchat_token")] public Secret? RocketchatToken { get; set; }
    [YamlKey("rocketchat_token_file")] public string? RocketchatTokenFile { get; set; }
    [YamlKey("rocketchat_token_id")] public Secret? RocketchatTokenId { get; set; }
    [YamlKey("rocketchat_token_id_file")] public string? RocketchatTokenIdFile { get; set; }
    [YamlKey("mattermost_webhook_url")] public Secret? MattermostWebhookUrl { get; set; }
    [YamlKey("mattermost_webhook_url_file")] public string? MattermostWebhookUrlFile { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        foreach (var (k, v) in new[]
        {
            ("slack_api_url", SlackApiUrl?.Value), ("pagerduty_url", PagerdutyUrl), ("opsgenie_api_url", OpsGenieApiUrl),
            ("wechat_api_url", WeChatApiUrl), ("victorops_api_url", VictorOpsApiUrl), ("telegram_api_url", TelegramApiUrl),
            ("webex_api_url", WebexApiUrl), ("jira_api_url", JiraApiUrl), ("rocketchat_api_url", RocketchatApiUrl),
            ("slack_app_url", SlackAppUrl), ("mattermost_webhook_url", MattermostWebhookUrl?.Value),
        })
        {
            if (string.IsNullOrEmpty(v) || v == Secret.Mask) continue;
            if (AmUrl.Check(v) is { } err) ctx.Error(this, k, err);
        }
        if (!string.IsNullOrEmpty(SmtpSmarthost) && HostPort.Check(SmtpSmarthost) is { } hp) ctx.Error(this, "smtp_smarthost", hp);
    }
}

[YamlType("tracing_config")]
public sealed class AmTracingConfig : ConfigObject
{
    [YamlKey("client_type")] public string? ClientType { get; set; } = "grpc";
    [YamlKey("endpoint")] public string? Endpoint { get; set; }
    [YamlKey("sampling_fraction")] public double SamplingFraction { get; set; }
    [YamlKey("insecure")] public bool Insecure { get; set; }
    [YamlKey("tls_config")] public TlsConfig? TlsConfig { get; set; }
    [YamlKey("http_headers")] public Dictionary<string, HttpHeader>? HttpHeaders { get; set; }
    [YamlKey("compression")] public string? Compression { get; set; }
    [YamlKey("timeout")] public Duration Timeout { get; set; }
}

/// <summary>
/// A node of the routing tree. Matchers may be written in every syntax Alertmanager accepts: <c>match</c>
/// (equality), <c>match_re</c> (anchored regexes) and <c>matchers</c> (<c>name=~"value"</c> lines, with or without braces).
/// Unset group_wait/group_interval/repeat_interval are inherited from the parent at routing time (root defaults 30s/5m/4h).
/// </summary>
[YamlType("route")]
public sealed class Route : ConfigObject
{
    public static readonly Duration DefaultGroupWait = Duration.FromSeconds(30);
    public static readonly Duration DefaultGroupInterval = Duration.FromMinutes(5);
    public static readonly Duration DefaultRepeatInterval = Duration.FromMinutes(240);

    [YamlKey("receiver")] public string? Receiver { get; set; }
    [YamlKey("group_by")] public List<string>? GroupBy { get; set; }
    [YamlKey("match")] public Dictionary<string, string>? Match { get; set; }
    [YamlKey("match_re")] public Dictionary<string, string>? MatchRe { get; set; }
    [YamlKey("matchers")] public List<string>? Matchers { get; set; }
    [YamlKey("mute_time_intervals")] public List<string>? MuteTimeIntervals { get; set; }
    [YamlKey("active_time_intervals")] public List<string>? ActiveTimeIntervals { get; set; }
    [YamlKey("continue")] public bool Continue { get; set; }
    [YamlKey("routes")] public List<Route>? Routes { get; set; }
    [YamlKey("group_wait")] public Duration? GroupWait { get; set; }
    [YamlKey("group_interval")] public Duration? GroupInterval { get; set; }
    [YamlKey("repeat_interval")] public Duration? RepeatInterval { get; set; }

    /// <summary>True for <c>group_by: ['...']</c>: group by all labels.</summary>
    public bool GroupByAll => GroupBy is { Count: 1 } && GroupBy[0] == "...";

    /// <summary>All matchers of this node (match, match_re and matchers combined), parsed on load.</summary>
    public IReadOnlyList<Matcher> AllMatchers { get; private set; } = [];

    internal override void Validate(LoadContext ctx)
    {
        var all = new List<Matcher>();
        AmMatchers.FromMaps(ctx, this, "match", Match, "match_re", MatchRe, all);
        AmMatchers.FromLines(ctx, this, "matchers", Matchers, all);
        AllMatchers = all;
        if (GroupBy is not null)
        {
            bool wildcard = false;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var l in GroupBy)
            {
                if (l == "...") { wildcard = true; continue; }
                if (!LabelNames.IsValidUtf8Name(l ?? "")) ctx.Error(this, "group_by", $"invalid label name \"{l}\" in group_by list");
                else if (!seen.Add(l!)) ctx.Error(this, "group_by", $"duplicated label \"{l}\" in group_by");
            }
            if (wildcard && seen.Count > 0) ctx.Error(this, "group_by", "cannot have wildcard group_by (`...`) and other labels at the same time");
        }
        if (GroupInterval is { IsZero: true }) ctx.Error(this, "group_interval", "group_interval cannot be zero");
        if (RepeatInterval is { IsZero: true }) ctx.Error(this, "repeat_interval", "repeat_interval cannot be zero");
    }
}

/// <summary>Mutes alerts matching the target matchers while an alert matching the source matchers fires, when the <see cref="Equal"/> labels agree.</summary>
[YamlType("inhibit_rule")]
public sealed class InhibitRule : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("source_match")] public Dictionary<string, string>? SourceMatch { get; set; }
    [YamlKey("source_match_re")] public Dictionary<string, string>? SourceMatchRe { get; set; }
    [YamlKey("source_matchers")] public List<string>? SourceMatchers { get; set; }
    [YamlKey("target_match")] public Dictionary<string, string>? TargetMatch { get; set; }
    [YamlKey("target_match_re")] public Dictionary<string, string>? TargetMatchRe { get; set; }
    [YamlKey("target_matchers")] public List<string>? TargetMatchers { get; set; }
    [YamlKey("equal")] public List<string>? Equal { get; set; }

    public IReadOnlyList<Matcher> AllSourceMatchers { get; private set; } = [];
    public IReadOnlyList<Matcher> AllTargetMatchers { get; private set; } = [];

    internal override void Validate(LoadContext ctx)
    {
        var src = new List<Matcher>();
        AmMatchers.FromMaps(ctx, this, "source_match", SourceMatch, "source_match_re", SourceMatchRe, src);
        AmMatchers.FromLines(ctx, this, "source_matchers", SourceMatchers, src);
        var tgt = new List<Matcher>();
        AmMatchers.FromMaps(ctx, this, "target_match", TargetMatch, "target_match_re", TargetMatchRe, tgt);
        AmMatchers.FromLines(ctx, this, "target_matchers", TargetMatchers, tgt);
        AllSourceMatchers = src;
        AllTargetMatchers = tgt;
        foreach (var l in Equal ?? [])
            if (!LabelNames.IsValidUtf8Name(l ?? "")) ctx.Error(this, "equal", $"invalid label name \"{l}\" in equal list");
    }
}

/// <summary>A receiver: a name and any number of notifier configurations of every kind.</summary>
[YamlType("receiver")]
public sealed class Receiver : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("labels")] public Dictionary<string, string>? Labels { get; set; }
    [YamlKey("discord_configs")] public List<DiscordConfig>? DiscordConfigs { get; set; }
    [YamlKey("email_configs")] public List<EmailConfig>? EmailConfigs { get; set; }
    [YamlKey("incidentio_configs")] public List<IncidentioConfig>? IncidentioConfigs { get; set; }
    [YamlKey("pagerduty_configs")] public List<PagerdutyConfig>? PagerdutyConfigs { get; set; }
    [YamlKey("slack_configs")] public List<SlackConfig>? SlackConfigs { get; set; }
    [YamlKey("webhook_configs")] public List<WebhookConfig>? WebhookConfigs { get; set; }
    [YamlKey("opsgenie_configs")] public List<OpsGenieConfig>? OpsGenieConfigs { get; set; }
    [YamlKey("wechat_configs")] public List<WechatConfig>? WechatConfigs { get; set; }
    [YamlKey("pushover_configs")] public List<PushoverConfig>? PushoverConfigs { get; set; }
    [YamlKey("victorops_configs")] public List<VictorOpsConfig>? VictorOpsConfigs { get; set; }
    [YamlKey("sns_configs")] public List<SnsConfig>? SnsConfigs { get; set; }
    [YamlKey("telegram_configs")] public List<TelegramConfig>? TelegramConfigs { get; set; }
    [YamlKey("webex_configs")] public List<WebexConfig>? WebexConfigs { get; set; }
    [YamlKey("msteams_configs")] public List<MsTeamsConfig>? MsTeamsConfigs { get; set; }
    [YamlKey("msteamsv2_configs")] public List<MsTeamsV2Config>? MsTeamsV2Configs { get; set; }
    [YamlKey("jira_configs")] public List<JiraConfig>? JiraConfigs { get; set; }
    [YamlKey("rocketchat_configs")] public List<RocketchatConfig>? RocketchatConfigs { get; set; }
    [YamlKey("mattermost_configs")] public List<MattermostConfig>? MattermostConfigs { get; set; }

    /// <summary>Every notifier of this receiver, in the order of the lists above.</summary>
    public IEnumerable<NotifierConfig> AllNotifiers()
    {
        foreach (var p in Binder.PropsOf(typeof(Receiver)))
            if (p.Property.GetValue(this) is System.Collections.IEnumerable list && p.Key.EndsWith("_configs", StringComparison.Ordinal))
                foreach (var n in list)
                    if (n is NotifierConfig nc) yield return nc;
    }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Name)) ctx.Error(this, IsSet("name") ? "name" : null, "missing name in receiver");
        foreach (var p in Binder.PropsOf(typeof(Receiver)))
            if (p.Property.GetValue(this) is System.Collections.IList list)
                foreach (var item in list)
                    if (item is null && p.Key.EndsWith("_configs", StringComparison.Ordinal))
                        ctx.Error(this, p.Key, $"empty or null entry in {p.Key}");
    }
}

/// <summary>A named set of time intervals (<c>time_intervals</c> or the older <c>mute_time_intervals</c>).</summary>
[YamlType("time_interval")]
public sealed class TimeIntervalSet : ConfigObject
{
    [YamlKey("name")] public string? Name { get; set; }
    [YamlKey("time_intervals")] public List<TimeIntervalSpec>? TimeIntervals { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        if (string.IsNullOrEmpty(Name)) ctx.Error(this, IsSet("name") ? "name" : null, "missing name in time interval");
    }
}

[YamlType("time_range")]
public sealed class TimeRangeSpec : ConfigObject
{
    [YamlKey("start_time")] public string? StartTime { get; set; }
    [YamlKey("end_time")] public string? EndTime { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        int s = Minutes(ctx, "start_time", StartTime), e = Minutes(ctx, "end_time", EndTime);
        if (s >= 0 && e >= 0 && s >= e) ctx.Error(this, "end_time", $"start time cannot be equal or greater than end time ({StartTime} >= {EndTime})");
    }

    private int Minutes(LoadContext ctx, string key, string? v)
    {
        if (string.IsNullOrEmpty(v)) { ctx.Error(this, null, $"{key} is missing in time range"); return -1; }
        var parts = v.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) || parts[1].Length != 2
            || h > 24 || m > 59 || h == 24 && m != 0)
        {
            ctx.Error(this, key, $"couldn't parse timestamp {v}, invalid format (use HH:MM between 00:00 and 24:00)");
            return -1;
        }
        return h * 60 + m;
    }
}

/// <summary>One time interval: times of day, weekdays, days of month, months, years and a location.</summary>
[YamlType("time_interval_spec")]
public sealed class TimeIntervalSpec : ConfigObject
{
    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
    private static readonly string[] MonthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    [YamlKey("times")] public List<TimeRangeSpec>? Times { get; set; }
    [YamlKey("weekdays")] public List<string>? WeekdayRanges { get; set; }
    [YamlKey("days_of_month")] public List<string>? DaysOfMonth { get; set; }
    [YamlKey("months")] public List<string>? MonthRanges { get; set; }
    [YamlKey("years")] public List<string>? Years { get; set; }
    [YamlKey("location")] public string? Location { get; set; }

    internal override void Validate(LoadContext ctx)
    {
        foreach (var w in WeekdayRanges ?? []) Range(ctx, "weekdays", w, s => Named(s, WeekdayNames, 0), "weekday");
        foreach (var d in DaysOfMonth ?? [])
            Range(ctx, "days_of_month", d, s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n != 0 && n >= -31 && n <= 31 ? n : null, "day of month", allowNegative: true);
        foreach (var m in MonthRanges ?? [])
            Range(ctx, "months", m, s => Named(s, MonthNames, 1) ?? (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 12 ? n : null), "month");
        foreach (var y in Years ?? [])
            Range(ctx, "years", y, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null, "year");
        if (!string.IsNullOrEmpty(Location) && Location != "Local")
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(Location);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                ctx.Error(this, "location", $"unknown time zone location \"{Location}\"");
            }
        }
    }

    private static int? Named(string s, string[] names, int offset)
    {
        int i = Array.IndexOf(names, s.ToLowerInvariant());
        return i < 0 ? null : i + offset;
    }

    private void Range(LoadContext ctx, string key, string? text, Func<string, int?> parse, string what, bool allowNegative = false)
    {
        var t = (text ?? "").Trim();
        var parts = t.Split(':');
        if (parts.Length > 2 || t.Length == 0) { ctx.Error(this, key, $"invalid {what} range \"{text}\""); return; }
        var a = parse(parts[0].Trim());
        var b = parts.Length == 2 ? parse(parts[1].Trim()) : a;
        if (a is null || b is null) { ctx.Error(this, key, $"\"{text}\" is not a valid {what}"); return; }
        bool sameSign = a.Value > 0 == b.Value > 0;
        if ((!allowNegative || sameSign) && a.Value > b.Value) ctx.Error(this, key, $"start {what} cannot be after end {what} in \"{text}\"");
    }
}
