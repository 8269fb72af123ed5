using Portal.Model;
using Portal.Rules;
using static Portal.Rules.Tests.RuleTestEnv;

namespace Portal.Rules.Tests;

/// <summary>Recording and alerting rules evaluated over a real TSDB with explicit evaluation times.</summary>
public class RuleEvaluationTests
{
    private static readonly TimeSpan M = TimeSpan.FromMinutes(1);

    [Fact]
    public void RecordingRuleWritesRenamedSeriesWithLabels()
    {
        using var env = new RuleTestEnv();
        env.Series("http_requests_total", _ => 3, T0, T0 + 5 * M, M / 2, "job", "api", "instance", "a");
        env.Series("http_requests_total", _ => 4, T0, T0 + 5 * M, M / 2, "job", "api", "instance", "b");
        env.Load("""
            groups:
              - name: g
                rules:
                  - record: job:http_requests:sum
                    expr: sum by (job) (http_requests_total)
                    labels:
                      team: core
            """);
        env.Eval(T0 + M);
        env.Eval(T0 + 2 * M);
        var got = env.Query("job:http_requests:sum", T0 + 2 * M);
        var s = Assert.Single(got);
        Assert.Equal(Labels.FromStrings("__name__", "job:http_requests:sum", "job", "api", "team", "core"), s.Metric);
        Assert.Equal(7, s.F);
        var rule = env.Group().Rules[0];
        Assert.Equal(RuleHealth.Good, rule.Health);
        Assert.Null(rule.LastError);
        Assert.Equal("sum by (job) (http_requests_total)", rule.Query);
        Assert.Equal(T0 + 2 * M, env.Group().LastEvalTimestamp);
    }

    [Fact]
    public void RecordingRuleSeriesThatDisappearGetStaleMarkers()
    {
        using var env = new RuleTestEnv();
        env.Series("x", _ => 1, T0, T0 + M, M / 2, "k", "a");
        env.Load("groups:\n  - name: g\n    rules:\n      - record: x:copy\n        expr: x\n");
        env.Eval(T0 + M);
        env.Eval(T0 + 7 * M);
        var raw = env.Raw(T0, T0 + 10 * M, Matcher.Equal("__name__", "x:copy"));
        Assert.Equal(2, raw.Count);
        Assert.Equal(1, raw[0].V);
        Assert.True(SampleValue.IsStaleNaN(raw[1].V));
        Assert.Equal((T0 + 7 * M).ToUnixTimeMilliseconds(), raw[1].T);
    }

    [Fact]
    public void ScalarResultIsRecordedWithoutLabels()
    {
        using var env = new RuleTestEnv();
        env.Load("groups:\n  - name: g\n    rules:\n      - record: answer\n        expr: \"42\"\n");
        env.Eval(T0 + M);
        var s = Assert.Single(env.Query("answer", T0 + M));
        Assert.Equal(42, s.F);
    }

    private const string DownRule = """
        groups:
          - name: g
            interval: 1m
            rules:
              - alert: InstanceDown
                expr: up == 0
                for: 2m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.job }} down, value {{ $value }}, ext {{ $externalLabels.cluster }}"
        """;

