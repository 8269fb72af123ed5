using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Portal.Model;
using Portal.PromQL;
using Portal.PromQL.Ast;
using Portal.Rules.Templates;

namespace Portal.Rules;

/// <summary>
/// A rule group at run time: its rules evaluated in order at one interval, results written through the
/// appendable, alerts handed to the sink. <see cref="Evaluate"/> is serialised internally (one evaluation at a
/// time); status properties may be read from any thread.
/// </summary>
public sealed class EvaluationGroup
{
    private readonly RuleManager _manager;
    private readonly object _evalLock = new();
    private readonly object _statusLock = new();
    private readonly Dictionary<Labels, Labels>[] _seriesInPreviousEval;
    private DateTimeOffset _lastEvaluation;
    private TimeSpan _evaluationDuration;
    private DateTimeOffset _lastEvalTimestamp;

    internal EvaluationGroup(RuleManager manager, string file, string name, TimeSpan interval, TimeSpan? queryOffset, int limit, IReadOnlyList<Rule> rules)
    {
        _manager = manager;
        File = file;
        Name = name;
        Interval = interval;
        QueryOffsetSetting = queryOffset;
        Limit = limit;
        Rules = rules;
        _seriesInPreviousEval = new Dictionary<Labels, Labels>[rules.Count];
        for (int i = 0; i < rules.Count; i++) _seriesInPreviousEval[i] = [];
    }

    public string File { get; }
    public string Name { get; }
    public TimeSpan Interval { get; }
    public int Limit { get; }
    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>The group's own query_offset, or null to use the manager's default.</summary>
    public TimeSpan? QueryOffsetSetting { get; }

    /// <summary>The offset queries run at: the group's query_offset, else the manager's default rule_query_offset.</summary>
    public TimeSpan QueryOffset => QueryOffsetSetting ?? _manager.Options.DefaultQueryOffset;

    /// <summary>When the last evaluation started (wall clock).</summary>
    public DateTimeOffset LastEvaluation { get { lock (_statusLock) return _lastEvaluation; } }

    public TimeSpan EvaluationDuration { get { lock (_statusLock) return _evaluationDuration; } }

    /// <summary>The timestamp of the last evaluation (aligned to the interval).</summary>
    public DateTimeOffset LastEvalTimestamp { get { lock (_statusLock) return _lastEvalTimestamp; } }

    /// <summary>Whether for-state must be restored after the second evaluation (groups loaded when the engine opened).</summary>
    internal bool ShouldRestore { get; set; }

    internal string Key => File + ";" + Name;

    /// <summary>
    /// The group's evaluation time at or before <paramref name="now"/>: interval boundaries shifted by an offset
    /// derived from the group's file and name, so groups spread over the interval.
    /// </summary>
    public DateTimeOffset EvalTimestamp(DateTimeOffset now)
    {
        long interval = Interval.Ticks;
        long offset = (long)(StableHash(Key) % (ulong)interval);
        long adj = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - offset;
        long baseTicks = adj - ((adj % interval) + interval) % interval;
        return DateTimeOffset.UnixEpoch.AddTicks(baseTicks + offset);
    }

    private static ulong StableHash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>
    /// Evaluates every rule at <paramref name="ts"/>: recording results and ALERTS/ALERTS_FOR_STATE written in
    /// one append transaction per rule, stale markers for series a rule no longer returns, alerts sent.
    /// Failures are recorded as the rule's health and last error.
    /// </summary>
    public void Evaluate(DateTimeOffset ts, CancellationToken ct = default)
    {
        lock (_evalLock)
        {
            var clock = _manager.Options.Clock;
            var start = clock.GetUtcNow();
            var sw = Stopwatch.StartNew();
            var offset = QueryOffset;
            var ctx = _manager.CreateEvalContext(ct);
            for (int i = 0; i < Rules.Count; i++)
            {
                if (ct.IsCancellationRequested) break;
                EvaluateRule(i, ts, offset, ctx);
            }
            lock (_statusLock)
            {
                _lastEvaluation = start;
                _evaluationDuration = sw.Elapsed;
                _lastEvalTimestamp = ts;
            }
        }
    }

    private void EvaluateRule(int i, DateTimeOffset ts, TimeSpan offset, EvalContext ctx)
    {
        var rule = Rules[i];
        var ruleStart = _manager.Options.Clock.GetUtcNow();
        var sw = Stopwatch.StartNew();
        try
        {
            List<VectorElement> vector;
            try
            {
                vector = rule.Eval(ts, offset, Limit, ctx);
                rule.SetStatus(RuleHealth.Good, null);
            }
            catch (RuleEvaluationException e)
            {
                rule.SetStatus(RuleHealth.Bad, e.Message);
                _manager.Logger?.LogWarning("Evaluating rule {Rule} of group {Group} failed: {Error}", rule.Name, Name, e.Message);
                return;
            }
            if (rule is AlertingRule ar)
            {
                if (ctx.StateChanges is { Count: > 0 } changes)
                {
                    _manager.ReportTransitions(ar, changes, ts);
                    changes.Clear();
                }
                _manager.SendAlerts(ar, ts, Interval);
            }

            var app = _manager.Options.Appendable.Appender();
            var returned = new Dictionary<Labels, Labels>(_seriesInPreviousEval[i].Count);
            foreach (var s in vector)
            {
                try
                {
                    app.Append(SeriesRef.None, s.Metric, s.T, s.F);
                    returned[s.Metric] = s.Metric;
                }
                catch (AppendException e)
                {
                    rule.SetStatus(RuleHealth.Bad, e.Message);
                    if (e.Error is not (AppendError.OutOfOrderSample or AppendError.TooOldSample or AppendError.DuplicateSampleForTimestamp))
                        _manager.Logger?.LogWarning("Rule evaluation result discarded: {Error} (sample {Series})", e.Message, s.Metric);
                }
            }
            long staleT = (ts - offset).ToUnixTimeMilliseconds();
            foreach (var (key, lset) in _seriesInPreviousEval[i])
            {
                if (returned.ContainsKey(key)) continue;
                try
                {
                    app.Append(SeriesRef.None, lset, staleT, SampleValue.StaleNaN);
                }
                catch (AppendException e) when (e.Error is AppendError.OutOfOrderSample or AppendError.TooOldSample or AppendError.DuplicateSampleForTimestamp)
                {
                    // Expected when another rule exposes the same series.
                }
                catch (AppendException e)
                {
                    _manager.Logger?.LogWarning("Adding stale sample for {Series} failed: {Error}", lset, e.Message);
                }
            }
            try
            {
                app.Commit();
                _seriesInPreviousEval[i] = returned;
            }
            catch (Exception e) when (e is AppendException or IOException or InvalidOperationException)
            {
                rule.SetStatus(RuleHealth.Bad, e.Message);
            }
        }
        finally
        {
            rule.SetTiming(ruleStart, sw.Elapsed);
        }
    }

