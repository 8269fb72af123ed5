using System.Collections.Concurrent;
using System.Text;
using Portal.Model;
using IQueryable = Portal.Model.IQueryable;
using Portal.PromQL;
using Portal.PromQL.Ast;
using Portal.Rules.Templates;

namespace Portal.Rules;

/// <summary>What a rule needs from its group to evaluate: the query function, external labels and URL.</summary>
internal sealed class EvalContext
{
    public required Func<Expr, string, long, CancellationToken, List<VectorElement>> Query { get; init; }
    public required TemplateQueryFunc TemplateQuery { get; init; }
    public required Labels ExternalLabels { get; init; }
    public required string ExternalUrl { get; init; }
    public CancellationToken Cancellation { get; init; }

    /// <summary>Where alerting rules append copies of alerts whose state changed (with the new state set); null collects nothing.</summary>
    public List<Alert>? StateChanges { get; init; }
}

/// <summary>A failed rule evaluation: the message is what the API shows as lastError.</summary>
public sealed class RuleEvaluationException(string message) : Exception(message);

/// <summary>
/// A recording or alerting rule. Its health, last error and timings are written by its group's evaluation
/// and may be read from any thread.
/// </summary>
public abstract class Rule
{
    private readonly object _statusLock = new();
    private RuleHealth _health;
    private string? _lastError;
    private DateTimeOffset _lastEvaluation;
    private TimeSpan _evaluationDuration;

    protected Rule(string name, Expr expr, Labels labels)
    {
        Name = name;
        Expr = expr;
        Query = expr.ToString();
        Labels = labels;
    }

    public string Name { get; }
    public Expr Expr { get; }

    /// <summary>The expression as Prometheus prints it (the API's "query").</summary>
    public string Query { get; }

    /// <summary>The rule's configured labels (group labels merged under them), before template expansion.</summary>
    public Labels Labels { get; }

    public RuleHealth Health { get { lock (_statusLock) return _health; } }
    public string? LastError { get { lock (_statusLock) return _lastError; } }
    public DateTimeOffset LastEvaluation { get { lock (_statusLock) return _lastEvaluation; } }
    public TimeSpan EvaluationDuration { get { lock (_statusLock) return _evaluationDuration; } }

    internal void SetStatus(RuleHealth health, string? error)
    {
        lock (_statusLock)
        {
            _health = health;
            _lastError = error;
        }
    }

    internal void SetTiming(DateTimeOffset at, TimeSpan took)
    {
        lock (_statusLock)
        {
            _lastEvaluation = at;
            _evaluationDuration = took;
        }
    }

    internal void CopyStatusFrom(Rule old)
    {
        lock (_statusLock)
        {
            _health = old.Health;
            _lastError = old.LastError;
            _lastEvaluation = old.LastEvaluation;
            _evaluationDuration = old.EvaluationDuration;
        }
    }

    /// <summary>Evaluates at <paramref name="ts"/>; returns the samples to write. Throws <see cref="RuleEvaluationException"/> on failure.</summary>
    internal abstract List<VectorElement> Eval(DateTimeOffset ts, TimeSpan queryOffset, int limit, EvalContext ctx);

    /// <summary>Whether two rules are the same definition (used to carry state across reloads).</summary>
    internal abstract bool SameDefinition(Rule other);
}

/// <summary>A recording rule: writes its expression's result under a new metric name.</summary>
public sealed class RecordingRule(string name, Expr expr, Labels labels) : Rule(name, expr, labels)
{
    internal override List<VectorElement> Eval(DateTimeOffset ts, TimeSpan queryOffset, int limit, EvalContext ctx)
    {
        var vector = ctx.Query(Expr, Query, (ts - queryOffset).ToUnixTimeMilliseconds(), ctx.Cancellation);
        var lb = new LabelsBuilder();
        var seen = new HashSet<Labels>();
        for (int i = 0; i < vector.Count; i++)
        {
            var s = vector[i];
            lb.Reset(s.Metric);
            lb.Set(Model.Labels.MetricName, Name);
            foreach (var l in Labels) lb.Set(l.Name, l.Value);
            var metric = lb.Build();
            if (!seen.Add(metric)) throw new RuleEvaluationException("vector contains metrics with the same labelset after applying rule labels");
            vector[i] = s with { Metric = metric };
        }
        if (limit > 0 && vector.Count > limit)
            throw new RuleEvaluationException($"exceeded limit of {limit} with {vector.Count} series");
        return vector;
    }

