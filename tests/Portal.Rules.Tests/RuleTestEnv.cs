using Portal.Model;
using Portal.PromQL;
using Portal.Rules;
using Portal.Tsdb;

namespace Portal.Rules.Tests;

/// <summary>A real TSDB in a temp folder, a rule manager over it, a recording alert sink and a fixed clock.</summary>
internal sealed class RuleTestEnv : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Dir { get; }
    public TsdbDatabase Db { get; private set; }
    public RuleManager Manager { get; private set; }
    public RecordingSink Sink { get; } = new();
    public PromQLEngine Engine { get; } = new(new EngineOptions());
    public ManualClock Clock { get; } = new(T0);
    public Func<RuleManagerOptions, RuleManagerOptions>? Configure { get; init; }

    public RuleTestEnv(string? dir = null)
    {
        Dir = dir ?? Path.Combine(Path.GetTempPath(), "portal-rules-" + Guid.NewGuid().ToString("N"));
        Db = TsdbDatabase.Open(Dir);
        Manager = NewManager();
    }

    public RuleManager NewManager()
    {
        var o = new RuleManagerOptions
        {
            TenantId = "t1",
            Appendable = Db,
            Queryable = Db,
            Engine = Engine,
            Clock = Clock,
            ExternalLabels = Labels.FromStrings("cluster", "eu1"),
            ExternalUrl = "http://portal.example/t1",
        };
        var m = new RuleManager(Configure?.Invoke(o) ?? o) { AlertSink = Sink };
        return m;
    }

    /// <summary>Closes the manager and the database and opens both again over the same folder (a restart).</summary>
    public void Reopen()
    {
        Manager.Dispose();
        Db.Dispose();
        Db = TsdbDatabase.Open(Dir);
        Manager = NewManager();
    }

    public void Load(string yaml)
    {
        var errors = Manager.Update([new KeyValuePair<string, string>("rules.yml", yaml)]);
        Assert.Empty(errors);
    }

    public EvaluationGroup Group(string name = "g") => Manager.Groups.Single(g => g.Name == name);

    public void Eval(DateTimeOffset ts, string group = "g") => Group(group).Evaluate(ts);

    /// <summary>Appends one sample per step from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public void Series(string metric, Func<DateTimeOffset, double> value, DateTimeOffset from, DateTimeOffset to, TimeSpan step, params string[] labels)
    {
        var lbs = Labels.FromStrings([Labels.MetricName, metric, .. labels]);
        var app = Db.Appender();
        for (var t = from; t <= to; t += step) app.Append(SeriesRef.None, lbs, t.ToUnixTimeMilliseconds(), value(t));
        app.Commit();
    }

    public List<VectorElement> Query(string q, DateTimeOffset at)
    {
        var r = Engine.InstantQuery(Db, q, at.ToUnixTimeMilliseconds());
        Assert.Null(r.Error);
        return r.Value is VectorResult v ? v.Samples : [];
    }

    /// <summary>The raw samples of one series in [from, to], stale markers included.</summary>
    public List<Sample> Raw(DateTimeOffset from, DateTimeOffset to, params Matcher[] matchers)
    {
        using var q = Db.Querier(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var set = q.Select(true, null, matchers);
        var r = new List<Sample>();
        while (set.MoveNext())
        {
            var it = set.Current.Iterator();
            while (it.Next() == ValueKind.Float) r.Add(it.At());
        }
        return r;
    }

    public void Dispose()
    {
        Manager.Dispose();
        Db.Dispose();
        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed class RecordingSink : IAlertSink
{
    public List<(string Tenant, NotifierAlert Alert)> Sent { get; } = [];

    public void Send(string tenantId, IReadOnlyList<NotifierAlert> alerts)
    {
        lock (Sent)
            foreach (var a in alerts) Sent.Add((tenantId, a));
    }
}

/// <summary>A clock that only moves when told; timers are not supported (tests drive evaluations directly).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
