using Portal.Config.Alertmanager;

namespace Portal.Config.Tests;

/// <summary>Alertmanager's config/testdata: files carry no good/bad suffix, so the outcome (and message) per file follows Alertmanager's own tests.</summary>
public class AlertmanagerUpstreamTests
{
    public static TheoryData<string, string?> Files() => new()
    {
        { "conf.empty-fields.yml", null },
        { "conf.good.yml", null },
        { "conf.group-by-all.yml", null },
        { "conf.http-config.good.yml", null },
        { "conf.mattermost-both-webhook-url-and-file.yml", "at most one of mattermost_webhook_url & mattermost_webhook_url_file must be configured" },
        { "conf.mattermost-default-webhook-url-file.yml", null },
        { "conf.mattermost-default-webhook-url.yml", null },
        { "conf.mattermost-no-webhook-url.yml", "no global Mattermost Webhook URL set either inline or in a file" },
        { "conf.mattermost-valid-receiver-both-webhook-url-and-file.yml", "at most one of mattermost_webhook_url & mattermost_webhook_url_file must be configured" },
        { "conf.nil-match_re-route.yml", "invalid_label" },
        { "conf.nil-source_match_re-inhibition.yml", "invalid_source_label" },
        { "conf.nil-target_match_re-inhibition.yml", "invalid_target_label" },
        { "conf.opsgenie-both-file-and-apikey.yml", "at most one of opsgenie_api_key & opsgenie_api_key_file must be configured" },
        { "conf.opsgenie-default-apikey-file.yml", null },
        { "conf.opsgenie-default-apikey-old-team.yml", "field teams not found in type opsgenie_config" },
        { "conf.opsgenie-default-apikey.yml", null },
        { "conf.opsgenie-no-apikey.yml", "no global OpsGenie API Key set either inline or in a file" },
        { "conf.rocketchat-both-token-and-tokenfile.yml", "at most one of rocketchat_token & rocketchat_token_file must be configured" },
        { "conf.rocketchat-both-tokenid-and-tokenidfile.yml", "at most one of rocketchat_token_id & rocketchat_token_id_file must be configured" },
        { "conf.rocketchat-default-token-file.yml", null },
        { "conf.rocketchat-default-token.yml", null },
        { "conf.rocketchat-no-token.yml", "no global Rocketchat Token set either inline or in a file" },
        { "conf.slack-both-file-and-token.yml", "at most one of slack_app_token & slack_app_token_file must be configured" },
        { "conf.slack-both-file-and-url.yml", "at most one of slack_api_url & slack_api_url_file must be configured" },
        { "conf.slack-both-url-and-token.yml", "at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file must be configured" },
        { "conf.slack-default-api-url-file.yml", null },
        { "conf.slack-default-app-token.yml", null },
        { "conf.slack-no-api-url-or-token.yml", "no Slack API URL nor App token set either inline or in a file" },
        { "conf.slack-update-message-and-webhook.yml", "update_message can only be used with bot tokens. api_url must be set to https://slack.com/api/chat.postMessage" },
        { "conf.smtp-both-password-and-file.yml", "at most one of smtp_auth_password & smtp_auth_password_file must be configured" },
        { "conf.smtp-no-username-or-password.yml", null },
        { "conf.smtp-password-global-and-local.yml", null },
        { "conf.sns-invalid.yml", "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config" },
        { "conf.sns-topic-arn.yml", null },
        { "conf.telegram-both-bot-token-and-file.yml", "at most one of telegram_bot_token & telegram_bot_token_file must be configured" },
        { "conf.telegram-default-bot-token-file.yml", null },
        { "conf.telegram-default-bot-token.yml", null },
        { "conf.telegram-no-bot-token.yml", "missing bot_token or bot_token_file on telegram_config" },
        { "conf.telegram-valid-receiver-both-bot-token-and-file.yml", "at most one of telegram_bot_token & telegram_bot_token_file must be configured" },
        { "conf.victorops-both-file-and-apikey.yml", "at most one of victorops_api_key & victorops_api_key_file must be configured" },
        { "conf.victorops-default-apikey-file.yml", null },
        { "conf.victorops-default-apikey.yml", null },
        { "conf.victorops-no-apikey.yml", "no global VictorOps API Key set" },
        { "conf.wechat-both-file-and-secret.yml", "at most one of wechat_api_secret & wechat_api_secret_file must be configured" },
        { "conf.wechat-default-api-secret-file.yml", null },
        { "conf.wechat-no-api-secret.yml", "no global Wechat ApiSecret set" },
    };