    /// <summary>Writes stale markers for every series the group's rules wrote last, at <paramref name="ts"/> (used when a group is removed).</summary>
    internal void MarkAllStale(DateTimeOffset ts)
    {
        lock (_evalLock)
        {
            var app = _manager.Options.Appendable.Appender();
            long t = ts.ToUnixTimeMilliseconds();
            foreach (var prev in _seriesInPreviousEval)
            {
                foreach (var lset in prev.Values)
                {
                    try
                    {
                        app.Append(SeriesRef.None, lset, t, SampleValue.StaleNaN);
                    }
                    catch (AppendException)
                    {
                        // Out of order or refused: nothing more to do for this series.
                    }
                }
                prev.Clear();
            }
            try
            {
                app.Commit();
            }
            catch (Exception e) when (e is AppendException or IOException or InvalidOperationException)
            {
                _manager.Logger?.LogWarning("Writing stale markers for group {Group} failed: {Error}", Name, e.Message);
            }
        }
    }

    /// <summary>Restores for-state of every alerting rule from ALERTS_FOR_STATE (see <see cref="AlertingRule"/>).</summary>
    public void RestoreForState(DateTimeOffset ts)
    {
        lock (_evalLock)
        {
            foreach (var r in Rules)
            {
                if (r is not AlertingRule ar) continue;
                try
                {
                    ar.RestoreForState(ts, _manager.Options.Queryable, _manager.Options.OutageTolerance, _manager.Options.ForGracePeriod);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    _manager.Logger?.LogWarning("Restoring for-state of {Rule} failed: {Error}", ar.Name, e.Message);
                    ar.Restored = true;
                }
            }
        }
    }

    /// <summary>Takes over state from the same group before a reload: alerts, rule status and series for staleness.</summary>
    internal void CopyState(EvaluationGroup old)
    {
        lock (_statusLock)
        {
            _lastEvaluation = old.LastEvaluation;
            _evaluationDuration = old.EvaluationDuration;
            _lastEvalTimestamp = old.LastEvalTimestamp;
        }
        var used = new bool[old.Rules.Count];
        for (int i = 0; i < Rules.Count; i++)
        {
            for (int j = 0; j < old.Rules.Count; j++)
            {
                if (used[j] || old.Rules[j].Name != Rules[i].Name || old.Rules[j].GetType() != Rules[i].GetType()) continue;
                if (!old.Rules[j].Labels.Equals(Rules[i].Labels)) continue;
                used[j] = true;
                _seriesInPreviousEval[i] = old._seriesInPreviousEval[j];
                Rules[i].CopyStatusFrom(old.Rules[j]);
                if (Rules[i] is AlertingRule nar && old.Rules[j] is AlertingRule oar) nar.CopyAlertsFrom(oar);
                break;
            }
        }
    }

    /// <summary>
    /// Runs the group until <paramref name="ct"/> is cancelled: waits for the next aligned evaluation time, evaluates,
    /// restores for-state after the second evaluation when required, then evaluates every interval, skipping
    /// missed iterations.
    /// </summary>
    internal async Task RunAsync(CancellationToken ct)
    {
        var clock = _manager.Options.Clock;
        var evalTs = EvalTimestamp(clock.GetUtcNow()) + Interval;
        try
        {
            await DelayUntil(evalTs, ct).ConfigureAwait(false);
            Evaluate(evalTs, ct);
            if (ShouldRestore)
            {
                evalTs = await NextTick(evalTs, ct).ConfigureAwait(false);
                Evaluate(evalTs, ct);
                RestoreForState(clock.GetUtcNow());
                ShouldRestore = false;
            }
            while (!ct.IsCancellationRequested)
            {
                evalTs = await NextTick(evalTs, ct).ConfigureAwait(false);
                Evaluate(evalTs, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task<DateTimeOffset> NextTick(DateTimeOffset last, CancellationToken ct)
    {
        var next = last + Interval;
        await DelayUntil(next, ct).ConfigureAwait(false);
        var now = _manager.Options.Clock.GetUtcNow();
        long missed = (long)((now - last) / Interval) - 1;
        if (missed > 0)
        {
            _manager.Logger?.LogWarning("Rule group {Group} missed {Missed} evaluations", Name, missed);
            next = last + (missed + 1) * Interval;
        }
        return next;
    }

    private Task DelayUntil(DateTimeOffset t, CancellationToken ct)
    {
        var wait = t - _manager.Options.Clock.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, _manager.Options.Clock, ct) : Task.CompletedTask;
    }
}
