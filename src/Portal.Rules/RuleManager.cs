using Microsoft.Extensions.Logging;
using Portal.Config.Rules;
using Portal.Model;
using IQueryable = Portal.Model.IQueryable;
using Portal.PromQL;
using Portal.PromQL.Ast;
using Portal.Rules.Templates;

namespace Portal.Rules;

/// <summary>What a tenant's rule manager runs against and its Prometheus defaults. Immutable once given to the manager.</summary>
public sealed record RuleManagerOptions
{
    /// <summary>The tenant whose rules these are (handed to the alert sink).</summary>
    public required string TenantId { get; init; }

    /// <summary>Where results (recording rules, ALERTS, ALERTS_FOR_STATE, stale markers) are written: the tenant's limited door.</summary>
    public required IAppendable Appendable { get; init; }

    public required IQueryable Queryable { get; init; }
    public required PromQLEngine Engine { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The interval of groups without their own (global evaluation_interval, 1m by default).</summary>
    public TimeSpan DefaultInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The query offset of groups without their own (global rule_query_offset, 0 by default).</summary>
    public TimeSpan DefaultQueryOffset { get; init; }

    /// <summary>External labels: added to sent alerts and visible to templates as $externalLabels.</summary>
    public Labels ExternalLabels { get; init; } = Labels.Empty;

    /// <summary>The external URL: templates' $externalURL and the base of generator URLs.</summary>
    public string ExternalUrl { get; init; } = "";

    /// <summary>Minimum time between two sends of an unchanged alert.</summary>
    public TimeSpan ResendDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back ALERTS_FOR_STATE is looked for when restoring (Prometheus's outage tolerance).</summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Minimum time an alert waits after a restore before it may fire (Prometheus's for grace period).</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most groups the tenant may load; 0 for no limit.</summary>
    public int MaxRuleGroups { get; init; }
}

/// <summary>A rule-file problem found by <see cref="RuleManager.Update"/>.</summary>
public sealed record RuleLoadError(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}

/// <summary>
/// One tenant's rule manager: loads rule files into groups, runs each group on its own loop, keeps alert state
/// across reloads, restores for-state after the engine opens, and sends alerts to <see cref="AlertSink"/>.
/// Thread-safe: <see cref="Update"/>, <see cref="Start"/> and <see cref="Dispose"/> are serialised; readers see a
/// consistent snapshot of groups.
/// </summary>
public sealed class RuleManager : IDisposable
{
    private readonly object _lock = new();
    private readonly object _updateLock = new();
    private Dictionary<string, EvaluationGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CancellationTokenSource Cts, Task Task)> _loops = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<EvaluationGroup> _snapshot = [];
    private bool _loadedOnce;
    private bool _started;
    private bool _disposed;

    private volatile RuleManagerOptions _options;
    private IReadOnlyList<KeyValuePair<string, string>> _files = [];

    public RuleManager(RuleManagerOptions options, ILogger? logger = null)
    {
        _options = options;
        Logger = logger;
    }

    public RuleManagerOptions Options => _options;

    /// <summary>The rule files last loaded successfully (name → YAML).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Files => _files;

    /// <summary>
    /// Takes the Prometheus globals that affect rules (evaluation_interval, rule_query_offset, external_labels,
    /// the external URL) and reloads the current files so intervals follow.
    /// </summary>
    public IReadOnlyList<RuleLoadError> SetGlobals(TimeSpan evaluationInterval, TimeSpan ruleQueryOffset, Labels externalLabels, string? externalUrl = null)
    {
        lock (_lock)
        {
            _options = _options with
            {
                DefaultInterval = evaluationInterval > TimeSpan.Zero ? evaluationInterval : TimeSpan.FromMinutes(1),
                DefaultQueryOffset = ruleQueryOffset,
                ExternalLabels = externalLabels,
                ExternalUrl = externalUrl ?? _options.ExternalUrl,
            };
        }
        return Update(_files);
    }
    internal ILogger? Logger { get; }

    /// <summary>Where alerts go; null drops them (they are still marked sent). May be set at any time.</summary>
    public IAlertSink? AlertSink { get; set; }

    /// <summary>Told about every alert state change (pending, firing, resolved, inactive); null tells no one. May be set at any time.</summary>
    public IAlertStateObserver? StateObserver { get; set; }

    /// <summary>The loaded groups, ordered by file then name.</summary>
    public IReadOnlyList<EvaluationGroup> Groups => _snapshot;

    /// <summary>Every alerting rule of every group, in group order.</summary>
    public IReadOnlyList<AlertingRule> AlertingRules()
    {
        var r = new List<AlertingRule>();
        foreach (var g in _snapshot)
            foreach (var rule in g.Rules)
                if (rule is AlertingRule a) r.Add(a);
        return r;
    }

