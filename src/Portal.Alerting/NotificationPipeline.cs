namespace Portal.Alerting;

/// <summary>One integration of a receiver and its index among the receiver's integrations of the same kind.</summary>
public sealed record IntegrationSlot(INotifier Notifier, int Index);

/// <summary>Retry timing: exponential backoff from <see cref="Initial"/> by <see cref="Multiplier"/> up to <see cref="Max"/>, with jitter.</summary>
public sealed record RetryOptions
{
    public TimeSpan Initial { get; init; } = TimeSpan.FromMilliseconds(500);
    public double Multiplier { get; init; } = 1.5;
    public TimeSpan Max { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Relative jitter (0.5 = ±50%), as Alertmanager's backoff uses.</summary>
    public double Jitter { get; init; } = 0.5;
}

/// <summary>
/// What happens to a flushed group, in Alertmanager's order: inhibition, active and mute time intervals, silences;
/// then for every integration of the receiver, concurrently: deduplication against the notification log, delivery
/// with retries (recorded attempt by attempt) until it succeeds, fails for good, or the flush's deadline passes,
/// and the log entry. Stops quietly when no alert is left. Thread-safe.
/// </summary>
internal sealed class NotificationPipeline(
    string tenantId,
    IReadOnlyDictionary<string, IReadOnlyList<IntegrationSlot>> receivers,
    Inhibitor inhibitor,
    SilenceStore silences,
    TimeIntervals intervals,
    NotificationLog nflog,
    INotificationRecorder recorder,
    TimeProvider clock,
    RetryOptions retry)
{
    /// <summary>Runs the pipeline; true when every integration succeeded or had nothing to do.</summary>
    public async Task<bool> ExecAsync(NotificationContext ctx, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        var kept = new List<Alert>(alerts.Count);
        foreach (var a in alerts)
            if (inhibitor.InhibitedBy(a.Labels) is null) kept.Add(a);
        if (kept.Count == 0) return true;
        if (ctx.ActiveTimeIntervals.Count > 0 && !intervals.AnyContains(ctx.ActiveTimeIntervals, ctx.Now)) return true;
        if (ctx.MuteTimeIntervals.Count > 0 && intervals.AnyContains(ctx.MuteTimeIntervals, ctx.Now)) return true;
        var unsilenced = new List<Alert>(kept.Count);
        foreach (var a in kept)
            if (silences.MutedBy(a.Labels).Count == 0) unsilenced.Add(a);
        if (unsilenced.Count == 0) return true;
        if (!receivers.TryGetValue(ctx.Receiver, out var slots) || slots.Count == 0) return true;

        var tasks = new Task<bool>[slots.Count];
        for (int i = 0; i < slots.Count; i++)
        {
            var slot = slots[i];
            tasks[i] = Task.Run(() => IntegrationAsync(ctx, slot, unsilenced, ct), CancellationToken.None);
        }
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        foreach (var ok in results)
            if (!ok) return false;
        return true;
    }

    private async Task<bool> IntegrationAsync(NotificationContext ctx, IntegrationSlot slot, List<Alert> alerts, CancellationToken ct)
    {
        var firing = new HashSet<ulong>();
        var resolved = new HashSet<ulong>();
        foreach (var a in alerts)
            (a.ResolvedAt(ctx.Now) ? resolved : firing).Add(a.Fingerprint);
        var receiverKey = NotificationLog.ReceiverKey(ctx.Receiver, slot.Notifier.Integration, slot.Index);
        var entry = nflog.Query(ctx.GroupKey, receiverKey);
        if (!NeedsUpdate(entry, firing, resolved, slot.Notifier.SendResolved, ctx)) return true;

        List<Alert> sent;
        if (!slot.Notifier.SendResolved)
        {
            if (firing.Count == 0)
            {
                nflog.Log(ctx.GroupKey, receiverKey, firing, resolved, ctx.RepeatInterval * 2);
                return true;
            }
            sent = new List<Alert>(firing.Count);
            foreach (var a in alerts)
                if (!a.ResolvedAt(ctx.Now)) sent.Add(a);
        }
        else sent = alerts;

        if (!await DeliverAsync(ctx, slot, sent, firing.Count, resolved.Count, ct).ConfigureAwait(false)) return false;
        nflog.Log(ctx.GroupKey, receiverKey, firing, resolved, ctx.RepeatInterval * 2);
        return true;
    }

    /// <summary>Alertmanager's dedup decision for one integration.</summary>
    internal static bool NeedsUpdate(NotificationLogEntry? entry, IReadOnlySet<ulong> firing, IReadOnlySet<ulong> resolved, bool sendResolved, NotificationContext ctx)
    {
        if (entry is null) return firing.Count > 0;
        if (!entry.IsFiringSubset(firing)) return true;
        if (firing.Count == 0) return entry.FiringAlerts.Count > 0;
        if (sendResolved && !entry.IsResolvedSubset(resolved)) return true;
        return entry.Timestamp < ctx.Now - ctx.RepeatInterval;
    }

    private async Task<bool> DeliverAsync(NotificationContext ctx, IntegrationSlot slot, List<Alert> sent, int firing, int resolved, CancellationToken ct)
    {
        var delay = retry.Initial;
        var labels = new Portal.Model.Labels[sent.Count];
        for (int i = 0; i < sent.Count; i++) labels[i] = sent[i].Labels;
        for (int attempt = 1; ; attempt++)
        {
            var start = clock.GetTimestamp();
            var at = clock.GetUtcNow();
            NotifyResult r;
            if (ct.IsCancellationRequested) r = NotifyResult.Failed(false, "notification deadline exceeded before the attempt");
            else
            {
                try
                {
                    r = await slot.Notifier.NotifyAsync(ctx, sent, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    r = NotifyResult.Failed(false, "notification deadline exceeded");
                }
                catch (Exception e)
                {
                    r = NotifyResult.Failed(true, e.Message);
                }
            }
            recorder.Record(new NotificationAttempt(tenantId, ctx.Receiver, slot.Notifier.Integration, slot.Index, ctx.GroupKey, attempt, at,
                clock.GetElapsedTime(start), r.Success, r.Retry, r.Error, firing, resolved) { AlertLabels = labels });
            if (r.Success) return true;
            if (!r.Retry || ct.IsCancellationRequested) return false;
            var jittered = delay * (1 + retry.Jitter * (Random.Shared.NextDouble() * 2 - 1));
            try
            {
                await Task.Delay(jittered, clock, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            var next = delay * retry.Multiplier;
            delay = next > retry.Max ? retry.Max : next;
        }
    }
}
