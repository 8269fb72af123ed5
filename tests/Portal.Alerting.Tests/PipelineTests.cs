using System.Collections.Concurrent;
using Portal.Alerting;
using Portal.Model;
using MatchType = Portal.Model.MatchType;

namespace Portal.Alerting.Tests;

public class PipelineTests
{
    private sealed class FakeNotifier(string integration, bool sendResolved) : INotifier
    {
        public readonly ConcurrentQueue<List<Alert>> Sent = new();
        public Func<int, NotifyResult> Behaviour = _ => NotifyResult.Ok;
        private int _calls;

        public string Integration => integration;
        public bool SendResolved => sendResolved;

        public Task<NotifyResult> NotifyAsync(NotificationContext context, IReadOnlyList<Alert> alerts, CancellationToken ct)
        {
            var r = Behaviour(Interlocked.Increment(ref _calls));
            if (r.Success) Sent.Enqueue([.. alerts]);
            return Task.FromResult(r);
        }
    }

    private sealed class Setup
    {
        public readonly FakeClock Clock = new();
        public readonly AlertStore Store;
        public readonly SilenceStore Silences;
        public NotificationLog Log;
        public readonly MemoryNotificationRecorder Recorder = new();
        public readonly Dictionary<string, IReadOnlyList<IntegrationSlot>> Receivers = [];
        public readonly Inhibitor Inhibitor;
        public readonly string? Dir;

        public Setup(string? dir = null, string inhibit = "")
        {
            Dir = dir;
            Store = new AlertStore(Clock);
            Silences = new SilenceStore(dir, Clock);
            Log = new NotificationLog(dir, Clock);
            Inhibitor = new Inhibitor(TestUtil.Load("route: {receiver: r}\nreceivers: [{name: r}]\n" + inhibit).InhibitRules ?? [], Store, Clock);
        }

        public NotificationPipeline Pipeline(TimeIntervals? intervals = null) =>
            new("tenant-1", Receivers, Inhibitor, Silences, intervals ?? TimeIntervals.Empty, Log, Recorder, Clock, new RetryOptions { Initial = TimeSpan.FromSeconds(1), Jitter = 0 });

        public NotificationContext Ctx(string receiver = "r", IReadOnlyList<string>? mute = null, IReadOnlyList<string>? active = null) =>
            new("{}:{alertname=\"A\"}", TestUtil.L("alertname=A"), receiver, "{}", Clock.GetUtcNow(), TimeSpan.FromHours(1), mute ?? [], active ?? []);

        public Alert Firing(string labels) => new() { Labels = TestUtil.L(labels), StartsAt = Clock.GetUtcNow() - TimeSpan.FromMinutes(1), UpdatedAt = Clock.GetUtcNow() };

        public Alert Resolved(string labels) => Firing(labels) with { EndsAt = Clock.GetUtcNow() - TimeSpan.FromSeconds(1) };
    }

