using System.Collections.Concurrent;
using Portal.Alerting;

namespace Portal.Alerting.Tests;

public class DispatchTests
{
    private sealed record Flush(DateTimeOffset At, string GroupKey, string Receiver, List<Alert> Alerts);

    private sealed class Harness : IDisposable
    {
        public readonly FakeClock Clock = new();
        public readonly AlertStore Store;
        public readonly Dispatcher Dispatcher;
        public readonly ConcurrentQueue<Flush> Flushes = new();
        public Func<bool> Result = () => true;

        public Harness(string yaml)
        {
            Store = new AlertStore(Clock);
            var root = RouteNode.Build(TestUtil.Load(yaml).Route!);
            Dispatcher = new Dispatcher(root, Clock, (ctx, alerts, ct) =>
            {
                Flushes.Enqueue(new Flush(ctx.Now, ctx.GroupKey, ctx.Receiver, [.. alerts]));
                return Task.FromResult(Result());
            });
            Dispatcher.Start(Store);
        }

        public Alert Put(string labels, TimeSpan? startedAgo = null, DateTimeOffset endsAt = default)
        {
            var now = Clock.GetUtcNow();
            var a = new Alert { Labels = TestUtil.L(labels), StartsAt = now - (startedAgo ?? TimeSpan.Zero), EndsAt = endsAt == default ? now + TimeSpan.FromHours(1) : endsAt, UpdatedAt = now };
            Store.Put([a]);
            return a;
        }

        public async Task AdvanceAsync(TimeSpan by)
        {
            Clock.Advance(by);
            await Dispatcher.WaitIdleAsync();
        }

        public List<Flush> Take()
        {
            var l = new List<Flush>();
            while (Flushes.TryDequeue(out var f)) l.Add(f);
            return l;
        }

        public void Dispose() => Dispatcher.Dispose();
    }

    private const string Config = """
        route:
          receiver: r
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 1h
        receivers:
        - name: r
        """;

    [Fact]
    public async Task FirstFlushAfterGroupWaitThenEveryGroupInterval()
    {
        using var h = new Harness(Config);
        h.Put("alertname=A,instance=1");
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Put("alertname=A,instance=2");
        h.Put("alertname=B,instance=1");
        await h.AdvanceAsync(TimeSpan.FromSeconds(19));
        Assert.Empty(h.Take());
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var first = Assert.Single(h.Take());
        Assert.Equal("{}:{alertname=\"A\"}", first.GroupKey);
        Assert.Equal(["1", "2"], first.Alerts.Select(a => a.Labels.Get("instance")));
        Assert.All(first.Alerts, a => Assert.Equal(default, a.EndsAt));
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        var b = Assert.Single(h.Take());
        Assert.Equal("{}:{alertname=\"B\"}", b.GroupKey);
        await h.AdvanceAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(11));
        Assert.Empty(h.Take());
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var again = Assert.Single(h.Take());
        Assert.Equal(first.At + TimeSpan.FromMinutes(5), again.At);
    }

    [Fact]
    public async Task OldAlertFlushesImmediately()
    {
        using var h = new Harness(Config);
        h.Put("alertname=A", startedAgo: TimeSpan.FromMinutes(2));
        await h.AdvanceAsync(TimeSpan.Zero);
        Assert.Single(h.Take());
    }

    [Fact]
    public async Task ResolvedAlertsAreRemovedAfterSuccessfulNotification()
    {
        using var h = new Harness(Config);
        var now = h.Clock.GetUtcNow();
        h.Put("alertname=A,instance=1");
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Single(h.Take());
        h.Put("alertname=A,instance=1", endsAt: h.Clock.GetUtcNow());
        h.Result = () => false;
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        var failed = Assert.Single(h.Take());
        Assert.True(failed.Alerts[0].ResolvedAt(failed.At));
        h.Result = () => true;
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Single(h.Take());
        h.Dispatcher.Maintenance();
        Assert.Empty(h.Dispatcher.Groups());
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        Assert.Empty(h.Take());
        _ = now;
    }

    [Fact]
    public async Task GroupByAllAndEmptyGroupBy()
    {
        using var h = new Harness("""
            route:
              receiver: r
              group_wait: 1s
              routes:
              - matchers: [team=a]
                group_by: ['...']
                receiver: all
            receivers:
            - name: r
            - name: all
            """);
        h.Put("alertname=X,team=a,i=1");
        h.Put("alertname=X,team=a,i=2");
        h.Put("alertname=Y,i=1");
        h.Put("alertname=Z,i=2");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var flushes = h.Take().OrderBy(f => f.GroupKey, StringComparer.Ordinal).ToList();
        Assert.Equal(3, flushes.Count);
        Assert.Equal("{}:{}", flushes[2].GroupKey);
        Assert.Equal(2, flushes[2].Alerts.Count);
        Assert.Equal("{}/{team=\"a\"}:{alertname=\"X\", i=\"1\", team=\"a\"}", flushes[0].GroupKey);
        Assert.Equal("all", flushes[0].Receiver);
        var groups = h.Dispatcher.Groups();
        Assert.Equal(3, groups.Count);
    }

    [Fact]
    public async Task ContinueSendsToEveryMatchingRoute()
    {
        using var h = new Harness("""
            route:
              receiver: r
              group_wait: 1s
              routes:
              - matchers: [severity=critical]
                receiver: pager
                continue: true
              - matchers: [severity=~"critical|warning"]
                receiver: chat
            receivers:
            - name: r
            - name: pager
            - name: chat
            """);
        h.Put("alertname=X,severity=critical");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["chat", "pager"], h.Take().Select(f => f.Receiver).OrderBy(x => x, StringComparer.Ordinal));
    }
}