    /// <summary>
    /// Replaces the tenant's rules with the given files (name → YAML). On any error nothing changes and the
    /// errors are returned. Groups that stay keep their alerts and status; removed groups get stale markers.
    /// </summary>
    public IReadOnlyList<RuleLoadError> Update(IEnumerable<KeyValuePair<string, string>> files)
    {
        lock (_updateLock) return UpdateCore(files);
    }

    private IReadOnlyList<RuleLoadError> UpdateCore(IEnumerable<KeyValuePair<string, string>> files)
    {
        var fileList = new List<KeyValuePair<string, string>>(files);
        files = fileList;
        var errors = new List<RuleLoadError>();
        var parsed = new List<(string File, RuleFile Content)>();
        foreach (var (name, yaml) in files)
        {
            var res = RuleFileLoader.Load(yaml, name);
            foreach (var e in res.Errors) errors.Add(new RuleLoadError(name, e.Line, e.Column, e.Message));
            if (res.Config is not null) parsed.Add((name, res.Config));
        }
        if (errors.Count > 0) return errors;

        var newGroups = new Dictionary<string, EvaluationGroup>(StringComparer.Ordinal);
        foreach (var (file, content) in parsed)
        {
            foreach (var g in content.Groups ?? [])
            {
                if (g?.Name is null) continue;
                var group = BuildGroup(file, g, errors);
                if (group is not null) newGroups[group.Key] = group;
            }
        }
        if (Options.MaxRuleGroups > 0 && newGroups.Count > Options.MaxRuleGroups)
            errors.Add(new RuleLoadError("", 0, 0, $"too many rule groups: {newGroups.Count} (the tenant's limit is {Options.MaxRuleGroups})"));
        if (errors.Count > 0) return errors;

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            bool restore = !_loadedOnce;
            _loadedOnce = true;
            foreach (var (key, g) in newGroups)
            {
                if (_groups.TryGetValue(key, out var old))
                {
                    StopLoop(key);
                    g.CopyState(old);
                    g.ShouldRestore = old.ShouldRestore;
                }
                else
                {
                    g.ShouldRestore = restore;
                    if (!restore)
                        foreach (var r in g.Rules)
                            if (r is AlertingRule ar) ar.Restored = true;
                }
            }
            var now = Options.Clock.GetUtcNow();
            foreach (var (key, old) in _groups)
            {
                if (newGroups.ContainsKey(key)) continue;
                StopLoop(key);
                old.MarkAllStale(now);
            }
            _groups = newGroups;
            _files = new List<KeyValuePair<string, string>>(files);
            var list = new List<EvaluationGroup>(newGroups.Values);
            list.Sort(static (a, b) =>
            {
                int c = string.CompareOrdinal(a.File, b.File);
                return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            });
            _snapshot = list;
            if (_started)
                foreach (var (key, g) in newGroups) StartLoop(key, g);
        }
        return [];
    }

    private EvaluationGroup? BuildGroup(string file, Config.Rules.RuleGroup g, List<RuleLoadError> errors)
    {
        var interval = g.Interval is { Milliseconds: > 0 } iv ? TimeSpan.FromMilliseconds(iv.Milliseconds) : Options.DefaultInterval;
        TimeSpan? offset = g.QueryOffset is { } qo ? TimeSpan.FromMilliseconds(qo.Milliseconds) : null;
        var groupLabels = g.Labels ?? [];
        var rules = new List<Rule>();
        foreach (var r in g.Rules ?? [])
        {
            if (r is null) continue;
            Expr expr;
            try
            {
                expr = PromQLParser.ParseExpr(r.Expr ?? "");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(new RuleLoadError(file, 0, 0, $"group {g.Name}, rule {r.Record ?? r.Alert}: {e.Message}"));
                continue;
            }
            var lb = new LabelsBuilder();
            foreach (var (k, v) in groupLabels) lb.Set(k, v);
            foreach (var (k, v) in r.Labels ?? []) lb.Set(k, v);
            var labels = lb.Build();
            if (r.IsAlert)
            {
                var ann = new LabelsBuilder();
                foreach (var (k, v) in r.Annotations ?? []) ann.Set(k, v);
                rules.Add(new AlertingRule(r.Alert!, expr,
                    TimeSpan.FromMilliseconds(r.For?.Milliseconds ?? 0),
                    TimeSpan.FromMilliseconds(r.KeepFiringFor?.Milliseconds ?? 0),
                    labels, ann.Build()));
            }
            else
            {
                rules.Add(new RecordingRule(r.Record!, expr, labels));
            }
        }
        return new EvaluationGroup(this, file, g.Name!, interval, offset, g.Limit, rules);
    }

    /// <summary>Starts every group's evaluation loop (and the loops of groups loaded later).</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started) return;
            _started = true;
            foreach (var (key, g) in _groups) StartLoop(key, g);
        }
    }

    private void StartLoop(string key, EvaluationGroup g)
    {
        var cts = new CancellationTokenSource();
        var task = Task.Run(() => g.RunAsync(cts.Token));
        _loops[key] = (cts, task);
    }

    private void StopLoop(string key)
    {
        if (!_loops.Remove(key, out var loop)) return;
        loop.Cts.Cancel();
        try
        {
            loop.Task.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop ended with an error; it is stopped either way.
        }
        loop.Cts.Dispose();
    }

    /// <summary>Stops every loop. Alert state is kept in memory only; ALERTS_FOR_STATE lets the next manager restore it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var loop in _loops.Values) loop.Cts.Cancel();
            var tasks = new List<Task>(_loops.Count);
            foreach (var loop in _loops.Values) tasks.Add(loop.Task);
            try
            {
                Task.WaitAll([.. tasks], TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Loops that ended with an error are stopped either way.
            }
            foreach (var loop in _loops.Values) loop.Cts.Dispose();
            _loops.Clear();
        }
    }

    internal EvalContext CreateEvalContext(CancellationToken ct) => new()
    {
        Query = RunRuleQuery,
        TemplateQuery = RunTemplateQuery,
        ExternalLabels = Options.ExternalLabels,
        ExternalUrl = Options.ExternalUrl,
        Cancellation = ct,
        StateChanges = StateObserver is null ? null : [],
    };

    /// <summary>Hands the state changes of one rule's evaluation at <paramref name="ts"/> to <see cref="StateObserver"/>.</summary>
    internal void ReportTransitions(AlertingRule rule, List<Alert> changed, DateTimeOffset ts)
    {
        var observer = StateObserver;
        if (observer is null) return;
        var ext = Options.ExternalLabels;
        var list = new List<AlertTransition>(changed.Count);
        foreach (var a in changed)
        {
            var labels = a.Labels;
            if (ext.Count > 0)
            {
                var lb = new LabelsBuilder(a.Labels);
                foreach (var l in ext)
                    if (!a.Labels.Has(l.Name)) lb.Set(l.Name, l.Value);
                labels = lb.Build();
            }
            string state = a.State switch
            {
                AlertState.Pending => "pending",
                AlertState.Firing => "firing",
                _ => a.FiredAt != default ? "resolved" : "inactive",
            };
            list.Add(new AlertTransition(rule.Name, labels, a.Annotations, state, a.Value, ts, a.ActiveAt));
        }
        try
        {
            observer.OnTransitions(Options.TenantId, list);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger?.LogWarning("Reporting alert state changes of rule {Rule} failed: {Error}", rule.Name, e.Message);
        }
    }

    private List<VectorElement> RunRuleQuery(Expr expr, string text, long tMs, CancellationToken ct)
    {
        var res = Options.Engine.InstantQuery(Options.Queryable, expr, tMs, ct);
        if (res.Error is not null) throw new RuleEvaluationException(res.Error.Message);
        return res.Value switch
        {
            VectorResult v => new List<VectorElement>(v.Samples),
            ScalarResult s => [new VectorElement(Labels.Empty, s.T, s.F)],
            _ => throw new RuleEvaluationException("rule result is not a vector or scalar"),
        };
    }

    private IReadOnlyList<TemplateSample> RunTemplateQuery(string query, long tMs, CancellationToken ct)
    {
        var res = Options.Engine.InstantQuery(Options.Queryable, query, tMs, ct);
        if (res.Error is not null) throw new InvalidOperationException(res.Error.Message);
        var list = new List<TemplateSample>();
        switch (res.Value)
        {
            case VectorResult v:
                foreach (var s in v.Samples) list.Add(TemplateSample.From(s.Metric, s.F));
                break;
            case ScalarResult s:
                list.Add(TemplateSample.From(Labels.Empty, s.F));
                break;
            default:
                throw new InvalidOperationException("rule result is not a vector or scalar");
        }
        return list;
    }

    /// <summary>Sends the alerts of <paramref name="rule"/> that are due, with Prometheus's payload semantics.</summary>
    internal void SendAlerts(AlertingRule rule, DateTimeOffset ts, TimeSpan interval)
    {
        var due = rule.TakeAlertsToSend(ts, Options.ResendDelay, interval);
        if (due.Count == 0) return;
        var sink = AlertSink;
        if (sink is null) return;
        string generator = Options.ExternalUrl + "/graph?g0.expr=" + GoFormat.QueryEscape(rule.Query) + "&g0.tab=1";
        var batch = new List<NotifierAlert>(due.Count);
        foreach (var a in due)
        {
            var lb = new LabelsBuilder(a.Labels);
            foreach (var l in Options.ExternalLabels)
                if (!a.Labels.Has(l.Name)) lb.Set(l.Name, l.Value);
            batch.Add(new NotifierAlert(lb.Build(), a.Annotations, a.FiredAt, a.ResolvedAt != default ? a.ResolvedAt : a.ValidUntil, generator));
        }
        try
        {
            sink.Send(Options.TenantId, batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger?.LogWarning("Sending {Count} alerts of rule {Rule} failed: {Error}", batch.Count, rule.Name, e.Message);
        }
    }
}
