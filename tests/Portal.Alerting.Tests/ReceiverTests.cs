using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Portal.Alerting;
using Portal.Alerting.Receivers;

namespace Portal.Alerting.Tests;

public class ReceiverTests
{
    /// <summary>Stands in for the template engine in payload-format tests: plain text passes, templates map to fixed texts.</summary>
    internal sealed class FixedTemplater : INotificationTemplater
    {
        public Dictionary<string, string> Map { get; } = new(StringComparer.Ordinal);
        public string Text(string template, TemplateData data) => template.Contains("{{", StringComparison.Ordinal) ? Map.GetValueOrDefault(template, "") : template;
        public string Html(string template, TemplateData data) => Text(template, data);
    }

    private static (Alertmanager Am, FakeClock Clock, MemoryNotificationRecorder Recorder) Make(string yaml, INotificationTemplater? templater = null)
    {
        var clock = new FakeClock();
        var rec = new MemoryNotificationRecorder();
        var am = new Alertmanager(new AlertmanagerOptions
        {
            TenantId = "t1",
            Clock = clock,
            ExternalUrl = "http://portal.example/alertmanager",
            Recorder = rec,
            Templates = _ => templater ?? new FixedTemplater(),
            Retry = new RetryOptions { Initial = TimeSpan.FromMilliseconds(1), Max = TimeSpan.FromMilliseconds(1), Jitter = 0 },
        });
        am.ApplyConfig(TestUtil.Load(yaml), yaml);
        return (am, clock, rec);
    }

    private static PostableAlert P(string labels, string annotations, DateTimeOffset start, DateTimeOffset end = default) =>
        new(TestUtil.L(labels), TestUtil.L(annotations), start, end, "http://prometheus/graph?g0.expr=up");

    private static async Task FlushAsync(Alertmanager am, FakeClock clock, TimeSpan by)
    {
        clock.Advance(by);
        await am.Dispatcher.WaitIdleAsync();
    }

