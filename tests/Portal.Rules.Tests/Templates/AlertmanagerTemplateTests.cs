using Portal.Rules.Templates;

namespace Portal.Rules.Tests.Templates;

/// <summary>Notification templates: Alertmanager's default.tmpl over data shaped like Alertmanager's template.Data.</summary>
public class AlertmanagerTemplateTests
{
    public sealed class Pair(string name, string value)
    {
        public string Name { get; } = name;
        public string Value { get; } = value;
    }

    public sealed class Pairs : List<Pair>
    {
        public List<string> Names() => ConvertAll(p => p.Name);
        public List<string> Values() => ConvertAll(p => p.Value);
    }

    public sealed class KV : Dictionary<string, string>
    {
        public KV() : base(StringComparer.Ordinal) { }

        public Pairs SortedPairs()
        {
            var keys = new List<string>(Keys);
            keys.Sort(StringComparer.Ordinal);
            var r = new Pairs();
            foreach (var k in keys) r.Add(new Pair(k, this[k]));
            return r;
        }

        public List<string> Names() => SortedPairs().Names();
        public new List<string> Values() => SortedPairs().Values();

        public KV Remove(List<string> names)
        {
            var r = new KV();
            foreach (var (k, v) in this)
                if (!names.Contains(k)) r[k] = v;
            return r;
        }
    }

    public sealed class Alert
    {
        public string Status { get; init; } = "firing";
        public KV Labels { get; init; } = new();
        public KV Annotations { get; init; } = new();
        public DateTimeOffset StartsAt { get; init; }
        public string GeneratorURL { get; init; } = "";
    }

    public sealed class Alerts : List<Alert>
    {
        public Alerts Firing()
        {
            var r = new Alerts();
            r.AddRange(FindAll(a => a.Status == "firing"));
            return r;
        }

        public Alerts Resolved()
        {
            var r = new Alerts();
            r.AddRange(FindAll(a => a.Status == "resolved"));
            return r;
        }
    }

    public sealed class Data
    {
        public string Receiver { get; init; } = "team-x";
        public string Status { get; init; } = "firing";
        public Alerts Alerts { get; init; } = new();
        public KV GroupLabels { get; init; } = new();
        public KV CommonLabels { get; init; } = new();
        public KV CommonAnnotations { get; init; } = new();
        public string ExternalURL { get; init; } = "http://am:9093";
    }

    private static Data Sample()
    {
        var a1 = new Alert
        {
            Labels = new KV { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "warning", ["instance"] = "a:1" },
            Annotations = new KV { ["summary"] = "latency high" },
            StartsAt = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
            GeneratorURL = "http://prom/graph?g0.expr=x",
        };
        var a2 = new Alert
        {
            Status = "resolved",
            Labels = new KV { ["alertname"] = "HighLatency", ["job"] = "api", ["severity"] = "critical", ["instance"] = "b:1" },
            Annotations = new KV { ["summary"] = "latency high" },
            GeneratorURL = "http://prom/graph?g0.expr=y",
        };
        return new Data
        {
            Alerts = [a1, a2],
            GroupLabels = new KV { ["alertname"] = "HighLatency" },
            CommonLabels = new KV { ["alertname"] = "HighLatency", ["job"] = "api" },
            CommonAnnotations = new KV { ["summary"] = "latency high" },
        };
    }

    private static GoTemplate Defaults()
    {
        var text = File.ReadAllText(SharedData.Path_("upstream", "alertmanager", "template", "default.tmpl"));
        return new GoTemplate(AlertmanagerTemplateFunctions.Create(), MissingKeyMode.Zero).Parse("default.tmpl", text);
    }

    [SharedFact]
    public void DefaultTemplatesRender()
    {
        var t = Defaults();
        var data = Sample();
        Assert.Equal("[FIRING:1] HighLatency (api)", t.Execute("__subject", data));
        Assert.Equal("http://am:9093/#/alerts?receiver=team-x", t.Execute("__alertmanagerURL", data));
        Assert.Equal("danger", t.Execute("slack.default.color", data));
        Assert.Equal("[FIRING:1] HighLatency (api) | http://am:9093/#/alerts?receiver=team-x", t.Execute("slack.default.fallback", data));
        Assert.Equal("Medium", t.Execute("jira.default.priority", data));
        Assert.Equal(
            "latency high\nAlerts Firing:\nLabels:\n - alertname = HighLatency\n - instance = a:1\n - job = api\n - severity = warning\n" +
            "Annotations:\n - summary = latency high\nSource: http://prom/graph?g0.expr=x\n\nAlerts Resolved:\nLabels:\n - alertname = HighLatency\n" +
            " - instance = b:1\n - job = api\n - severity = critical\nAnnotations:\n - summary = latency high\nSource: http://prom/graph?g0.expr=y\n",
            t.Execute("opsgenie.default.description", data));
        foreach (var name in t.TemplateNames)
            if (name.Contains(".default.", StringComparison.Ordinal) && name != "pagerduty.default.instances") Assert.NotNull(t.Execute(name, data));
    }

    [Fact]
    public void FunctionsBehaveAsAlertmanager()
    {
        var clock = new FixedClock(new DateTimeOffset(2024, 1, 2, 4, 4, 5, TimeSpan.Zero));
        var t = new GoTemplate(AlertmanagerTemplateFunctions.Create(clock), MissingKeyMode.Zero);
        string R(string text, object? data = null) => t.Clone().Parse("x", text).Execute("x", data);
        var data = Sample();
        Assert.Equal("Hello World", R("{{ \"hELLO wORLD\" | title }}"));
        Assert.Equal("a,b", R("{{ stringSlice \"a\" \"b\" | join \",\" }}"));
        Assert.Equal("x", R("{{ \"  x \\n\" | trimSpace }}"));
        Assert.Equal("a b/c", R("{{ \"a+b%2Fc\" | urlUnescape }}"));
        Assert.Equal("2024-01-02 03:04", R("{{ (index .Alerts 0).StartsAt | date \"2006-01-02 15:04\" }}", data));
        Assert.Equal("1h0m0s", R("{{ since (index .Alerts 0).StartsAt }}", data));
        Assert.Equal("1h 0m 0s", R("{{ humanizeDuration 3600 }}"));
        Assert.Equal("true", R("{{ match \"^High\" .CommonLabels.alertname }}", data));
        Assert.Equal("X-y", R("{{ reReplaceAll \"a(.)\" \"X-$1\" \"ay\" }}"));
        Assert.Equal("", R("{{ .CommonLabels.missing }}", data));
        Assert.Equal("{\"a\":[1,\"b\"]}", R("{{ toJson . }}", new Dictionary<string, object> { ["a"] = new List<object> { 1L, "b" } }));
        var e = Assert.Throws<TemplateException>(() => R("{{ \"%zz\" | urlUnescape }}"));
        Assert.Contains("error calling urlUnescape: invalid URL escape \"%zz\"", e.Message);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