    [Fact]
    public void AlertGoesPendingFiringResolved()
    {
        using var env = new RuleTestEnv();
        env.Series("up", t => t < T0 + 5 * M ? 0 : 1, T0, T0 + 10 * M, M / 2, "job", "api");
        env.Load(DownRule);
        env.Group().RestoreForState(T0);
        var rule = (AlertingRule)env.Group().Rules[0];

        env.Eval(T0 + M);
        var a = Assert.Single(rule.ActiveAlerts());
        Assert.Equal(AlertState.Pending, a.State);
        Assert.Equal(T0 + M, a.ActiveAt);
        Assert.Equal(Labels.FromStrings("alertname", "InstanceDown", "job", "api", "severity", "page"), a.Labels);
        Assert.Equal("api down, value 0, ext eu1", a.Annotations.Get("summary"));
        Assert.Empty(env.Sink.Sent);

        env.Eval(T0 + 2 * M);
        Assert.Equal(AlertState.Pending, rule.State);
        env.Eval(T0 + 3 * M);
        Assert.Equal(AlertState.Firing, rule.State);
        var (tenant, sent) = Assert.Single(env.Sink.Sent);
        Assert.Equal("t1", tenant);
        Assert.Equal(T0 + 3 * M, sent.StartsAt);
        Assert.Equal(T0 + 3 * M + 4 * M, sent.EndsAt);
        Assert.Equal("eu1", sent.Labels.Get("cluster"));
        Assert.Equal("http://portal.example/t1/graph?g0.expr=up+%3D%3D+0&g0.tab=1", sent.GeneratorUrl);

        // Within the resend delay nothing is sent again; after it the firing alert is re-sent.
        env.Eval(T0 + 3 * M + TimeSpan.FromSeconds(30));
        Assert.Single(env.Sink.Sent);
        env.Eval(T0 + 4 * M + TimeSpan.FromSeconds(1));
        Assert.Equal(2, env.Sink.Sent.Count);

        // ALERTS: pending at 1m and 2m, then firing; the pending series is marked stale when it fires.
        var pending = env.Raw(T0, T0 + 10 * M, Matcher.Equal("__name__", "ALERTS"), Matcher.Equal("alertstate", "pending"));
        Assert.Equal([1, 1], pending.Take(2).Select(s => s.V));
        Assert.True(SampleValue.IsStaleNaN(pending[2].V));
        var firing = env.Query("ALERTS{alertstate=\"firing\"}", T0 + 3 * M);
        Assert.Equal(Labels.FromStrings("__name__", "ALERTS", "alertname", "InstanceDown", "alertstate", "firing", "job", "api", "severity", "page"), Assert.Single(firing).Metric);
        var forState = Assert.Single(env.Query("ALERTS_FOR_STATE", T0 + 3 * M));
        Assert.Equal((T0 + M).ToUnixTimeSeconds(), forState.F);
        Assert.False(forState.Metric.Has("alertstate"));

        // up is 1 from 5m: the alert resolves at the next evaluation and is sent with its resolve time.
        env.Eval(T0 + 6 * M);
        Assert.Equal(AlertState.Inactive, rule.State);
        Assert.Empty(rule.ActiveAlerts());
        var resolved = env.Sink.Sent[^1].Alert;
        Assert.Equal(T0 + 6 * M, resolved.EndsAt);
        Assert.True(resolved.IsResolvedAt(T0 + 6 * M));
        Assert.Empty(env.Query("ALERTS", T0 + 6 * M));

        // Resolved alerts are re-sent every resend delay while retained (15m), then dropped.
        int count = env.Sink.Sent.Count;
        env.Eval(T0 + 7 * M + TimeSpan.FromSeconds(1));
        Assert.Equal(count + 1, env.Sink.Sent.Count);
        Assert.Equal(T0 + 6 * M, env.Sink.Sent[^1].Alert.EndsAt);
        env.Eval(T0 + 22 * M);
        env.Eval(T0 + 23 * M);
        count = env.Sink.Sent.Count;
        env.Eval(T0 + 25 * M);
        Assert.Equal(count, env.Sink.Sent.Count);
    }

    [Fact]
    public void KeepFiringForHoldsAlertAfterConditionClears()
    {
        using var env = new RuleTestEnv();
        env.Series("up", t => t <= T0 + M ? 0 : 1, T0, T0 + 10 * M, M / 2, "job", "api");
        env.Load("""
            groups:
              - name: g
                rules:
                  - alert: Flappy
                    expr: up == 0
                    keep_firing_for: 2m
            """);
        env.Group().RestoreForState(T0);
        var rule = (AlertingRule)env.Group().Rules[0];
        env.Eval(T0 + M);
        Assert.Equal(AlertState.Firing, rule.State);
        env.Eval(T0 + 2 * M);
        var a = Assert.Single(rule.ActiveAlerts());
        Assert.Equal(AlertState.Firing, a.State);
        Assert.Equal(T0 + 2 * M, a.KeepFiringSince);
        env.Eval(T0 + 3 * M);
        Assert.Equal(AlertState.Firing, rule.State);
        env.Eval(T0 + 4 * M);
        Assert.Equal(AlertState.Inactive, rule.State);
    }

