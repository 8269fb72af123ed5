using Portal.Config.Prometheus;
using Portal.Config.Yaml;

namespace Portal.Config.Alertmanager;

/// <summary>
/// Loads Alertmanager configuration files with Alertmanager's semantics: strict keys, global defaults copied into
/// notifiers, routing-tree checks (root receiver, defined receivers and time intervals). Every error is reported
/// with file, line and column. Thread-safe.
/// </summary>
public static class AlertmanagerConfigLoader
{
    public static ConfigLoadResult<AlertmanagerConfig> Load(string yaml, string fileName)
    {
        YDocument doc;
        try
        {
            doc = YamlTreeBuilder.Parse(yaml);
        }
        catch (YamlSyntaxException e)
        {
            return new(null, [new ConfigError(fileName, e.Position.Line, e.Position.Column, e.Message)], []);
        }
        var ctx = new LoadContext(fileName, doc);
        var cfg = doc.Root is null ? new AlertmanagerConfig() : Binder.Bind<AlertmanagerConfig>(doc.Root, ctx);
        if (cfg is not null) Finish(cfg, ctx);
        return new(cfg, ctx.Errors, ctx.Notes);
    }

    public static ConfigLoadResult<AlertmanagerConfig> LoadFile(string path) => Load(File.ReadAllText(path), path);

    private static bool Has(Secret? s) => !string.IsNullOrEmpty(s?.Value);
    private static bool Has(string? s) => !string.IsNullOrEmpty(s);

    private static void Finish(AlertmanagerConfig c, LoadContext ctx)
    {
        var g = c.Global ??= new AmGlobalConfig();
        g.HttpConfig ??= new HttpClientConfig();
        g.SmtpTlsConfig ??= new TlsConfig();

        void Pair(string a, bool av, string b, bool bv)
        {
            if (av && bv) ctx.Error(g, a, $"at most one of {a} & {b} must be configured");
        }
        Pair("slack_api_url", Has(g.SlackApiUrl), "slack_api_url_file", Has(g.SlackApiUrlFile));
        Pair("slack_app_token", Has(g.SlackAppToken), "slack_app_token_file", Has(g.SlackAppTokenFile));
        bool globalAppToken = Has(g.SlackAppToken) || Has(g.SlackAppTokenFile);
        bool globalApiUrl = Has(g.SlackApiUrl) || Has(g.SlackApiUrlFile);
        if (globalAppToken && globalApiUrl && (Has(g.SlackApiUrlFile) || g.SlackApiUrl!.Value != SlackConfig.ChatPostMessageUrl))
            ctx.Error(g, "slack_app_token", "at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file must be configured");
        Pair("opsgenie_api_key", Has(g.OpsGenieApiKey), "opsgenie_api_key_file", Has(g.OpsGenieApiKeyFile));
        Pair("victorops_api_key", Has(g.VictorOpsApiKey), "victorops_api_key_file", Has(g.VictorOpsApiKeyFile));
        Pair("smtp_auth_password", Has(g.SmtpAuthPassword), "smtp_auth_password_file", Has(g.SmtpAuthPasswordFile));
        Pair("smtp_auth_secret", Has(g.SmtpAuthSecret), "smtp_auth_secret_file", Has(g.SmtpAuthSecretFile));
        Pair("rocketchat_token", Has(g.RocketchatToken), "rocketchat_token_file", Has(g.RocketchatTokenFile));
        Pair("rocketchat_token_id", Has(g.RocketchatTokenId), "rocketchat_token_id_file", Has(g.RocketchatTokenIdFile));
        Pair("telegram_bot_token", Has(g.TelegramBotToken), "telegram_bot_token_file", Has(g.TelegramBotTokenFile));
        Pair("mattermost_webhook_url", Has(g.MattermostWebhookUrl), "mattermost_webhook_url_file", Has(g.MattermostWebhookUrlFile));
        Pair("wechat_api_secret", Has(g.WeChatApiSecret), "wechat_api_secret_file", Has(g.WeChatApiSecretFile));

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rcv in c.Receivers ?? [])
        {
            if (rcv is null) { ctx.Error(c, "receivers", "empty or null receiver"); continue; }
            if (!string.IsNullOrEmpty(rcv.Name) && !names.Add(rcv.Name))
                ctx.Error(rcv, "name", $"notification config name \"{rcv.Name}\" is not unique");
            foreach (var n in rcv.AllNotifiers())
            {
                n.HttpConfig ??= g.HttpConfig;
                Inherit(ctx, g, n);
            }
        }