    internal override bool SameDefinition(Rule other) =>
        other is RecordingRule r && r.Name == Name && r.Query == Query && r.Labels.Equals(Labels);
}

/// <summary>
/// An alerting rule with Prometheus's state machine: an alert is pending from the first evaluation returning its
/// series, firing once it has been pending for <see cref="HoldDuration"/>, kept firing for
/// <see cref="KeepFiringFor"/> after its series disappear, then inactive (resolved) and kept 15 minutes so the
/// resolution is sent. Evaluation is serialised by the group; reads of alerts are thread-safe.
/// </summary>
public sealed class AlertingRule : Rule
{
    /// <summary>How long resolved alerts are kept (and resent) after resolving.</summary>
    public static readonly TimeSpan ResolvedRetention = TimeSpan.FromMinutes(15);

    public const string AlertMetricName = "ALERTS";
    public const string AlertForStateMetricName = "ALERTS_FOR_STATE";
    public const string AlertStateLabel = "alertstate";
    public const string AlertNameLabel = "alertname";

    private const string Defs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

    /// <summary>The function names templates are parsed against; each evaluation executes with its own bindings.</summary>
    private static readonly TemplateFunctions ParseFunctions = PrometheusTemplateFunctions.Create(null, 0, null);

    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, (GoTemplate? Template, TemplateException? Error)> _templates = new(StringComparer.Ordinal);
    private Dictionary<Labels, Alert> _active = [];
    private volatile bool _restored;

    public AlertingRule(string name, Expr expr, TimeSpan holdDuration, TimeSpan keepFiringFor, Labels labels, Labels annotations)
        : base(name, expr, labels)
    {
        HoldDuration = holdDuration;
        KeepFiringFor = keepFiringFor;
        Annotations = annotations;
    }

    /// <summary>The <c>for</c> duration.</summary>
    public TimeSpan HoldDuration { get; }
    public TimeSpan KeepFiringFor { get; }

    /// <summary>Configured annotations, before template expansion.</summary>
    public Labels Annotations { get; }

    /// <summary>Whether for-state restoration has run (until then ALERTS and ALERTS_FOR_STATE are not written).</summary>
    public bool Restored
    {
        get => _restored;
        internal set => _restored = value;
    }

    /// <summary>Copies of the alerts that are pending or firing.</summary>
    public IReadOnlyList<Alert> ActiveAlerts()
    {
        var r = new List<Alert>();
        lock (_lock)
            foreach (var a in _active.Values)
                if (a.State != AlertState.Inactive) r.Add(a.Clone());
        r.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
        return r;
    }

    /// <summary>The rule's state: the highest state among its alerts.</summary>
    public AlertState State
    {
        get
        {
            var max = AlertState.Inactive;
            lock (_lock)
                foreach (var a in _active.Values)
                    if (a.State > max) max = a.State;
            return max;
        }
    }

    internal override bool SameDefinition(Rule other) =>
        other is AlertingRule r && r.Name == Name && r.Query == Query && r.Labels.Equals(Labels) && r.HoldDuration == HoldDuration
        && r.KeepFiringFor == KeepFiringFor && r.Annotations.Equals(Annotations);

    /// <summary>Takes over the alerts of the same rule from before a reload.</summary>
    internal void CopyAlertsFrom(AlertingRule old)
    {
        lock (old._lock)
        lock (_lock)
        {
            _active = new Dictionary<Labels, Alert>(old._active.Count);
            foreach (var (k, a) in old._active) _active[k] = a.Clone();
        }
        _restored = old._restored;
    }

