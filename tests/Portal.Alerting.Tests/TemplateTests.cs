using Portal.Alerting;
using Portal.Alerting.Receivers;
using Portal.Alerting.Templates;
using Portal.Config.Alertmanager;

namespace Portal.Alerting.Tests;

public class TemplateTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static TemplateData Data(string receiver, string groupLabels, params (string Labels, string Annotations, bool Resolved)[] alerts)
    {
        var list = new List<Alert>();
        foreach (var (l, a, resolved) in alerts)
            list.Add(new Alert { Labels = TestUtil.L(l), Annotations = TestUtil.L(a), StartsAt = Now.AddMinutes(-5), EndsAt = resolved ? Now.AddMinutes(-1) : default, GeneratorUrl = "http://prom/graph?g0.expr=x&a=<b>" });
        return TemplateData.Create(receiver, TestUtil.L(groupLabels), list, "http://portal.example/alertmanager", Now);
    }

    public static TheoryData<string, string> Subjects => new()
    {
        { "{{ template \"__subject\" . }}", "[FIRING:2] Disk (critical)" },
        { "{{ template \"email.default.subject\" . }}", "[FIRING:2] Disk (critical)" },
        { "{{ template \"slack.default.title\" . }}", "[FIRING:2] Disk (critical)" },
        { "{{ template \"slack.default.username\" . }}", "Alertmanager" },
        { "{{ template \"slack.default.titlelink\" . }}", "http://portal.example/alertmanager/#/alerts?receiver=team%5C.ops" },
        { "{{ .CommonLabels.severity }} {{ .Alerts.Firing | len }} {{ .Alerts.Resolved | len }} {{ .Receiver }}", "critical 2 1 team\\.ops" },
        { "{{ range .Alerts }}{{ .Labels.instance }}={{ .Status }} {{ end }}", "a=firing b=firing c=resolved " },
        { "{{ .CommonAnnotations.summary }}|{{ .GroupLabels.SortedPairs.Names | join \",\" }}", "|alertname" },
        { "no template", "no template" },
    };

    [Theory]
    [MemberData(nameof(Subjects))]
    public void DefaultTemplatesExpandAsAlertmanagers(string template, string expected)
    {
        var t = new NotificationTemplates(TimeProvider.System);
        var data = Data("team.ops", "alertname=Disk",
            ("alertname=Disk,instance=a,severity=critical", "summary=full", false),
            ("alertname=Disk,instance=b,severity=critical", "summary=half", false),
            ("alertname=Disk,instance=c,severity=critical", "", true));
        Assert.Equal(expected, t.Text(template, data));
    }

    [Fact]
    public void ResolvedSubjectHasNoCount()
    {
        var t = new NotificationTemplates(TimeProvider.System);
        Assert.Equal("[RESOLVED] Disk ", t.Text("{{ template \"__subject\" . }}", Data("r", "alertname=Disk", ("alertname=Disk", "", true))));
    }

    [Fact]
    public void HtmlEscapesValuesAndBadTemplatesFail()
    {
        var t = new NotificationTemplates(TimeProvider.System);
        var data = Data("r", "alertname=Disk", ("alertname=Disk,instance=<script>", "", false));
        var html = t.Html("{{ template \"email.default.html\" . }}", data);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("href=\"http://prom/graph?g0.expr=x&amp;a=&lt;b&gt;\"", html);
        Assert.Contains("[1] Firing", html);
        Assert.Throws<NotificationTemplateException>(() => t.Text("{{ .Nope", data));
        Assert.Throws<NotificationTemplateException>(() => t.Text("{{ template \"missing\" . }}", data));
    }

    [Fact]
    public void TemplateFilesAddDefinitions()
    {
        var dir = TestUtil.TempDir();
        File.WriteAllText(Path.Combine(dir, "team.tmpl"), "{{ define \"team.title\" }}Team: {{ .CommonLabels.alertname }}{{ end }}");
        var cfg = TestUtil.Load($"route: {{receiver: r}}\nreceivers: [{{name: r}}]\ntemplates: ['{dir}/*.tmpl']\n");
        var t = NotificationTemplates.For(cfg, TimeProvider.System, null, allowFiles: true);
        Assert.Equal("Team: Disk", t.Text("{{ template \"team.title\" . }}", Data("r", "", ("alertname=Disk", "", false))));
        var hosted = NotificationTemplates.For(cfg, TimeProvider.System, null, allowFiles: false);
        Assert.Throws<NotificationTemplateException>(() => hosted.Text("{{ template \"team.title\" . }}", Data("r", "", ("alertname=Disk", "", false))));
        File.WriteAllText(Path.Combine(dir, "broken.tmpl"), "{{ define \"x\" }}{{ end");
        Assert.Throws<NotificationTemplateException>(() => NotificationTemplates.For(cfg, TimeProvider.System, null, allowFiles: true));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void SlackPayloadWithDefaultTemplates()
    {
        var cfg = TestUtil.Load("""
            route: {receiver: team}
            receivers:
            - name: team
              slack_configs:
              - api_url: 'http://example.org/hook'
                channel: '#ops'
                fields:
                - title: Severity
                  value: '{{ .CommonLabels.severity }}'
            """);
        var slack = (SlackConfig)cfg.Receivers![0].AllNotifiers().Single();
        var env = new NotifierEnvironment(new NotificationTemplates(TimeProvider.System), _ => throw new InvalidOperationException(), "http://am", TimeProvider.System);
        var data = TemplateData.Create("team", TestUtil.L("alertname=Disk"),
            [new Alert { Labels = TestUtil.L("alertname=Disk,severity=critical"), StartsAt = Now }], "http://am", Now);
        var body = new SlackNotifier(slack, env).BuildPayload(data);
        Assert.Equal(
            "{\"channel\":\"#ops\",\"username\":\"Alertmanager\",\"attachments\":[{\"title\":\"[FIRING:1] Disk (critical)\"," +
            "\"title_link\":\"http://am/#/alerts?receiver=team\",\"text\":\"\",\"fallback\":\"[FIRING:1] Disk (critical) | http://am/#/alerts?receiver=team\"," +
            "\"callback_id\":\"\",\"fields\":[{\"title\":\"Severity\",\"value\":\"critical\",\"short\":false}],\"footer\":\"\",\"color\":\"danger\"," +
            "\"mrkdwn_in\":[\"fallback\",\"pretext\",\"text\"]}]}\n", body);
    }
}