        var r = c.Route;
        if (r is null) ctx.Error(c, null, "no route provided in config");
        else
        {
            if (string.IsNullOrEmpty(r.Receiver)) ctx.Error(r, null, "root route must specify a default receiver");
            if (r.Match is { Count: > 0 } || r.MatchRe is { Count: > 0 } || r.Matchers is { Count: > 0 })
                ctx.Error(r, r.IsSet("matchers") ? "matchers" : r.IsSet("match") ? "match" : "match_re", "root route must not have any matchers");
            if (r.MuteTimeIntervals is { Count: > 0 }) ctx.Error(r, "mute_time_intervals", "root route must not have any mute time intervals");
            if (r.ActiveTimeIntervals is { Count: > 0 }) ctx.Error(r, "active_time_intervals", "root route must not have any active time intervals");
            if (r.Continue) ctx.Error(r, "continue", "cannot have continue in root route");
        }

        var intervals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, list, what) in new[] { ("mute_time_intervals", c.MuteTimeIntervals, "mute time interval"), ("time_intervals", c.TimeIntervals, "time interval") })
            foreach (var ti in list ?? [])
            {
                if (ti is null) { ctx.Error(c, key, $"empty or null {what}"); continue; }
                if (!string.IsNullOrEmpty(ti.Name) && !intervals.Add(ti.Name))
                    ctx.Error(ti, "name", $"{what} \"{ti.Name}\" is not unique");
            }
        if (r is not null) CheckRoute(ctx, r, names, intervals);
        foreach (var ir in c.InhibitRules ?? [])
            if (ir is null) ctx.Error(c, "inhibit_rules", "empty or null inhibit rule");
    }

    private static void CheckRoute(LoadContext ctx, Route r, HashSet<string> receivers, HashSet<string> intervals)
    {
        if (!string.IsNullOrEmpty(r.Receiver) && !receivers.Contains(r.Receiver))
            ctx.Error(r, "receiver", $"undefined receiver \"{r.Receiver}\" used in route");
        foreach (var (key, list) in new[] { ("active_time_intervals", r.ActiveTimeIntervals), ("mute_time_intervals", r.MuteTimeIntervals) })
            foreach (var ti in list ?? [])
                if (!intervals.Contains(ti ?? "")) ctx.Error(r, key, $"undefined time interval \"{ti}\" used in route");
        foreach (var sub in r.Routes ?? [])
        {
            if (sub is null) { ctx.Error(r, "routes", "empty or null route"); continue; }
            CheckRoute(ctx, sub, receivers, intervals);
        }
    }

    /// <summary>Copies global defaults into a notifier and reports what is still missing, as Alertmanager does.</summary>
    private static void Inherit(LoadContext ctx, AmGlobalConfig g, NotifierConfig n)
    {
        switch (n)
        {
            case EmailConfig ec:
                ec.TlsConfig ??= g.SmtpTlsConfig;
                if (string.IsNullOrEmpty(ec.Smarthost))
                {
                    if (string.IsNullOrEmpty(g.SmtpSmarthost)) ctx.Error(ec, null, "no global SMTP smarthost set");
                    ec.Smarthost = g.SmtpSmarthost;
                }
                if (string.IsNullOrEmpty(ec.From))
                {
                    if (string.IsNullOrEmpty(g.SmtpFrom)) ctx.Error(ec, null, "no global SMTP from set");
                    ec.From = g.SmtpFrom;
                }
                if (string.IsNullOrEmpty(ec.Hello)) ec.Hello = g.SmtpHello;
                if (string.IsNullOrEmpty(ec.AuthUsername)) ec.AuthUsername = g.SmtpAuthUsername;
                if (!Has(ec.AuthPassword) && !Has(ec.AuthPasswordFile))
                {
                    ec.AuthPassword = g.SmtpAuthPassword;
                    ec.AuthPasswordFile = g.SmtpAuthPasswordFile;
                }
                if (!Has(ec.AuthSecret) && !Has(ec.AuthSecretFile))
                {
                    ec.AuthSecret = g.SmtpAuthSecret;
                    ec.AuthSecretFile = g.SmtpAuthSecretFile;
                }
                if (string.IsNullOrEmpty(ec.AuthIdentity)) ec.AuthIdentity = g.SmtpAuthIdentity;
                ec.RequireTls ??= g.SmtpRequireTls;
                ec.ForceImplicitTls ??= g.SmtpForceImplicitTls;
                break;
            case SlackConfig sc:
                bool ownUrl = Has(sc.ApiUrl) || Has(sc.ApiUrlFile), ownToken = Has(sc.AppToken) || Has(sc.AppTokenFile);
                if (ownUrl && ownToken && (Has(sc.ApiUrlFile) || sc.ApiUrl!.Value is var u && u != SlackConfig.ChatPostMessageUrl && u != sc.AppUrl && u != g.SlackAppUrl))
                    ctx.Error(sc, "app_token", "at most one of app_token/app_token_file & api_url/api_url_file must be configured");
                if (!ownUrl && !ownToken)
                {
                    bool httpAuth = sc.HttpConfig?.Authorization is not null && sc.IsSet("http_config");
                    if (!httpAuth && (Has(g.SlackAppToken) || Has(g.SlackAppTokenFile)))
                    {
                        sc.AppToken = g.SlackAppToken;
                        sc.AppTokenFile = g.SlackAppTokenFile;
                    }
                    else if (Has(g.SlackApiUrl) || Has(g.SlackApiUrlFile))
                    {
                        sc.ApiUrl = g.SlackApiUrl;
                        sc.ApiUrlFile = g.SlackApiUrlFile;
                    }
                    else if (!httpAuth)
                        ctx.Error(sc, null, "no Slack API URL nor App token set either inline or in a file");
                }
                if (Has(sc.AppToken) || Has(sc.AppTokenFile))
                {
                    if (!Has(sc.ApiUrl) && !Has(sc.ApiUrlFile))
                        sc.ApiUrl = new Secret(string.IsNullOrEmpty(sc.AppUrl) ? g.SlackAppUrl ?? SlackConfig.ChatPostMessageUrl : sc.AppUrl);
                    var http = CloneHttp(sc.HttpConfig);
                    http.Authorization = new Authorization { Type = "Bearer", Credentials = sc.AppToken, CredentialsFile = sc.AppTokenFile };
                    sc.HttpConfig = http;
                }
                break;
            case PagerdutyConfig pd:
                if (string.IsNullOrEmpty(pd.Url))
                {
                    if (string.IsNullOrEmpty(g.PagerdutyUrl)) ctx.Error(pd, null, "no global PagerDuty URL set");
                    pd.Url = g.PagerdutyUrl;
                }
                break;
            case OpsGenieConfig og:
                if (string.IsNullOrEmpty(og.ApiUrl))
                {
                    if (string.IsNullOrEmpty(g.OpsGenieApiUrl)) ctx.Error(og, null, "no global OpsGenie URL set");
                    og.ApiUrl = g.OpsGenieApiUrl;
                }
                if (og.ApiUrl is not null && !og.ApiUrl.EndsWith('/')) og.ApiUrl += "/";
                if (!Has(og.ApiKey) && !Has(og.ApiKeyFile))
                {
                    if (!Has(g.OpsGenieApiKey) && !Has(g.OpsGenieApiKeyFile)) ctx.Error(og, null, "no global OpsGenie API Key set either inline or in a file");
                    og.ApiKey = g.OpsGenieApiKey;
                    og.ApiKeyFile = g.OpsGenieApiKeyFile;
                }
                break;
            case WechatConfig wc:
                if (string.IsNullOrEmpty(wc.ApiUrl))
                {
                    if (string.IsNullOrEmpty(g.WeChatApiUrl)) ctx.Error(wc, null, "no global Wechat URL set");
                    wc.ApiUrl = g.WeChatApiUrl;
                }
                if (!Has(wc.ApiSecret) && !Has(wc.ApiSecretFile))
                {
                    if (!Has(g.WeChatApiSecret) && !Has(g.WeChatApiSecretFile)) ctx.Error(wc, null, "no global Wechat ApiSecret set");
                    wc.ApiSecret = g.WeChatApiSecret;
                    wc.ApiSecretFile = g.WeChatApiSecretFile;
                }
                if (string.IsNullOrEmpty(wc.CorpId))
                {
                    if (string.IsNullOrEmpty(g.WeChatApiCorpId)) ctx.Error(wc, null, "no global Wechat CorpID set");
                    wc.CorpId = g.WeChatApiCorpId;
                }
                if (wc.ApiUrl is not null && !wc.ApiUrl.EndsWith('/')) wc.ApiUrl += "/";
                break;
            case VictorOpsConfig vo:
                if (string.IsNullOrEmpty(vo.ApiUrl))
                {
                    if (string.IsNullOrEmpty(g.VictorOpsApiUrl)) ctx.Error(vo, null, "no global VictorOps URL set");
                    vo.ApiUrl = g.VictorOpsApiUrl;
                }
                if (vo.ApiUrl is not null && !vo.ApiUrl.EndsWith('/')) vo.ApiUrl += "/";
                if (!Has(vo.ApiKey) && !Has(vo.ApiKeyFile))
                {
                    if (!Has(g.VictorOpsApiKey) && !Has(g.VictorOpsApiKeyFile)) ctx.Error(vo, null, "no global VictorOps API Key set");
                    vo.ApiKey = g.VictorOpsApiKey;
                    vo.ApiKeyFile = g.VictorOpsApiKeyFile;
                }
                break;
            case TelegramConfig tc:
                if (string.IsNullOrEmpty(tc.ApiUrl)) tc.ApiUrl = g.TelegramApiUrl;
                if (!Has(tc.BotToken) && !Has(tc.BotTokenFile))
                {
                    if (!Has(g.TelegramBotToken) && !Has(g.TelegramBotTokenFile)) ctx.Error(tc, null, "missing bot_token or bot_token_file on telegram_config");
                    tc.BotToken = g.TelegramBotToken;
                    tc.BotTokenFile = g.TelegramBotTokenFile;
                }
                break;
            case WebexConfig wx:
                if (string.IsNullOrEmpty(wx.ApiUrl))
                {
                    if (string.IsNullOrEmpty(g.WebexApiUrl)) ctx.Error(wx, null, "no global Webex URL set");
                    wx.ApiUrl = g.WebexApiUrl;
                }
                break;
            case JiraConfig jc:
                if (string.IsNullOrEmpty(jc.ApiUrl))
                {
                    if (string.IsNullOrEmpty(g.JiraApiUrl)) ctx.Error(jc, null, "no global Jira Cloud URL set");
                    jc.ApiUrl = g.JiraApiUrl;
                }
                break;
            case RocketchatConfig rc:
                if (string.IsNullOrEmpty(rc.ApiUrl)) rc.ApiUrl = g.RocketchatApiUrl;
                if (!Has(rc.TokenId) && !Has(rc.TokenIdFile))
                {
                    if (!Has(g.RocketchatTokenId) && !Has(g.RocketchatTokenIdFile)) ctx.Error(rc, null, "no global Rocketchat TokenID set either inline or in a file");
                    rc.TokenId = g.RocketchatTokenId;
                    rc.TokenIdFile = g.RocketchatTokenIdFile;
                }
                if (!Has(rc.Token) && !Has(rc.TokenFile))
                {
                    if (!Has(g.RocketchatToken) && !Has(g.RocketchatTokenFile)) ctx.Error(rc, null, "no global Rocketchat Token set either inline or in a file");
                    rc.Token = g.RocketchatToken;
                    rc.TokenFile = g.RocketchatTokenFile;
                }
                break;
            case MattermostConfig mm:
                if (!Has(mm.WebhookUrl) && !Has(mm.WebhookUrlFile))
                {
                    if (!Has(g.MattermostWebhookUrl) && !Has(g.MattermostWebhookUrlFile)) ctx.Error(mm, null, "no global Mattermost Webhook URL set either inline or in a file");
                    mm.WebhookUrl = g.MattermostWebhookUrl;
                    mm.WebhookUrlFile = g.MattermostWebhookUrlFile;
                }
                break;
        }
    }

    private static HttpClientConfig CloneHttp(HttpClientConfig? h)
    {
        if (h is null) return new HttpClientConfig();
        return new HttpClientConfig
        {
            BasicAuth = h.BasicAuth, Authorization = h.Authorization, OAuth2 = h.OAuth2, TlsConfig = h.TlsConfig,
            FollowRedirects = h.FollowRedirects, EnableHttp2 = h.EnableHttp2, HttpHeaders = h.HttpHeaders, Proxy = h.Proxy,
            Position = h.Position, KeyPositions = h.KeyPositions, KeyNodes = h.KeyNodes,
        };
    }
}