    internal override List<VectorElement> Eval(DateTimeOffset ts, TimeSpan queryOffset, int limit, EvalContext ctx)
    {
        var res = ctx.Query(Expr, Query, (ts - queryOffset).ToUnixTimeMilliseconds(), ctx.Cancellation);
        var alerts = new Dictionary<Labels, Alert>(res.Count);
        var extLabels = ToMap(ctx.ExternalLabels);
        var funcs = PrometheusTemplateFunctions.Create(ctx.TemplateQuery, ts.ToUnixTimeMilliseconds(), ctx.ExternalUrl, ctx.Cancellation);
        var lb = new LabelsBuilder();
        foreach (var smpl in res)
        {
            var data = new AlertTemplateData(ToMap(smpl.Metric), extLabels, ctx.ExternalUrl, smpl.F);
            string Expand(string text)
            {
                if (!text.Contains("{{", StringComparison.Ordinal)) return text;
                string tmplName = "__alert_" + Name;
                var (tmpl, parseError) = _templates.GetOrAdd(text, static (t, n) =>
                {
                    try
                    {
                        return (new GoTemplate(ParseFunctions, MissingKeyMode.Zero).Parse(n, Defs + t), null);
                    }
                    catch (TemplateException e)
                    {
                        return (null, e);
                    }
                }, tmplName);
                if (parseError is not null) return $"<error expanding template: error parsing template {tmplName}: {parseError.Message}>";
                try
                {
                    var sb = new StringBuilder();
                    tmpl!.Execute(tmplName, data, funcs, sb, ctx.Cancellation);
                    return sb.ToString();
                }
                catch (TemplateException e)
                {
                    return $"<error expanding template: error executing template {tmplName}: {e.Message}>";
                }
            }
            lb.Reset(smpl.Metric);
            lb.Delete(Model.Labels.MetricName);
            foreach (var l in Labels)
            {
                var v = Expand(l.Value);
                if (v.Length == 0) lb.Delete(l.Name);
                else lb.Set(l.Name, v);
            }
            lb.Set(AlertNameLabel, Name);
            var annotations = new List<Label>(Annotations.Count);
            foreach (var a in Annotations) annotations.Add(new Label(a.Name, Expand(a.Value)));
            var lbs = lb.Build();
            if (alerts.ContainsKey(lbs))
                throw new RuleEvaluationException("vector contains metrics with the same labelset after applying alert labels");
            alerts[lbs] = new Alert
            {
                Labels = lbs,
                Annotations = Model.Labels.FromUnsorted(annotations),
                ActiveAt = ts,
                State = AlertState.Pending,
                Value = smpl.F,
            };
        }

        var vec = new List<VectorElement>();
        long sampleT = (ts - queryOffset).ToUnixTimeMilliseconds();
        lock (_lock)
        {
            foreach (var (h, a) in alerts)
            {
                if (_active.TryGetValue(h, out var existing) && existing.State != AlertState.Inactive)
                {
                    existing.Value = a.Value;
                    existing.Annotations = a.Annotations;
                    continue;
                }
                _active[h] = a;
                ctx.StateChanges?.Add(a.Clone());
            }
            int numActivePending = 0;
            var remove = new List<Labels>();
            foreach (var (fp, a) in _active)
            {
                if (!alerts.ContainsKey(fp))
                {
                    bool keepFiring = false;
                    if (a.State == AlertState.Firing && KeepFiringFor > TimeSpan.Zero)
                    {
                        if (a.KeepFiringSince == default) a.KeepFiringSince = ts;
                        if (ts - a.KeepFiringSince < KeepFiringFor) keepFiring = true;
                    }
                    if (a.State == AlertState.Pending || (a.ResolvedAt != default && ts - a.ResolvedAt > ResolvedRetention))
                        remove.Add(fp);
                    if (a.State != AlertState.Inactive && !keepFiring)
                    {
                        bool wasFiring = a.State == AlertState.Firing;
                        a.State = AlertState.Inactive;
                        a.ResolvedAt = ts;
                        if (ctx.StateChanges is { } changes)
                        {
                            var c = a.Clone();
                            if (!wasFiring) c.FiredAt = default;
                            changes.Add(c);
                        }
                    }
                    if (!keepFiring) continue;
                }
                else
                {
                    a.KeepFiringSince = default;
                }
                numActivePending++;
                if (a.State == AlertState.Pending && ts - a.ActiveAt >= HoldDuration)
                {
                    a.State = AlertState.Firing;
                    a.FiredAt = ts;
                    ctx.StateChanges?.Add(a.Clone());
                }
                if (_restored)
                {
                    vec.Add(new VectorElement(SeriesLabels(a, AlertMetricName, true), sampleT, 1));
                    vec.Add(new VectorElement(SeriesLabels(a, AlertForStateMetricName, false), sampleT, a.ActiveAt.ToUnixTimeSeconds()));
                }
            }
            foreach (var fp in remove) _active.Remove(fp);
            if (limit > 0 && numActivePending > limit)
            {
                _active = [];
                throw new RuleEvaluationException($"exceeded limit of {limit} with {numActivePending} alerts");
            }
        }
        return vec;
    }

