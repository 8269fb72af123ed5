using Portal.Alerting;

namespace Portal.Alerting.Tests;

public class InhibitionTests
{
    private const string Config = """
        route:
          receiver: r
        receivers:
        - name: r
        inhibit_rules:
        - source_matchers: [severity="critical"]
          target_matchers: [severity=~"warning|critical"]
          equal: [cluster, service]
        """;

    private static (Inhibitor, AlertStore, FakeClock) Make()
    {
        var clock = new FakeClock();
        var store = new AlertStore(clock);
        return (new Inhibitor(TestUtil.Load(Config).InhibitRules!, store, clock), store, clock);
    }

    private static Alert A(FakeClock c, string labels, TimeSpan? endsIn = null) =>
        new() { Labels = TestUtil.L(labels), StartsAt = c.GetUtcNow(), EndsAt = c.GetUtcNow() + (endsIn ?? TimeSpan.FromHours(1)), UpdatedAt = c.GetUtcNow() };

    public static TheoryData<string, bool> Targets => new()
    {
        { "alertname=B,severity=warning,cluster=eu,service=api", true },
        { "alertname=B,severity=warning,cluster=us,service=api", false },
        { "alertname=B,severity=warning,cluster=eu", false },
        { "alertname=B,severity=info,cluster=eu,service=api", false },
        // Matches both sides: not inhibited by an alert that also matches both sides.
        { "alertname=C,severity=critical,cluster=eu,service=api", false },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void InhibitsTargetsWithEqualLabels(string target, bool inhibited)
    {
        var (ih, store, clock) = Make();
        var source = A(clock, "alertname=A,severity=critical,cluster=eu,service=api");
        store.Put([source]);
        Assert.Equal(inhibited ? source.Fingerprint : null, ih.InhibitedBy(TestUtil.L(target)));
    }

    [Fact]
    public void MissingEqualLabelsCountAsEqual()
    {
        var (ih, store, clock) = Make();
        store.Put([A(clock, "alertname=A,severity=critical")]);
        Assert.NotNull(ih.InhibitedBy(TestUtil.L("alertname=B,severity=warning")));
        Assert.Null(ih.InhibitedBy(TestUtil.L("alertname=B,severity=warning,cluster=eu")));
    }

    [Fact]
    public void ResolvedSourcesDoNotInhibit()
    {
        var (ih, store, clock) = Make();
        store.Put([A(clock, "alertname=A,severity=critical", TimeSpan.FromMinutes(1))]);
        Assert.NotNull(ih.InhibitedBy(TestUtil.L("alertname=B,severity=warning")));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(ih.InhibitedBy(TestUtil.L("alertname=B,severity=warning")));
    }
}
