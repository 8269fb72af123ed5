using Portal.Model;
using Portal.Rules;
using static Portal.Rules.Tests.RuleTestEnv;

namespace Portal.Rules.Tests;

/// <summary>The state observer sees every alert state change once, with the labels the Alertmanager gets.</summary>
public sealed class AlertStateObserverTests
{
    private static readonly TimeSpan M = TimeSpan.FromMinutes(1);

    private sealed class Recorder : IAlertStateObserver
    {
        public List<(string Tenant, AlertTransition T)> Seen { get; } = [];
        public int Calls { get; private set; }

        public void OnTransitions(string tenantId, IReadOnlyList<AlertTransition> transitions)
        {
            Calls++;
            foreach (var t in transitions) Seen.Add((tenantId, t));
        }
    }

    private const string Rules = """
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                for: 2m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.instance }} down"
        """;

    [Fact]
    public void PendingFiringResolvedAndPendingThatVanishesAreReportedOnce()
    {
        using var env = new RuleTestEnv();
        var rec = new Recorder();
        env.Manager.StateObserver = rec;
        // a: down from T0 to T0+4m, then up; b: down only at T0 (pending, then gone before firing).
        env.Series("up", t => t < T0 + 4 * M ? 0 : 1, T0, T0 + 6 * M, M, "instance", "a");
        env.Series("up", t => t == T0 ? 0 : 1, T0, T0 + 6 * M, M, "instance", "b");
        env.Load(Rules);
        for (int i = 0; i <= 5; i++) env.Eval(T0 + i * M);

        var a = rec.Seen.Where(s => s.T.Labels.Get("instance") == "a").Select(s => (s.T.State, s.T.At)).ToList();
        Assert.Equal([("pending", T0), ("firing", T0 + 2 * M), ("resolved", T0 + 4 * M)], a);
        var b = rec.Seen.Where(s => s.T.Labels.Get("instance") == "b").Select(s => (s.T.State, s.T.At)).ToList();
        Assert.Equal([("pending", T0), ("inactive", T0 + M)], b);

        var firing = rec.Seen.Single(s => s.T.State == "firing").T;
        Assert.Equal("t1", rec.Seen[0].Tenant);
        Assert.Equal("Down", firing.RuleName);
        Assert.Equal(Labels.FromStrings("alertname", "Down", "cluster", "eu1", "instance", "a", "severity", "page"), firing.Labels);
        Assert.Equal("a down", firing.Annotations.Get("summary"));
        Assert.Equal(0, firing.Value);
        Assert.Equal(T0, firing.ActiveAt);
        // One call per evaluation with changes, none for quiet evaluations (T0+3m, T0+5m).
        Assert.Equal(4, rec.Calls);
    }

    [Fact]
    public void AThrowingObserverDoesNotStopEvaluation()
    {
        using var env = new RuleTestEnv();
        env.Manager.StateObserver = new Throwing();
        env.Series("up", _ => 0, T0, T0 + 3 * M, M, "instance", "a");
        env.Load(Rules);
        for (int i = 0; i <= 3; i++) env.Eval(T0 + i * M);
        Assert.Contains(env.Sink.Sent, s => s.Alert.Labels.Get("instance") == "a");
        Assert.Equal(RuleHealth.Good, env.Group().Rules[0].Health);
    }

    private sealed class Throwing : IAlertStateObserver
    {
        public void OnTransitions(string tenantId, IReadOnlyList<AlertTransition> transitions) => throw new InvalidOperationException("observer broke");
    }
}
