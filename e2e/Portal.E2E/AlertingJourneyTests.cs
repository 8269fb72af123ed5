using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

/// <summary>
/// The alerting journey in Chromium: a team with a webhook receiver (a local HTTP server) and an email receiver (a
/// local SMTP server), test notifications to both, an <c>up == 0</c> rule on a stopped target going pending then
/// firing on the Alerts page, the notification reaching both receivers, a silence made from the alert's row, and all of
/// it in Alert history.
/// </summary>
public sealed class AlertingJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 30_000 };
    private PortalProcess _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalProcess.StartAsync("http", "--Limits:MinScrapeInterval=00:00:01");

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static string Shot(string name) => Path.Combine(RepoPaths.Screenshots(), name);

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task TeamReceiversGetTestsAndRealAlertsAndHistoryShowsEverything()
    {
        using var hook = new WebhookServer();
        using var smtp = new SmtpServer();
        int stopped = FreePort();

        var page = await browser.SignUpAsync(_portal.BaseUrl, "Journey Team", "owner@journey.example");

        // A scrape job whose only target is a closed local port: up == 0.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/config");
        await page.GetByTestId("config-editor").FillAsync(
            $"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: stopped\n    static_configs:\n      - targets: ['127.0.0.1:{stopped}']\n");
        await Expect(page.GetByTestId("config-valid")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("apply").ClickAsync();
        await Expect(page.GetByTestId("running-revision")).ToBeVisibleAsync(Slow);

        // Teams: a team with a webhook and an email receiver, grouped quickly.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/teams");
        await Expect(page.GetByTestId("empty-state")).ToContainTextAsync("No teams yet", new() { Timeout = 30_000 });
        await page.Locator("#new-team").FillAsync("payments");
        await page.GetByTestId("team-create").ClickAsync();
        var team = page.Locator("[data-testid=team][data-team=payments]");
        await Expect(team).ToBeVisibleAsync(Slow);

        var fresh = team.GetByTestId("receiver-editor").Last;
        await fresh.Locator("[id^=new-receiver-][id$=-name]").FillAsync("hook");
        await fresh.Locator("[id^=new-receiver-][id$=-url]").FillAsync(hook.Url);
        await fresh.GetByTestId("receiver-save").ClickAsync();
        await Expect(team.GetByTestId("receiver-test")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        fresh = team.GetByTestId("receiver-editor").Last;
        await fresh.GetByTestId("receiver-kind").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Email" }).ClickAsync();
        await fresh.Locator("[id^=new-receiver-][id$=-name]").FillAsync("mail");
        await fresh.Locator("[id^=new-receiver-][id$=-to]").FillAsync("payments-oncall@journey.example");
        await fresh.Locator("[id^=new-receiver-][id$=-from]").FillAsync("portal@journey.example");
        await fresh.Locator("[id^=new-receiver-][id$=-smarthost]").FillAsync($"127.0.0.1:{smtp.Port}");
        await fresh.Locator("input[data-testid=receiver-require-tls], [data-testid=receiver-require-tls] input").UncheckAsync();
        await fresh.GetByTestId("receiver-save").ClickAsync();
        await Expect(team.GetByTestId("receiver-test")).ToHaveCountAsync(2, new() { Timeout = 30_000 });

        var route = team.GetByTestId("route-editor");
        await route.Locator("[id$=-group-wait]").FillAsync("1s");
        await route.Locator("[id$=-group-interval]").FillAsync("1s");
        await route.GetByTestId("route-save").ClickAsync();
        await Expect(route.GetByTestId("route-saved")).ToBeVisibleAsync(Slow);

        // Test notifications through both real integrations.
        var saved = team.GetByTestId("receiver-editor");
        for (int i = 0; i < 2; i++)
        {
            await saved.Nth(i).GetByTestId("receiver-test").ClickAsync();
            await Expect(saved.Nth(i).GetByTestId("test-result")).ToContainTextAsync("test notification sent", new() { Timeout = 30_000 });
        }
        Assert.Contains(hook.Bodies, b => b.Contains("TestNotification"));
        Assert.Contains(smtp.Messages, m => m.Contains("TestNotification") && m.Contains("payments-oncall@journey.example"));
        await saved.Nth(0).GetByTestId("receiver-preview").ClickAsync();
        await Expect(saved.Nth(0).GetByTestId("template-preview")).ToContainTextAsync("sample alert");
        await page.ScreenshotAsync(new() { Path = Shot("teams-receivers.png"), FullPage = true });
        await page.GetByRole(AriaRole.Tab, new() { Name = "Generated alertmanager.yml" }).ClickAsync();
        await Expect(page.GetByTestId("generated-yaml")).ToContainTextAsync("payments/mail");
        await page.ScreenshotAsync(new() { Path = Shot("teams-generated-yaml.png"), FullPage = true });

        // The rule: up == 0 for 5s, labelled for the team.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/config");
        await page.GetByTestId("config-kind").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Rule files" }).ClickAsync();
        await Expect(page.GetByTestId("config-empty")).ToContainTextAsync("No rule file yet", new() { Timeout = 30_000 });
        await page.GetByTestId("config-editor").FillAsync(
            "groups:\n  - name: journey\n    interval: 1s\n    rules:\n      - alert: TargetDown\n        expr: up == 0\n        for: 5s\n        labels:\n          team: payments\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n");
        await Expect(page.GetByTestId("config-valid")).ToBeVisibleAsync(Slow);
        await page.GetByTestId("apply").ClickAsync();
        await Expect(page.GetByTestId("running-revision")).ToBeVisibleAsync(Slow);

        // Pending, then firing, on the Alerts page. The page refreshes itself every few seconds; reloading it catches the
        // pending window (the rule's 'for') without waiting for the timer.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/alerts");
        var row = page.Locator("[data-testid=alert-row][data-alertname=TargetDown]");
        await ReloadUntilAsync(page, row.GetByTestId("alert-state").Filter(new() { HasText = "pending" }));
        await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("firing", new() { Timeout = 30_000 });
        await Expect(row.GetByTestId("alert-annotation")).ToContainTextAsync($"127.0.0.1:{stopped} is down");
        await page.ScreenshotAsync(new() { Path = Shot("alerts-firing.png"), FullPage = true });

        // The notification reaches both receivers.
        await WaitAsync(() => hook.Bodies.Any(b => b.Contains("TargetDown")) && smtp.Messages.Any(m => m.Contains("TargetDown")), "the TargetDown notification at both receivers");
        var webhookBody = JsonDocument.Parse(hook.Bodies.First(b => b.Contains("TargetDown"))).RootElement;
        Assert.Equal("payments/hook", webhookBody.GetProperty("receiver").GetString());
        Assert.Equal("firing", webhookBody.GetProperty("status").GetString());

        // Silence it from its row on the Alerts page; it is marked silenced there and listed as active on Silences.
        await row.GetByTestId("silence-from-alert").ClickAsync();
        await Expect(page.GetByTestId("silence-preview-count")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await page.Locator("#silence-comment").FillAsync("journey: target stopped on purpose");
        await page.GetByTestId("silence-submit").ClickAsync();
        await Expect(row.GetByTestId("alert-silenced")).ToBeVisibleAsync(Slow);
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/silences");
        var active = page.Locator("[data-testid=silence-row][data-state=active]");
        await Expect(active).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(active.GetByTestId("silence-comment")).ToHaveTextAsync("journey: target stopped on purpose");
        await Expect(active.GetByTestId("silence-muted")).ToHaveTextAsync("1");

        // Alert history: the state changes, the test and real notifications to both receivers, and the timeline.
        await BrowserFixture.GotoInteractiveAsync(page, _portal.BaseUrl + "/alert-history");
        await page.Locator("#history-team").FillAsync("payments");
        await page.GetByTestId("history-search").ClickAsync();
        var sent = page.Locator("[data-testid=history-notification][data-success=true]");
        await Expect(sent.Filter(new() { HasText = "payments/hook" }).Filter(new() { HasText = "TargetDown" }).First).ToBeVisibleAsync(Slow);
        await Expect(sent.Filter(new() { HasText = "payments/mail" }).Filter(new() { HasText = "TargetDown" }).First).ToBeVisibleAsync(Slow);
        await Expect(sent.Filter(new() { HasText = "test notification" })).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=history-change][data-state=pending]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=history-change][data-state=firing]").First).ToBeVisibleAsync();
        await page.Locator("[data-testid=history-change][data-state=firing]").First.ClickAsync();
        await Expect(page.GetByTestId("timeline")).ToContainTextAsync("notified payments/hook", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("timeline-item").First).ToContainTextAsync("pending");
        await page.ScreenshotAsync(new() { Path = Shot("alert-history.png"), FullPage = true });
    }

    /// <summary>Reloads the page until <paramref name="target"/> shows (the alert list is read when the page loads).</summary>
    private static async Task ReloadUntilAsync(IPage page, ILocator target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await Expect(target).ToBeVisibleAsync(new() { Timeout = 500 });
                return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline)
            {
                await BrowserFixture.GotoInteractiveAsync(page, page.Url);
            }
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for " + what);
            await Task.Delay(100);
        }
    }

    /// <summary>A webhook receiver on loopback keeping every request body.</summary>
    private sealed class WebhookServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public ConcurrentQueue<string> Bodies { get; } = new();
        public string Url { get; }

        public WebhookServer()
        {
            Url = $"http://127.0.0.1:{FreePort()}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                    using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
                    Bodies.Enqueue(await reader.ReadToEndAsync());
                    ctx.Response.StatusCode = 200;
                    ctx.Response.Close();
                }
            });
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>
    /// Just enough of an SMTP server (RFC 5321 without extensions: no STARTTLS, no AUTH) to accept messages on loopback
    /// and keep each one's envelope and data.
    /// </summary>
    private sealed class SmtpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public ConcurrentQueue<string> Messages { get; } = new();
        public int Port { get; }

        public SmtpServer()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                    _ = Task.Run(() => SessionAsync(client));
                }
            });
        }

        private async Task SessionAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            var envelope = new StringBuilder();
            try
            {
                await writer.WriteLineAsync("220 localhost test SMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                        case "HELO":
                            await writer.WriteLineAsync("250 localhost");
                            break;
                        case "MAIL":
                        case "RCPT":
                            envelope.AppendLine(line);
                            await writer.WriteLineAsync("250 OK");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                            var data = new StringBuilder(envelope.ToString());
                            while (await reader.ReadLineAsync() is { } d && d != ".") data.AppendLine(d);
                            Messages.Enqueue(data.ToString());
                            envelope.Clear();
                            await writer.WriteLineAsync("250 OK queued");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 OK");
                            break;
                    }
                }
            }
            catch (IOException)
            {
                // the client went away
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