    [Fact]
    public async Task DeduplicatesUntilChangeOrRepeatInterval()
    {
        var s = new Setup();
        var n = new FakeNotifier("webhook", sendResolved: true);
        s.Receivers["r"] = [new IntegrationSlot(n, 0)];
        var p = s.Pipeline();
        var a1 = s.Firing("alertname=A,i=1");
        Assert.True(await p.ExecAsync(s.Ctx(), [a1], default));
        Assert.Single(n.Sent);
        // Same firing set: nothing new.
        s.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await p.ExecAsync(s.Ctx(), [a1], default));
        Assert.Single(n.Sent);
        // A new firing alert: notify.
        var a2 = s.Firing("alertname=A,i=2");
        Assert.True(await p.ExecAsync(s.Ctx(), [a1, a2], default));
        Assert.Equal(2, n.Sent.Count);
        // One of them resolves: notify (send_resolved).
        Assert.True(await p.ExecAsync(s.Ctx(), [a1, s.Resolved("alertname=A,i=2")], default));
        Assert.Equal(3, n.Sent.Count);
        // Nothing changes for the repeat interval, then it repeats.
        s.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True(await p.ExecAsync(s.Ctx(), [a1], default));
        Assert.Equal(3, n.Sent.Count);
        s.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await p.ExecAsync(s.Ctx(), [a1], default));
        Assert.Equal(4, n.Sent.Count);
        var entry = Assert.Single(s.Log.Entries());
        Assert.Equal("r/webhook/0", entry.Receiver);
    }

    [Fact]
    public async Task SendResolvedFalseDropsResolvedAlertsButClearsTheLog()
    {
        var s = new Setup();
        var n = new FakeNotifier("slack", sendResolved: false);
        s.Receivers["r"] = [new IntegrationSlot(n, 0)];
        var p = s.Pipeline();
        await p.ExecAsync(s.Ctx(), [s.Firing("alertname=A,i=1"), s.Firing("alertname=A,i=2")], default);
        Assert.Equal(2, n.Sent.Single().Count);
        await p.ExecAsync(s.Ctx(), [s.Firing("alertname=A,i=1"), s.Resolved("alertname=A,i=2")], default);
        // The firing set shrank to a subset: no notification without send_resolved.
        Assert.Single(n.Sent);
        await p.ExecAsync(s.Ctx(), [s.Resolved("alertname=A,i=1"), s.Resolved("alertname=A,i=2")], default);
        Assert.Single(n.Sent);
        Assert.Empty(s.Log.Entries().Single().FiringAlerts);
    }

    [Fact]
    public async Task NotificationLogDeduplicatesAcrossRestart()
    {
        var dir = TestUtil.TempDir();
        var s = new Setup(dir);
        var n = new FakeNotifier("webhook", true);
        s.Receivers["r"] = [new IntegrationSlot(n, 0)];
        var a = s.Firing("alertname=A");
        await s.Pipeline().ExecAsync(s.Ctx(), [a], default);
        Assert.Single(n.Sent);
        // "Restart": a new log read from the same folder.
        s.Log = new NotificationLog(dir, s.Clock);
        s.Clock.Advance(TimeSpan.FromMinutes(5));
        await s.Pipeline().ExecAsync(s.Ctx(), [a], default);
        Assert.Single(n.Sent);
        s.Clock.Advance(TimeSpan.FromHours(1));
        await s.Pipeline().ExecAsync(s.Ctx(), [a], default);
        Assert.Equal(2, n.Sent.Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task SilencedInhibitedAndMutedAlertsAreNotSent()
    {
        var s = new Setup(inhibit: "inhibit_rules:\n- source_matchers: [severity=critical]\n  target_matchers: [severity=warning]\n");
        var n = new FakeNotifier("webhook", true);
        s.Receivers["r"] = [new IntegrationSlot(n, 0)];
        var now = s.Clock.GetUtcNow();
        s.Silences.Set(new Silence { Matchers = [Matcher.Equal("i", "1")], StartsAt = now, EndsAt = now + TimeSpan.FromHours(1) });
        s.Store.Put([s.Firing("alertname=Src,severity=critical") with { EndsAt = now + TimeSpan.FromHours(1) }]);
        var p = s.Pipeline();
        await p.ExecAsync(s.Ctx(), [s.Firing("alertname=A,i=1"), s.Firing("alertname=A,i=2,severity=warning")], default);
        Assert.Empty(n.Sent);
        await p.ExecAsync(s.Ctx(), [s.Firing("alertname=A,i=1"), s.Firing("alertname=A,i=3")], default);
        Assert.Equal(["3"], n.Sent.Single().Select(a => a.Labels.Get("i")));

        var intervals = new TimeIntervals(TestUtil.Load("""
            route: {receiver: r}
            receivers: [{name: r}]
            time_intervals:
            - name: lunch
              time_intervals: [{times: [{start_time: '11:00', end_time: '13:00'}]}]
            - name: night
              time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
            """).TimeIntervals!);
        var n2 = new FakeNotifier("webhook", true);
        s.Receivers["m"] = [new IntegrationSlot(n2, 0)];
        var p2 = s.Pipeline(intervals);
        // The fake clock says 12:00 UTC: inside "lunch", outside "night".
        await p2.ExecAsync(s.Ctx("m", mute: ["lunch"]), [s.Firing("alertname=A,i=9")], default);
        await p2.ExecAsync(s.Ctx("m", active: ["night"]), [s.Firing("alertname=A,i=9")], default);
        Assert.Empty(n2.Sent);
        await p2.ExecAsync(s.Ctx("m", mute: ["night"], active: ["lunch"]), [s.Firing("alertname=A,i=9")], default);
        Assert.Single(n2.Sent);
    }

    [Fact]
    public async Task RetriesWithBackoffRecordsEveryAttemptAndDoesNotBlockOtherIntegrations()
    {
        var s = new Setup();
        var flaky = new FakeNotifier("webhook", true) { Behaviour = i => i < 3 ? NotifyResult.Failed(true, "unexpected status code 500") : NotifyResult.Ok };
        var broken = new FakeNotifier("email", true) { Behaviour = _ => NotifyResult.Failed(false, "SMTP 550: mailbox unavailable") };
        var fine = new FakeNotifier("slack", true);
        s.Receivers["r"] = [new IntegrationSlot(flaky, 0), new IntegrationSlot(broken, 0), new IntegrationSlot(fine, 0)];
        var p = s.Pipeline();
        var run = p.ExecAsync(s.Ctx(), [s.Firing("alertname=A")], default);
        for (int i = 0; i < 50 && !run.IsCompleted; i++)
        {
            await Task.Delay(20);
            s.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.False(await run);
        Assert.Single(fine.Sent);
        Assert.Single(flaky.Sent);
        var attempts = s.Recorder.Snapshot();
        var webhook = attempts.Where(a => a.Integration == "webhook").OrderBy(a => a.Attempt).ToList();
        Assert.Equal([1, 2, 3], webhook.Select(a => a.Attempt));
        Assert.Equal("unexpected status code 500", webhook[0].Error);
        Assert.True(webhook[2].Success);
        var email = Assert.Single(attempts, a => a.Integration == "email");
        Assert.False(email.Retryable);
        Assert.Equal("tenant-1", email.TenantId);
        // Failed integrations are not logged, so the next flush tries again; successful ones are deduplicated.
        await p.ExecAsync(s.Ctx(), [s.Firing("alertname=A")], default);
        Assert.Single(fine.Sent);
        Assert.Equal(2, s.Recorder.Snapshot().Count(a => a.Integration == "email"));
    }

    [Fact]
    public async Task RetriesStopAtTheDeadline()
    {
        var s = new Setup();
        var down = new FakeNotifier("webhook", true) { Behaviour = _ => NotifyResult.Failed(true, "connection refused") };
        s.Receivers["r"] = [new IntegrationSlot(down, 0)];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), s.Clock);
        var run = s.Pipeline().ExecAsync(s.Ctx(), [s.Firing("alertname=A")], cts.Token);
        for (int i = 0; i < 100 && !run.IsCompleted; i++)
        {
            await Task.Delay(10);
            s.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.False(await run);
        var n = s.Recorder.Snapshot().Count;
        Assert.InRange(n, 3, 8);
        Assert.Empty(s.Log.Entries());
    }
}
