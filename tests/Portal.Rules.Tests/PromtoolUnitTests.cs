using System.Globalization;
using Portal.Model;
using Portal.PromQL;
using Portal.PromQL.PromqlTest;
using Portal.Rules;
using Portal.Tsdb;
using YamlDotNet.Serialization;

namespace Portal.Rules.Tests;

/// <summary>
/// Runs Prometheus's promtool rule unit-test file (cmd/promtool/testdata/unittest.yml) as data: input series,
/// rule evaluation every evaluation_interval from 0, alert_rule_test (firing alerts, labels and annotations)
/// and promql_expr_test. Native-histogram series and expectations are skipped (float rules only).
/// </summary>
public class PromtoolUnitTests
{
    private static readonly PromQLEngine Engine = new(new EngineOptions());

    [SharedFact]
    public void UpstreamUnitTestFilePasses()
    {
        var (checks, failures) = Run("unittest.yml");
        Assert.True(checks > 20, $"only {checks} checks ran");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SharedFact]
    public void UpstreamFailingTestFileFailsWhereExpected()
    {
        var (_, failures) = Run("failing.yml");
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.Contains("group 1, test at", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("alert Test:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("alert InstanceDown: want [] got [{alertname=\"InstanceDown\", job=\"test\", severity=\"page\"}", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("alert AlwaysFiring: want [] got", StringComparison.Ordinal));
    }

    private static (int Checks, List<string> Failures) Run(string file)
    {
        var dir = SharedData.Path_("upstream", "prometheus", "cmd", "promtool", "testdata");
        var doc = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(Path.Combine(dir, file)))!;
        var evalInterval = Dur(doc.GetValueOrDefault("evaluation_interval") as string ?? "1m");
        var files = new List<KeyValuePair<string, string>>();
        foreach (var f in (List<object>)doc["rule_files"]) files.Add(new((string)f, File.ReadAllText(Path.Combine(dir, (string)f))));
        var failures = new List<string>();
        int groupIndex = 0, checks = 0;
        foreach (Dictionary<object, object> tg in (List<object>)doc["tests"])
        {
            groupIndex++;
            checks += RunGroup(tg, files, evalInterval, failures, groupIndex);
        }
        return (checks, failures);
    }

    private static TimeSpan Dur(string s) => TimeSpan.FromMilliseconds(PromDuration.Parse(s));

    private static int RunGroup(Dictionary<object, object> tg, List<KeyValuePair<string, string>> files, TimeSpan evalInterval, List<string> failures, int index)
    {
        var interval = Dur(tg.GetValueOrDefault("interval") as string ?? "1m");
        var dir = Path.Combine(Path.GetTempPath(), "portal-promtool-" + Guid.NewGuid().ToString("N"));
        var db = TsdbDatabase.Open(dir);
        try
        {
            // Like promtool's lazy loader, input samples are appended only up to each evaluation time, so the
            // TSDB's head accepts the rule results written at that time.
            var histogramSeries = new HashSet<string>(StringComparer.Ordinal);
            var pending = new List<(long T, Labels L, double V)>();
            foreach (Dictionary<object, object> s in tg.GetValueOrDefault("input_series") as List<object> ?? [])
            {
                var def = ScriptParser.ParseSeriesDescription((string)s["series"] + " " + Convert.ToString(s["values"], CultureInfo.InvariantCulture));
                bool histogram = false;
                foreach (var v in def.Values) histogram |= v.IsHistogram;
                if (histogram)
                {
                    histogramSeries.Add(def.Labels.MetricNameValue);
                    continue;
                }
                for (int i = 0; i < def.Values.Count; i++)
                    if (!def.Values[i].Omitted) pending.Add(((long)(i * interval.TotalMilliseconds), def.Labels, def.Values[i].Value));
            }
            pending.Sort(static (a, b) => a.T.CompareTo(b.T));
            int next = 0;
            void LoadTill(long t)
            {
                var app = db.Appender();
                for (; next < pending.Count && pending[next].T <= t; next++) app.Append(SeriesRef.None, pending[next].L, pending[next].T, pending[next].V);
                app.Commit();
            }

            var manager = new RuleManager(new RuleManagerOptions
            {
                TenantId = "promtool",
                Appendable = db,
                Queryable = db,
                Engine = Engine,
                DefaultInterval = evalInterval,
                ForGracePeriod = TimeSpan.Zero,
            });
            Assert.Empty(manager.Update(files));
            foreach (var g in manager.Groups) g.RestoreForState(DateTimeOffset.UnixEpoch);

            var alertTests = tg.GetValueOrDefault("alert_rule_test") as List<object> ?? [];
            var exprTests = tg.GetValueOrDefault("promql_expr_test") as List<object> ?? [];
            var max = TimeSpan.Zero;
            foreach (Dictionary<object, object> t in alertTests) max = Max(max, Dur((string)t["eval_time"]));
            foreach (Dictionary<object, object> t in exprTests) max = Max(max, Dur((string)t["eval_time"]));

            int checks = 0;
            for (var ts = TimeSpan.Zero; ts <= max; ts += evalInterval)
            {
                var at = DateTimeOffset.UnixEpoch + ts;
                LoadTill((long)ts.TotalMilliseconds);
                foreach (var g in manager.Groups) g.Evaluate(at);
                foreach (Dictionary<object, object> t in alertTests)
                {
                    if (Dur((string)t["eval_time"]) != ts) continue;
                    checks++;
                    CheckAlerts(manager, t, failures, $"group {index} at {ts}");
                }
            }
            LoadTill(long.MaxValue);
            foreach (Dictionary<object, object> t in exprTests)
            {
                var expr = (string)t["expr"];
                if (UsesAny(expr, histogramSeries)) continue;
                checks++;
                CheckExpr(db, expr, Dur((string)t["eval_time"]), t, failures, $"group {index}");
            }
            manager.Dispose();
            return checks;
        }
        finally
        {
            db.Dispose();
            Directory.Delete(dir, true);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static bool UsesAny(string expr, HashSet<string> names)
    {
        foreach (var n in names)
            if (expr.Contains(n, StringComparison.Ordinal)) return true;
        return false;
    }

    private static void CheckAlerts(RuleManager manager, Dictionary<object, object> t, List<string> failures, string where)
    {
        var name = (string)t["alertname"];
        var got = new List<string>();
        foreach (var rule in manager.AlertingRules())
        {
            if (rule.Name != name) continue;
            foreach (var a in rule.ActiveAlerts())
                if (a.State == AlertState.Firing) got.Add(a.Labels + " " + a.Annotations);
        }
        var want = new List<string>();
        foreach (Dictionary<object, object> e in t.GetValueOrDefault("exp_alerts") as List<object> ?? [])
        {
            var lb = new LabelsBuilder();
            foreach (var (k, v) in e.GetValueOrDefault("exp_labels") as Dictionary<object, object> ?? []) lb.Set((string)k, (string)v);
            lb.Set("alertname", name);
            var ab = new LabelsBuilder();
            foreach (var (k, v) in e.GetValueOrDefault("exp_annotations") as Dictionary<object, object> ?? []) ab.Set((string)k, (string)v);
            want.Add(lb.Build() + " " + ab.Build());
        }
        got.Sort(StringComparer.Ordinal);
        want.Sort(StringComparer.Ordinal);
        if (!got.SequenceEqual(want))
            failures.Add($"{where}, alert {name}: want [{string.Join("; ", want)}] got [{string.Join("; ", got)}]");
    }

    private static void CheckExpr(TsdbDatabase db, string expr, TimeSpan at, Dictionary<object, object> t, List<string> failures, string where)
    {
        var res = Engine.InstantQuery(db, expr, (long)at.TotalMilliseconds);
        if (res.Error is not null)
        {
            failures.Add($"{where}, {expr} at {at}: {res.Error.Message}");
            return;
        }
        var got = new List<string>();
        switch (res.Value)
        {
            case VectorResult v:
                foreach (var s in v.Samples) got.Add(s.Metric + " " + s.F.ToString(CultureInfo.InvariantCulture));
                break;
            case ScalarResult sc:
                got.Add("{} " + sc.F.ToString(CultureInfo.InvariantCulture));
                break;
        }
        var want = new List<string>();
        foreach (Dictionary<object, object> e in t.GetValueOrDefault("exp_samples") as List<object> ?? [])
        {
            if (e.ContainsKey("histogram")) return;
            var labels = Labels.Empty;
            if (e.GetValueOrDefault("labels") is string ls && ls.Length > 0)
            {
                var lb = new LabelsBuilder();
                foreach (var m in PromQLParser.ParseMetricSelector(ls)) lb.Set(m.Name, m.Value);
                labels = lb.Build();
            }
            var value = double.Parse(Convert.ToString(e["value"], CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
            want.Add(labels + " " + value.ToString(CultureInfo.InvariantCulture));
        }
        got.Sort(StringComparer.Ordinal);
        want.Sort(StringComparer.Ordinal);
        if (!got.SequenceEqual(want))
            failures.Add($"{where}, {expr} at {at}: want [{string.Join("; ", want)}] got [{string.Join("; ", got)}]");
    }
}