    [Fact]
    public async Task WebhookReceivesAlertmanagersVersion4Payload()
    {
        using var server = new LocalHttpServer();
        var yaml = $"""
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 10s
            receivers:
            - name: hook
              webhook_configs:
              - url: '{server.Url}hook'
            """;
        var (am, clock, rec) = Make(yaml);
        using var _ = am;
        var start = clock.GetUtcNow() - TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(250);
        Assert.Empty(am.PutAlerts([P("alertname=Disk,instance=a<b>&", "summary=disk \"full\"", start), P("alertname=Disk,instance=z", "summary=other", start)]));
        await FlushAsync(am, clock, TimeSpan.FromSeconds(10));
        var req = Assert.Single(server.Requests);
        Assert.Equal("/hook", req.Path);
        Assert.Equal("application/json", req.ContentType);
        Assert.StartsWith("Alertmanager/", req.UserAgent);
        var fp1 = Fingerprints.ToHex(Fingerprints.Of(TestUtil.L("alertname=Disk,instance=a<b>&")));
        var fp2 = Fingerprints.ToHex(Fingerprints.Of(TestUtil.L("alertname=Disk,instance=z")));
        var expected =
            "{\"receiver\":\"hook\",\"status\":\"firing\",\"alerts\":[" +
            "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Disk\",\"instance\":\"a\\u003cb\\u003e\\u0026\"},\"annotations\":{\"summary\":\"disk \\\"full\\\"\"}," +
            "\"startsAt\":\"2024-01-01T11:59:00.25Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus/graph?g0.expr=up\",\"fingerprint\":\"" + fp1 + "\"}," +
            "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Disk\",\"instance\":\"z\"},\"annotations\":{\"summary\":\"other\"}," +
            "\"startsAt\":\"2024-01-01T11:59:00.25Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus/graph?g0.expr=up\",\"fingerprint\":\"" + fp2 + "\"}]," +
            "\"groupLabels\":{\"alertname\":\"Disk\"},\"commonLabels\":{\"alertname\":\"Disk\"},\"commonAnnotations\":{}," +
            "\"externalURL\":\"http://portal.example/alertmanager\",\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Disk\\\"}\",\"truncatedAlerts\":0}\n";
        Assert.Equal(expected, req.Body);
        Assert.True(Assert.Single(rec.Snapshot()).Success);

        // Resolve one: send_resolved defaults to true for webhooks.
        am.PutAlerts([P("alertname=Disk,instance=a<b>&", "summary=disk \"full\"", start), P("alertname=Disk,instance=z", "summary=other", start, clock.GetUtcNow())]);
        await FlushAsync(am, clock, TimeSpan.FromMinutes(5));
        var resolved = server.Requests.Last();
        using var doc = JsonDocument.Parse(resolved.Body);
        Assert.Equal("firing", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("resolved", doc.RootElement.GetProperty("alerts")[1].GetProperty("status").GetString());
        Assert.Equal(Fingerprints.Rfc3339Nano(clock.GetUtcNow() - TimeSpan.FromMinutes(5)), doc.RootElement.GetProperty("alerts")[1].GetProperty("endsAt").GetString());
    }

    [Fact]
    public async Task FailingReceiverIsRetriedAndRecordedWithoutBlockingTheOther()
    {
        using var slack = new LocalHttpServer { Respond = i => i < 3 ? (500, "text/plain", "internal_error") : (200, "text/plain", "ok") };
        using var hook = new LocalHttpServer();
        var yaml = $"""
            route:
              receiver: both
              group_wait: 1s
            receivers:
            - name: both
              slack_configs:
              - api_url: '{slack.Url}services/T000/B000/XXXX'
                channel: '#alerts'
                title: 'Disk full'
                text: 'please look'
                send_resolved: true
              webhook_configs:
              - url: '{hook.Url}'
            """;
        var templater = new FixedTemplater();
        templater.Map["{{ template \"slack.default.username\" . }}"] = "Alertmanager";
        templater.Map["{{ template \"slack.default.titlelink\" . }}"] = "http://portal.example/alertmanager/#/alerts?receiver=both";
        templater.Map["{{ template \"slack.default.fallback\" . }}"] = "[FIRING:1]  | http://portal.example/alertmanager/#/alerts?receiver=both";
        templater.Map["{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}"] = "danger";
        var (am, clock, rec) = Make(yaml, templater);
        using var _ = am;
        am.PutAlerts([P("alertname=Disk", "", clock.GetUtcNow())]);
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 200 && rec.Snapshot().Count(a => a.Success) < 2; i++)
        {
            await Task.Delay(20);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }
        await am.Dispatcher.WaitIdleAsync();
        Assert.Single(hook.Requests);
        Assert.Equal(3, slack.Requests.Count);
        var attempts = rec.Snapshot().Where(a => a.Integration == "slack").OrderBy(a => a.Attempt).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.Equal("channel \"#alerts\": unexpected status code 500: internal_error", attempts[0].Error);
        Assert.True(attempts[0].Retryable);
        Assert.True(attempts[2].Success);
        Assert.DoesNotContain("XXXX", string.Join(" ", rec.Snapshot().Select(a => a.Error)));
        var expected =
            "{\"channel\":\"#alerts\",\"username\":\"Alertmanager\",\"attachments\":[{\"title\":\"Disk full\"," +
            "\"title_link\":\"http://portal.example/alertmanager/#/alerts?receiver=both\",\"text\":\"please look\"," +
            "\"fallback\":\"[FIRING:1]  | http://portal.example/alertmanager/#/alerts?receiver=both\",\"callback_id\":\"\",\"footer\":\"\"," +
            "\"color\":\"danger\",\"mrkdwn_in\":[\"fallback\",\"pretext\",\"text\"]}]}\n";
        Assert.Equal(expected, slack.Requests.Last().Body);
        Assert.Equal("/services/T000/B000/XXXX", slack.Requests.Last().Path);
    }

    [Fact]
    public async Task HostedModeRefusesLoopbackDestinations()
    {
        using var server = new LocalHttpServer();
        var clock = new FakeClock();
        var rec = new MemoryNotificationRecorder();
        using var am = new Alertmanager(new AlertmanagerOptions { Clock = clock, Recorder = rec, OutboundConnect = Portal.Config.HostedNetwork.ConnectCallback(), Templates = _ => new FixedTemplater() });
        var yaml = $"route: {{receiver: hook, group_wait: 1s}}\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: '{server.Url}secret-path'\n";
        am.ApplyConfig(TestUtil.Load(yaml), yaml);
        am.PutAlerts([P("alertname=X", "", clock.GetUtcNow())]);
        clock.Advance(TimeSpan.FromSeconds(1));
        await am.Dispatcher.WaitIdleAsync();
        Assert.Empty(server.Requests);
        var a = Assert.Single(rec.Snapshot());
        Assert.False(a.Success);
        Assert.False(a.Retryable);
        Assert.Contains("127.0.0.1", a.Error);
        Assert.Contains("loopback", a.Error);
        Assert.True(SafeHttp.IsForbidden(IPAddress.Parse("127.0.0.1"), out _));
        Assert.DoesNotContain("secret-path", a.Error);
        Assert.True(SafeHttp.IsForbidden(IPAddress.Parse("169.254.169.254"), out var kind));
        Assert.Contains("metadata", kind);
        Assert.True(SafeHttp.IsForbidden(IPAddress.Parse("10.1.2.3"), out _));
        Assert.True(SafeHttp.IsForbidden(IPAddress.Parse("::ffff:192.168.1.1"), out _));
        Assert.True(SafeHttp.IsForbidden(IPAddress.Parse("fd00::1"), out _));
        Assert.False(SafeHttp.IsForbidden(IPAddress.Parse("8.8.8.8"), out _));
    }

