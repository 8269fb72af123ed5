using System.Threading.Channels;
using Portal.Alerting;
using Portal.Config.Alertmanager;
using Portal.Data;
using Portal.Rules;
using Portal.Tenancy;
using AttemptRow = Portal.Data.NotificationAttempt;
using AttemptEvent = Portal.Alerting.NotificationAttempt;

namespace Portal.Web.Alerting;

/// <summary>Alert history settings (section <c>AlertHistory</c>).</summary>
public sealed class AlertHistoryOptions
{
    public const string Section = "AlertHistory";

    /// <summary>How long state changes and notification attempts are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often rows older than <see cref="Retention"/> are deleted.</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many events wait for the database at most; more are dropped (and counted) rather than blocking.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The most rows written in one transaction.</summary>
    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Records alert history: every alert state change of every tenant's rules (it is each rule manager's
/// <see cref="IAlertStateObserver"/>) and every notification attempt of every tenant's Alertmanager. The hooks only
/// try to write the raw event to a bounded channel (rows are built by the writer), so neither rule evaluation nor notification ever waits
/// for the database; when the queue is full the event is dropped and counted in <see cref="Dropped"/> (and the
/// portal's <c>portal_alert_history_dropped_events_total</c>). A background
/// service (<see cref="AlertHistoryWriter"/>) drains the channel in batches. Thread-safe.
/// </summary>
public sealed class AlertHistoryRecorder : IAlertStateObserver
{
    private static readonly Prometheus.Counter DroppedEvents = Prometheus.Metrics.CreateCounter(
        "portal_alert_history_dropped_events_total", "Alert history events dropped because the write queue was full.");

    internal static readonly Prometheus.Counter WrittenRows = Prometheus.Metrics.CreateCounter(
        "portal_alert_history_written_rows_total", "Alert state changes and notification attempts written to the database.");

    private readonly Channel<object> _queue;
    private long _dropped;

    public AlertHistoryRecorder(Microsoft.Extensions.Options.IOptions<AlertHistoryOptions> options)
    {
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(Math.Max(16, options.Value.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ =>
        {
            Interlocked.Increment(ref _dropped);
            DroppedEvents.Inc();
        });
    }

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<object> Reader => _queue.Reader;

    /// <summary>Connects a freshly opened engine's rule manager and Alertmanager to the recorder (before either starts).</summary>
    public void Attach(TenantEngine engine)
    {
        engine.Rules.StateObserver = this;
        engine.Alerting.Recorder = new TenantRecorder(this);
    }

    /// <summary>Queues the transitions as they are; they become rows on the writer's thread.</summary>
    public void OnTransitions(string tenantId, IReadOnlyList<AlertTransition> transitions)
    {
        foreach (var t in transitions) Enqueue(new QueuedTransition(tenantId, t));
    }

    /// <summary>Queues one notification attempt (also used for test notifications); it becomes a row on the writer's thread.</summary>
    public void Record(AttemptEvent a) => Enqueue(a);

    internal sealed record QueuedTransition(string TenantId, AlertTransition Transition);

    /// <summary>The database row of a queued event: a state change or a notification attempt.</summary>
    internal static object ToRow(object queued) => queued switch
    {
        QueuedTransition q => ToRow(q.TenantId, q.Transition),
        AttemptEvent a => ToRow(a),
        _ => throw new ArgumentException("unknown history event", nameof(queued)),
    };

    private static AlertStateChange ToRow(string tenantId, AlertTransition t)
    {
        var team = t.Labels.Get("team");
        return new AlertStateChange
        {
            TenantId = tenantId,
            Fingerprint = Fingerprints.ToHex(Fingerprints.Of(t.Labels)),
            AlertName = t.Labels.Get("alertname") is { Length: > 0 } n ? n : t.RuleName,
            Team = team.Length > 0 ? team : null,
            State = t.State,
            LabelsJson = AlertHistoryStore.LabelsToJson(t.Labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value))),
            AnnotationsJson = AlertHistoryStore.LabelsToJson(t.Annotations.Select(l => new KeyValuePair<string, string>(l.Name, l.Value))),
            Value = double.IsFinite(t.Value) ? t.Value : 0,
            At = t.At,
            ActiveAt = t.State == "pending" ? null : t.ActiveAt,
        };
    }