    private static string Dir => SharedData.Path_("upstream", "alertmanager", "config", "testdata");

    [SharedTheory]
    [MemberData(nameof(Files))]
    public void LoadsOrFailsAsAlertmanagerDoes(string name, string? expectedError)
    {
        var r = AlertmanagerConfigLoader.LoadFile(Path.Combine(Dir, name));
        if (expectedError is null)
        {
            Assert.True(r.Success, string.Join("\n", r.Errors));
            return;
        }
        Assert.False(r.Success);
        Assert.True(r.Errors.Any(e => e.Message.Contains(expectedError, StringComparison.Ordinal)),
            $"expected «{expectedError}», got:\n{string.Join("\n", r.Errors)}");
        foreach (var e in r.Errors) Assert.True(e.Line >= 1 && e.Column >= 1);
    }

    [SharedFact]
    public void EveryUpstreamFileIsClassified()
    {
        var listed = new HashSet<string>(Files().Select(row => (string)row[0]));
        foreach (var f in Directory.GetFiles(Dir)) Assert.Contains(Path.GetFileName(f), listed);
    }

    [SharedFact]
    public void GlobalDefaultsFlowIntoNotifiers()
    {
        var r = AlertmanagerConfigLoader.LoadFile(Path.Combine(Dir, "conf.smtp-password-global-and-local.yml"));
        Assert.True(r.Success);
        var emails = r.Config!.Receivers![0].EmailConfigs!;
        Assert.Equal("globaluser", emails[0].AuthUsername);
        Assert.Equal("/tmp/globaluserpassword", emails[0].AuthPasswordFile);
        Assert.Equal("localuser1", emails[1].AuthUsername);
        Assert.Equal("mysecret", emails[2].AuthPassword!.Value);
        Assert.Null(emails[2].AuthPasswordFile);
        Assert.Equal("localhost:25", emails[0].Smarthost);
    }

    [Fact]
    public void MatchersInEverySyntax()
    {
        var r = AlertmanagerConfigLoader.Load("""
            route:
              receiver: r
              routes:
                - receiver: r
                  match: {severity: critical}
                  match_re: {service: "^(a|b)$"}
                  matchers:
                    - alertname = Watchdog
                    - 'foo != "bar,baz", dings=~bums.*'
                    - '{team="x"}'
            receivers:
              - name: r
            """, "am.yml");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var m = r.Config!.Route!.Routes![0].AllMatchers;
        Assert.Equal(6, m.Count);
        Assert.Contains(m, x => x.Name == "foo" && x.Value == "bar,baz" && x.Type == Portal.Model.MatchType.NotEqual);
        Assert.Contains(m, x => x.Name == "dings" && x.Matches("bumsfoo"));
    }

    [Fact]
    public void RouteErrorsArePositioned()
    {
        var r = AlertmanagerConfigLoader.Load("""
            route:
              receiver: r
              routes:
                - receiver: nobody
                  mute_time_intervals: [weekend]
                  matchers: ['foo =~ "(unclosed"']
            receivers:
              - name: r
              - name: r
            """, "am.yml");
        var msgs = r.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("am.yml:4:17: undefined receiver \"nobody\" used in route", msgs);
        Assert.Contains("am.yml:5:28: undefined time interval \"weekend\" used in route", msgs);
        Assert.Contains(msgs, m => m.StartsWith("am.yml:6:17: invalid regular expression", StringComparison.Ordinal));
        Assert.Contains("am.yml:9:11: notification config name \"r\" is not unique", msgs);
    }

    [Fact]
    public void TimeIntervalsAreChecked()
    {
        var r = AlertmanagerConfigLoader.Load("""
            route: {receiver: r}
            receivers: [{name: r}]
            time_intervals:
              - name: offhours
                time_intervals:
                  - times: [{start_time: "17:00", end_time: "09:00"}]
                    weekdays: ['monday:friday', funday]
                    months: ['1:3', december]
                    days_of_month: ['-3:-1', '1:5']
                    location: Europe/Amsterdam
            """, "am.yml");
        var msgs = r.Errors.Select(e => e.Message).ToList();
        Assert.Equal(2, msgs.Count);
        Assert.Contains(msgs, m => m.StartsWith("start time cannot be equal or greater than end time", StringComparison.Ordinal));
        Assert.Contains("\"funday\" is not a valid weekday", msgs);
    }
}