    private Labels SeriesLabels(Alert a, string metric, bool withState)
    {
        var lb = new LabelsBuilder(Labels);
        foreach (var l in a.Labels) lb.Set(l.Name, l.Value);
        lb.Set(Model.Labels.MetricName, metric);
        lb.Set(AlertNameLabel, Name);
        if (withState) lb.Set(AlertStateLabel, a.State.Text());
        return lb.Build();
    }

    /// <summary>The alerts to send now (marking them sent), per Prometheus's resend rules.</summary>
    internal List<Alert> TakeAlertsToSend(DateTimeOffset ts, TimeSpan resendDelay, TimeSpan interval)
    {
        var send = new List<Alert>();
        lock (_lock)
        {
            foreach (var a in _active.Values)
            {
                if (!a.NeedsSending(ts, resendDelay)) continue;
                a.LastSentAt = ts;
                var delta = interval > resendDelay ? interval : resendDelay;
                a.ValidUntil = ts + 4 * delta;
                send.Add(a.Clone());
            }
        }
        return send;
    }

    /// <summary>
    /// Restores each active alert's ActiveAt from the latest ALERTS_FOR_STATE sample found within the outage
    /// tolerance, as Prometheus does after a restart (shifting it by the downtime, or to the grace period).
    /// </summary>
    internal void RestoreForState(DateTimeOffset ts, IQueryable queryable, TimeSpan outageTolerance, TimeSpan forGracePeriod)
    {
        if (HoldDuration < forGracePeriod)
        {
            _restored = true;
            return;
        }
        var matchers = new List<Matcher>
        {
            Matcher.Equal(Model.Labels.MetricName, AlertForStateMetricName),
            Matcher.Equal(AlertNameLabel, Name),
        };
        foreach (var l in Labels) matchers.Add(Matcher.Equal(l.Name, l.Value));
        var byLabels = new Dictionary<Labels, (long T, double V)>();
        using (var q = queryable.Querier((ts - outageTolerance).ToUnixTimeMilliseconds(), ts.ToUnixTimeMilliseconds()))
        {
            var set = q.Select(false, null, [.. matchers]);
            while (set.MoveNext())
            {
                var s = set.Current;
                var it = s.Iterator();
                long t = 0;
                double v = double.NaN;
                bool any = false;
                while (it.Next() == ValueKind.Float)
                {
                    var smp = it.At();
                    t = smp.T;
                    v = smp.V;
                    any = true;
                }
                if (any) byLabels[s.Labels.Without(Model.Labels.MetricName)] = (t, v);
            }
        }
        lock (_lock)
        {
            foreach (var a in _active.Values)
            {
                if (!byLabels.TryGetValue(a.Labels, out var last)) continue;
                if (SampleValue.IsStaleNaN(last.V)) continue;
                var downAt = DateTimeOffset.FromUnixTimeSeconds(last.T / 1000);
                var restoredActiveAt = DateTimeOffset.FromUnixTimeSeconds((long)last.V);
                var timeSpentPending = downAt - restoredActiveAt;
                var timeRemainingPending = HoldDuration - timeSpentPending;
                if (timeRemainingPending <= TimeSpan.Zero)
                {
                    // It was firing when the tenant's engine stopped; the next evaluation fires it again if still returned.
                }
                else if (timeRemainingPending < forGracePeriod)
                {
                    restoredActiveAt = ts + forGracePeriod - HoldDuration;
                }
                else
                {
                    restoredActiveAt += ts - downAt;
                }
                a.ActiveAt = restoredActiveAt;
            }
        }
        _restored = true;
    }

    private static Dictionary<string, string> ToMap(Labels labels)
    {
        var m = new Dictionary<string, string>(labels.Count, StringComparer.Ordinal);
        foreach (var l in labels) m[l.Name] = l.Value;
        return m;
    }
}

/// <summary>What alert templates see as dot: <c>.Labels</c>, <c>.ExternalLabels</c>, <c>.ExternalURL</c>, <c>.Value</c>.</summary>
public sealed class AlertTemplateData(Dictionary<string, string> labels, Dictionary<string, string> externalLabels, string externalUrl, double value)
{
    public Dictionary<string, string> Labels { get; } = labels;
    public Dictionary<string, string> ExternalLabels { get; } = externalLabels;
    public string ExternalURL { get; } = externalUrl;
    public double Value { get; } = value;
}