    private static AttemptRow ToRow(AttemptEvent a)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var fps = new List<string>(a.AlertLabels.Count);
        foreach (var l in a.AlertLabels)
        {
            if (l.Get("alertname") is { Length: > 0 } n) names.Add(n);
            fps.Add(Fingerprints.ToHex(Fingerprints.Of(l)));
        }
        var what = a.GroupKey == "test" ? "test notification" : "notification";
        var summary = $"{what}: {a.FiringAlerts} firing, {a.ResolvedAlerts} resolved";
        if (names.Count > 0) summary += " (" + string.Join(", ", names) + ")";
        if (a.Attempt > 1) summary += $", attempt {a.Attempt}";
        return new AttemptRow
        {
            TenantId = a.TenantId,
            Receiver = a.Receiver,
            Team = TeamRoutingTree.TeamOf(a.Receiver),
            Integration = a.Integration,
            At = a.At,
            Success = a.Success,
            Error = a.Error is { Length: > 2000 } e ? e[..2000] : a.Error,
            Summary = summary.Length > 1000 ? summary[..1000] : summary,
            Fingerprints = string.Join(",", fps),
            AlertCount = a.AlertLabels.Count > 0 ? a.AlertLabels.Count : a.FiringAlerts + a.ResolvedAlerts,
        };
    }

    private void Enqueue(object row) => _queue.Writer.TryWrite(row);

    private sealed class TenantRecorder(AlertHistoryRecorder owner) : INotificationRecorder
    {
        public void Record(AttemptEvent attempt) => owner.Record(attempt);
    }
}

/// <summary>
/// Drains <see cref="AlertHistoryRecorder"/>'s queue into the database in batches, and deletes history older than
/// <see cref="AlertHistoryOptions.Retention"/> at start and every <see cref="AlertHistoryOptions.RetentionCheckInterval"/>.
/// A failed write is logged and its batch dropped; the service keeps running.
/// </summary>
public sealed class AlertHistoryWriter(
    AlertHistoryRecorder recorder, AlertHistoryStore store, Microsoft.Extensions.Options.IOptions<AlertHistoryOptions> options,
    TimeProvider clock, ILogger<AlertHistoryWriter> log) : BackgroundService
{
    private DateTimeOffset _nextRetention;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = recorder.Reader;
        var o = options.Value;
        var changes = new List<AlertStateChange>();
        var attempts = new List<AttemptRow>();
        while (!stoppingToken.IsCancellationRequested)
        {
            await RetentionIfDueAsync(stoppingToken);
            bool more;
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(TimeSpan.FromMinutes(1));
                more = await reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (!more) break;
            while (changes.Count + attempts.Count < o.BatchSize && reader.TryRead(out var item)) Add(item, changes, attempts);
            await FlushAsync(changes, attempts, stoppingToken);
        }
        while (reader.TryRead(out var item)) Add(item, changes, attempts);
        await FlushAsync(changes, attempts, CancellationToken.None);
    }

    private static void Add(object queued, List<AlertStateChange> changes, List<AttemptRow> attempts)
    {
        switch (AlertHistoryRecorder.ToRow(queued))
        {
            case AlertStateChange c: changes.Add(c); break;
            case AttemptRow a: attempts.Add(a); break;
        }
    }

    private async Task FlushAsync(List<AlertStateChange> changes, List<AttemptRow> attempts, CancellationToken ct)
    {
        if (changes.Count == 0 && attempts.Count == 0) return;
        try
        {
            await store.AddAsync(changes, attempts, ct);
            AlertHistoryRecorder.WrittenRows.Inc(changes.Count + attempts.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogError(e, "Writing {Changes} alert state changes and {Attempts} notification attempts to alert history failed; they are lost", changes.Count, attempts.Count);
        }
        changes.Clear();
        attempts.Clear();
    }

    private async Task RetentionIfDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now < _nextRetention) return;
        _nextRetention = now + options.Value.RetentionCheckInterval;
        try
        {
            int n = await store.DeleteOlderThanAsync(now - options.Value.Retention, ct);
            if (n > 0) log.LogInformation("Alert history retention deleted {Rows} rows older than {Retention}", n, options.Value.Retention);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Deleting old alert history failed; trying again in {Interval}", options.Value.RetentionCheckInterval);
        }
    }
}