    [Fact]
    public void AlertLimitExceededIsARuleError()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 2 * M, M / 2, "job", "a");
        env.Series("up", _ => 0, T0, T0 + 2 * M, M / 2, "job", "b");
        env.Load("""
            groups:
              - name: g
                limit: 1
                rules:
                  - alert: Down
                    expr: up == 0
                  - record: up:copy
                    expr: up
            """);
        env.Eval(T0 + M);
        var alert = env.Group().Rules[0];
        Assert.Equal(RuleHealth.Bad, alert.Health);
        Assert.Equal("exceeded limit of 1 with 2 alerts", alert.LastError);
        Assert.Empty(((AlertingRule)alert).ActiveAlerts());
        var rec = env.Group().Rules[1];
        Assert.Equal(RuleHealth.Bad, rec.Health);
        Assert.Equal("exceeded limit of 1 with 2 series", rec.LastError);
        Assert.Empty(env.Query("up:copy", T0 + M));
    }

    [Fact]
    public void DuplicateLabelSetsAfterRenamingFail()
    {
        using var env = new RuleTestEnv();
        env.Series("a", _ => 1, T0, T0 + M, M / 2, "k", "v");
        env.Series("b", _ => 2, T0, T0 + M, M / 2, "k", "v");
        env.Load("groups:\n  - name: g\n    rules:\n      - record: ab\n        expr: '{__name__=~\"a|b\"}'\n");
        env.Eval(T0 + M);
        Assert.Equal("vector contains metrics with the same labelset after applying rule labels", env.Group().Rules[0].LastError);
    }

    [Fact]
    public void QueryOffsetShiftsQueryAndSampleTime()
    {
        using var env = new RuleTestEnv();
        env.Series("x", t => (t - T0).TotalMinutes, T0, T0 + 10 * M, M);
        env.Load("groups:\n  - name: g\n    query_offset: 2m\n    rules:\n      - record: x:lag\n        expr: x\n");
        Assert.Equal(2 * M, env.Group().QueryOffset);
        env.Eval(T0 + 5 * M);
        var raw = env.Raw(T0, T0 + 10 * M, Matcher.Equal("__name__", "x:lag"));
        var s = Assert.Single(raw);
        Assert.Equal((T0 + 3 * M).ToUnixTimeMilliseconds(), s.T);
        Assert.Equal(3, s.V);
    }

    [Fact]
    public void QueryErrorsMakeRuleUnhealthy()
    {
        using var env = new RuleTestEnv();
        env.Load("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: 'label_replace(vector(1), \"a\", \"$1\", \"b\", \"(\")'\n");
        env.Eval(T0 + M);
        Assert.Equal(RuleHealth.Bad, env.Group().Rules[0].Health);
        Assert.False(string.IsNullOrEmpty(env.Group().Rules[0].LastError));
    }

    [Fact]
    public void FailingAnnotationTemplateStillFiresWithErrorText()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 2 * M, M / 2, "job", "api");
        env.Load("""
            groups:
              - name: g
                rules:
                  - alert: Broken
                    expr: up == 0
                    annotations:
                      summary: '{{ humanize "x" }}'
                      ok: 'job {{ $labels.job }}'
            """);
        env.Eval(T0 + M);
        var a = Assert.Single(((AlertingRule)env.Group().Rules[0]).ActiveAlerts());
        Assert.Equal(AlertState.Firing, a.State);
        Assert.Equal("job api", a.Annotations.Get("ok"));
        const string defs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";
        Assert.Equal(
            $"<error expanding template: error executing template __alert_Broken: template: __alert_Broken:1:{defs.Length + 3}: executing \"__alert_Broken\" at <humanize \"x\">: error calling humanize: strconv.ParseFloat: parsing \"x\": invalid syntax>",
            a.Annotations.Get("summary"));
    }

    [Fact]
    public void UnparsableAnnotationTemplateShowsTheParseError()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 2 * M, M / 2, "job", "api");
        env.Load("groups:\n  - name: g\n    rules:\n      - alert: P\n        expr: up == 0\n        annotations:\n          a: '{{ nofunc 1 }}'\n");
        env.Eval(T0 + M);
        env.Eval(T0 + 2 * M);
        var a = Assert.Single(((AlertingRule)env.Group().Rules[0]).ActiveAlerts());
        Assert.Equal("<error expanding template: error parsing template __alert_P: template: __alert_P:1: function \"nofunc\" not defined>", a.Annotations.Get("a"));
    }

    [Fact]
    public void TemplatesCanQueryAndUseExternalUrl()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 2 * M, M / 2, "job", "api");
        env.Series("node_memory_bytes", _ => 2147483648, T0, T0 + 2 * M, M / 2, "job", "api");
        env.Load("""
            groups:
              - name: g
                rules:
                  - alert: Mem
                    expr: up == 0
                    labels:
                      where: '{{ $labels.job }}-x'
                    annotations:
                      mem: '{{ with query "node_memory_bytes" }}{{ . | first | value | humanize1024 }}B{{ end }} {{ .ExternalURL }}'
            """);
        env.Eval(T0 + M);
        var a = Assert.Single(((AlertingRule)env.Group().Rules[0]).ActiveAlerts());
        Assert.Equal("2GiB http://portal.example/t1", a.Annotations.Get("mem"));
        Assert.Equal("api-x", a.Labels.Get("where"));
    }

    [Fact]
    public void ReloadKeepsAlertStateAndRemovedGroupsGoStale()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 10 * M, M / 2, "job", "api");
        env.Load(DownRule + "\n  - name: other\n    rules:\n      - record: up:copy\n        expr: up\n");
        env.Group().RestoreForState(T0);
        env.Eval(T0 + M);
        env.Eval(T0 + 3 * M);
        env.Eval(T0 + 3 * M, "other");
        env.Clock.Now = T0 + 4 * M;
        env.Load(DownRule);
        var rule = (AlertingRule)env.Group().Rules[0];
        var a = Assert.Single(rule.ActiveAlerts());
        Assert.Equal(AlertState.Firing, a.State);
        Assert.Equal(T0 + M, a.ActiveAt);
        Assert.True(rule.Restored);
        var raw = env.Raw(T0, T0 + 10 * M, Matcher.Equal("__name__", "up:copy"));
        Assert.True(SampleValue.IsStaleNaN(raw[^1].V));
    }

    [Fact]
    public void InvalidFilesAreRejectedAndNothingChanges()
    {
        using var env = new RuleTestEnv();
        env.Load("groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n");
        var errors = env.Manager.Update([new("bad.yml", "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: 'up +'\n")]);
        Assert.NotEmpty(errors);
        Assert.Equal("bad.yml", errors[0].File);
        Assert.True(errors[0].Line > 0);
        Assert.Equal("rules.yml", Assert.Single(env.Manager.Groups).File);
    }

    [Fact]
    public void GroupLimitOfTenantIsEnforced()
    {
        using var env = new RuleTestEnv { Configure = o => o with { MaxRuleGroups = 1 } };
        env.Manager.Dispose();
        var m = env.NewManager();
        var errors = m.Update([new("r.yml", "groups:\n  - name: a\n    rules: []\n  - name: b\n    rules: []\n")]);
        Assert.Contains("too many rule groups: 2", Assert.Single(errors).Message);
    }

    [Fact]
    public void ForStateIsRestoredAfterReopening()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-rules-" + Guid.NewGuid().ToString("N"));
        using var env = new RuleTestEnv(dir);
        env.Series("up", _ => 0, T0, T0 + 40 * M, M / 2, "job", "api");
        const string rules = """
            groups:
              - name: g
                rules:
                  - alert: SlowDown
                    expr: up == 0
                    for: 20m
            """;
        env.Load(rules);
        env.Group().RestoreForState(T0);
        for (int i = 1; i <= 6; i++) env.Eval(T0 + i * M);

        // The engine stops at 6m and opens again at 16m.
        env.Reopen();
        env.Load(rules);
        var group = env.Group();
        var rule = (AlertingRule)group.Rules[0];
        Assert.False(rule.Restored);
        group.Evaluate(T0 + 16 * M);
        Assert.Empty(env.Raw(T0 + 15 * M, T0 + 17 * M, Matcher.Equal("__name__", "ALERTS")));
        group.RestoreForState(T0 + 16 * M);
        Assert.True(rule.Restored);
        // Pending 5m before the outage; the 10m downtime shifts ActiveAt from 1m to 11m.
        Assert.Equal(T0 + 11 * M, Assert.Single(rule.ActiveAlerts()).ActiveAt);
        group.Evaluate(T0 + 30 * M);
        Assert.Equal(AlertState.Pending, rule.State);
        group.Evaluate(T0 + 31 * M);
        Assert.Equal(AlertState.Firing, rule.State);
    }

    [Fact]
    public void RestoreNearTheEndOfForWaitsTheGracePeriod()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 40 * M, M / 2, "job", "api");
        const string rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 15m\n";
        env.Load(rules);
        env.Group().RestoreForState(T0);
        for (int i = 1; i <= 12; i++) env.Eval(T0 + i * M);
        env.Reopen();
        env.Load(rules);
        env.Eval(T0 + 14 * M);
        env.Group().RestoreForState(T0 + 14 * M);
        // 11m of 15m spent: 4m remain, less than the 10m grace period, so it may fire 10m after the restore.
        var a = Assert.Single(((AlertingRule)env.Group().Rules[0]).ActiveAlerts());
        Assert.Equal(T0 + 14 * M + 10 * M - 15 * M, a.ActiveAt);
    }

    [Fact]
    public void GlobalsSetIntervalOffsetAndExternalLabels()
    {
        using var env = new RuleTestEnv();
        env.Series("up", _ => 0, T0, T0 + 5 * M, M / 2, "job", "api");
        env.Load("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          c: '{{ $externalLabels.region }}'\n  - name: own\n    interval: 10s\n    rules: []\n");
        Assert.Empty(env.Manager.SetGlobals(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), Labels.FromStrings("region", "west")));
        Assert.Equal(TimeSpan.FromSeconds(30), env.Group().Interval);
        Assert.Equal(TimeSpan.FromSeconds(15), env.Group().QueryOffset);
        Assert.Equal(TimeSpan.FromSeconds(10), env.Group("own").Interval);
        env.Group().RestoreForState(T0);
        env.Eval(T0 + M);
        var (_, sent) = Assert.Single(env.Sink.Sent);
        Assert.Equal("west", sent.Labels.Get("region"));
        Assert.Equal("west", sent.Annotations.Get("c"));
    }

    [Fact]
    public void EvalTimestampIsAlignedToTheIntervalWithAStableOffset()
    {
        using var env = new RuleTestEnv();
        env.Load("groups:\n  - name: g\n    interval: 30s\n    rules: []\n");
        var g = env.Group();
        var now = T0 + TimeSpan.FromSeconds(95);
        var ts = g.EvalTimestamp(now);
        Assert.True(ts <= now && now - ts < g.Interval);
        Assert.Equal(ts + g.Interval, g.EvalTimestamp(now + g.Interval));
    }

    [Fact]
    public void GroupLoopEvaluatesOnItsOwn()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-rules-" + Guid.NewGuid().ToString("N"));
        using var db = Portal.Tsdb.TsdbDatabase.Open(dir);
        using var m = new RuleManager(new RuleManagerOptions
        {
            TenantId = "t",
            Appendable = db,
            Queryable = db,
            Engine = new Portal.PromQL.PromQLEngine(new Portal.PromQL.EngineOptions()),
        });
        Assert.Empty(m.Update([new("r.yml", "groups:\n  - name: fast\n    interval: 100ms\n    rules:\n      - record: one\n        expr: vector(1)\n")]));
        m.Start();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (m.Groups[0].LastEvaluation == default && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.NotEqual(default, m.Groups[0].LastEvaluation);
        Assert.Equal(RuleHealth.Good, m.Groups[0].Rules[0].Health);
        m.Dispose();
        db.Dispose();
        Directory.Delete(dir, true);
    }
}