    [SkippableFact]
    public async Task EmailReachesARealSmtpServer()
    {
        int port = FreePort();
        Process? smtpd;
        try
        {
            // Debian's python3-aiosmtpd installs into the system interpreter, which may not be first on PATH.
            var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            smtpd = Process.Start(new ProcessStartInfo(python, ["-u", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            smtpd = null;
        }
        Skip.If(smtpd is null, "python3 not installed");
        using var proc = smtpd!;
        var output = new System.Text.StringBuilder();
        proc.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        proc.BeginOutputReadLine();
        var err = proc.StandardError.ReadToEndAsync();
        try
        {
            bool up = await WaitForPortAsync(port, proc);
            if (!up)
            {
                var stderr = proc.HasExited ? await err : "";
                Skip.If(stderr.Contains("No module named aiosmtpd", StringComparison.Ordinal), "python3-aiosmtpd not installed");
                Assert.Fail("aiosmtpd did not start: " + stderr);
            }
            var templater = new FixedTemplater();
            templater.Map["{{ template \"email.default.subject\" . }}"] = "[FIRING:1] Disk";
            templater.Map["{{ template \"email.default.html\" . }}"] = "<html><body>Disk is full</body></html>";
            var yaml = $"""
                global:
                  smtp_smarthost: '127.0.0.1:{port}'
                  smtp_from: 'alertmanager@example.org'
                  smtp_require_tls: false
                route:
                  receiver: mail
                  group_wait: 1s
                receivers:
                - name: mail
                  email_configs:
                  - to: 'oncall@example.org'
                    text: 'plain body'
                    headers:
                      X-Tenant: t1
                """;
            var (am, clock, rec) = Make(yaml, templater);
            using var _ = am;
            am.PutAlerts([P("alertname=Disk", "", clock.GetUtcNow())]);
            clock.Advance(TimeSpan.FromSeconds(1));
            await am.Dispatcher.WaitIdleAsync();
            var attempt = Assert.Single(rec.Snapshot());
            Assert.True(attempt.Success, attempt.Error);
            string text = "";
            for (int i = 0; i < 100; i++)
            {
                lock (output) text = output.ToString();
                if (text.Contains("Disk is full", StringComparison.Ordinal)) break;
                await Task.Delay(50);
            }
            Assert.Contains("Subject: [FIRING:1] Disk", text);
            Assert.Contains("To: oncall@example.org", text);
            Assert.Contains("From: alertmanager@example.org", text);
            Assert.Contains("X-Tenant: t1", text);
            Assert.Contains("multipart/alternative", text);
            Assert.Contains("plain body", text);
            Assert.Contains("<html><body>Disk is full</body></html>", text);
        }
        finally
        {
            if (!proc.HasExited) proc.Kill();
        }
    }

    [Fact]
    public async Task EmailToADownServerIsRetriedAndRecorded()
    {
        int port = FreePort();
        var yaml = $"""
            route:
              receiver: mail
              group_wait: 1s
            receivers:
            - name: mail
              email_configs:
              - to: 'oncall@example.org'
                from: 'am@example.org'
                smarthost: '127.0.0.1:{port}'
                html: 'x'
            """;
        var (am, clock, rec) = Make(yaml);
        using var _ = am;
        am.PutAlerts([P("alertname=Disk", "", clock.GetUtcNow())]);
        clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 100 && rec.Snapshot().Count < 3; i++)
        {
            await Task.Delay(20);
            clock.Advance(TimeSpan.FromMilliseconds(5));
        }
        var attempts = rec.Snapshot();
        Assert.True(attempts.Count >= 3);
        Assert.All(attempts, a => { Assert.False(a.Success); Assert.True(a.Retryable); Assert.Contains($"127.0.0.1:{port}", a.Error); });
        // The flush's deadline (group_interval, 5m) ends the retries.
        clock.Advance(TimeSpan.FromMinutes(6));
        await am.Dispatcher.WaitIdleAsync();
    }

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<bool> WaitForPortAsync(int port, Process proc)
    {
        for (int i = 0; i < 100; i++)
        {
            if (proc.HasExited) return false;
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }
}
