using Microsoft.Extensions.Logging;
using Portal.Alerting.Receivers;
using Portal.Config.Alertmanager;
using Portal.Model;

namespace Portal.Alerting;

/// <summary>How a tenant's Alertmanager is set up. Immutable.</summary>
public sealed record AlertmanagerOptions
{
    public string TenantId { get; init; } = "";

    /// <summary>Where silences and the notification log are persisted; null keeps them in memory.</summary>
    public string? Directory { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The URL alerts and templates link to (<c>.ExternalURL</c>).</summary>
    public string ExternalUrl { get; init; } = "";

    /// <summary>
    /// Hosted mode: how Slack and webhook deliveries connect (e.g. <see cref="Portal.Config.HostedNetwork.ConnectCallback"/>,
    /// refusing non-public destinations at connect time); null connects anywhere.
    /// </summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? OutboundConnect { get; init; }

    public INotificationRecorder Recorder { get; init; } = NullNotificationRecorder.Instance;

    /// <summary>Expands notification templates; required for Slack and email receivers.</summary>
    public Func<AlertmanagerConfig, INotificationTemplater>? Templates { get; init; }

    public RetryOptions Retry { get; init; } = new();

    /// <summary>At most this many aggregation groups (0 = unlimited).</summary>
    public int MaxAggregationGroups { get; init; }

    /// <summary>
    /// One HTTP client for every notification (owned by the caller; only the credentials and headers of each
    /// http_config apply then); by default each distinct http_config gets its own client connecting through <see cref="OutboundConnect"/>.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    public ILogger? Logger { get; init; }
}

/// <summary>An alert as received from a client (Prometheus, the API, the rule manager); times may be unset (default).</summary>
public sealed record PostableAlert(Labels Labels, Labels Annotations, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string GeneratorUrl);

/// <summary>The status of an alert as the API shows it.</summary>
public sealed record AlertStatusInfo(string State, IReadOnlyList<string> SilencedBy, IReadOnlyList<string> InhibitedBy);

/// <summary>
/// One tenant's Alertmanager: the alert store, routing and grouping (dispatcher), inhibition, silences and the
/// notification log (both persisted under <see cref="AlertmanagerOptions.Directory"/>), and the receivers of the
/// running configuration. <see cref="ApplyConfig"/> swaps configuration atomically (groups restart, as on an
/// Alertmanager reload). Thread-safe. Owned by the tenant's engine; dispose once.
/// </summary>
public sealed class Alertmanager : IDisposable
{
    /// <summary>The configuration a tenant runs until it provides one: everything goes to a receiver without integrations.</summary>
    public const string DefaultConfigYaml = "route:\n  receiver: default\nreceivers:\n  - name: default\n";

    private readonly AlertmanagerOptions _o;
    private readonly object _configLock = new();
    private readonly NotifierHttpClients _http;
    private readonly ITimer _gc;
    private Running _running;

    public AlertStore Alerts { get; }
    public SilenceStore Silences { get; }
    public NotificationLog NotificationLog { get; }
    public DateTimeOffset StartedAt { get; }

    /// <summary>The current time on this Alertmanager's clock.</summary>
    public DateTimeOffset Now => _o.Clock.GetUtcNow();

    public Alertmanager(AlertmanagerOptions options)
    {
        _o = options;
        StartedAt = options.Clock.GetUtcNow();
        Alerts = new AlertStore(options.Clock);
        Silences = new SilenceStore(options.Directory, options.Clock);
        NotificationLog = new NotificationLog(options.Directory, options.Clock);
        _http = new NotifierHttpClients(options.OutboundConnect, options.HttpClient);
        var loaded = AlertmanagerConfigLoader.Load(DefaultConfigYaml, "default");
        _running = Build(loaded.Config!, DefaultConfigYaml);
        _gc = options.Clock.CreateTimer(_ => GarbageCollect(), null, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));
    }

    /// <summary>The running configuration.</summary>
    public AlertmanagerConfig Config => _running.Config;

    /// <summary>The running configuration's text as it may be shown (secrets masked by the caller).</summary>
    public string DisplayConfigYaml => _running.DisplayYaml;

    public RouteNode Route => _running.Route;

    /// <summary>How many notification HTTP clients are held: one per distinct http_config of the running configuration (and any used since).</summary>
    internal int HttpClientCount => _http.Count;

    public Dispatcher Dispatcher => _running.Dispatcher;

    /// <summary>The names of the configured receivers, in configuration order.</summary>
    public IReadOnlyList<string> ReceiverNames => _running.ReceiverNames;

    /// <summary>How long an alert without end stays firing after its last update (global.resolve_timeout).</summary>
    public TimeSpan ResolveTimeout => (_running.Config.Global?.ResolveTimeout ?? Portal.Config.Duration.FromMinutes(5)).ToTimeSpan();

    /// <summary>
    /// Runs a configuration that loaded without errors; <paramref name="displayYaml"/> is what status pages show.
    /// Throws <see cref="ArgumentException"/> when a receiver cannot be set up (e.g. its http_config's CA does not load);
    /// the running configuration stays then.
    /// </summary>
    public void ApplyConfig(AlertmanagerConfig config, string displayYaml)
    {
        lock (_configLock)
        {
            var next = Build(config, displayYaml);
            var old = _running;
            _running = next;
            old.Dispose();
            _http.Retain(HttpConfigsOf(config));
        }
    }

    /// <summary>The http_config of every HTTP notifier of <paramref name="config"/>.</summary>
    private static IEnumerable<Portal.Config.Prometheus.HttpClientConfig?> HttpConfigsOf(AlertmanagerConfig config)
    {
        foreach (var r in config.Receivers ?? [])
            if (r is not null)
                foreach (var n in r.AllNotifiers())
                    if (n is WebhookConfig or SlackConfig) yield return n.HttpConfig;
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/>, as <see cref="ApplyConfig"/> would, when a notifier's http_config cannot be
    /// used (e.g. its CA does not load); for checking a configuration before an Alertmanager runs it.
    /// </summary>
    public static void CheckHttpConfigs(AlertmanagerConfig config)
    {
        using var clients = new NotifierHttpClients(null);
        PrepareHttpClients(clients, config);
    }

    /// <summary>Builds the client of every HTTP notifier's http_config now, so an unusable one refuses the configuration.</summary>
    private static void PrepareHttpClients(NotifierHttpClients clients, AlertmanagerConfig config)
    {
        foreach (var r in config.Receivers ?? [])
        {
            if (r is null) continue;
            foreach (var n in r.AllNotifiers())
            {
                if (n is not (WebhookConfig or SlackConfig)) continue;
                try
                {
                    clients.For(n.HttpConfig);
                }
                catch (InvalidOperationException e)
                {
                    var where = n.HttpConfig?.Position is { } p ? $" (line {p.Line}, column {p.Column})" : "";
                    throw new ArgumentException($"receiver \"{r.Name}\": {n.Key} http_config{where}: {e.Message}", e);
                }
            }
        }
    }

    private Running Build(AlertmanagerConfig config, string displayYaml)
    {
        var root = RouteNode.Build(config.Route ?? throw new ArgumentException("configuration has no route"));
        PrepareHttpClients(_http, config);
        var templater = _o.Templates?.Invoke(config);
        var env = new NotifierEnvironment(templater ?? MissingTemplater.Instance, _http.For, _o.ExternalUrl, _o.Clock);
        var receivers = new Dictionary<string, IReadOnlyList<IntegrationSlot>>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var r in config.Receivers ?? [])
        {
            if (r?.Name is null) continue;
            names.Add(r.Name);
            var slots = new List<IntegrationSlot>();
            var perKind = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var n in r.AllNotifiers())
            {
                int idx = perKind.TryGetValue(n.Key, out var c) ? c : 0;
                perKind[n.Key] = idx + 1;
                INotifier? notifier = n switch
                {
                    WebhookConfig w => new WebhookNotifier(w, env),
                    SlackConfig s => new SlackNotifier(s, env),
                    EmailConfig e => new EmailNotifier(e, env),
                    _ => null,
                };
                if (notifier is null)
                {
                    _o.Logger?.LogWarning("tenant {Tenant}: receiver {Receiver}: {Kind} is not supported; ignored", _o.TenantId, r.Name, n.Key);
                    continue;
                }
                slots.Add(new IntegrationSlot(notifier, idx));
            }
            receivers[r.Name] = slots;
        }
        var inhibitor = new Inhibitor(config.InhibitRules ?? [], Alerts, _o.Clock);
        var intervals = new TimeIntervals([.. config.TimeIntervals ?? [], .. config.MuteTimeIntervals ?? []]);
        var pipeline = new NotificationPipeline(_o.TenantId, receivers, inhibitor, Silences, intervals, NotificationLog, _o.Recorder, _o.Clock, _o.Retry);
        var dispatcher = new Dispatcher(root, _o.Clock, pipeline.ExecAsync, _o.MaxAggregationGroups);
        dispatcher.Start(Alerts);
        return new Running(config, displayYaml, root, dispatcher, inhibitor, names, receivers, templater ?? MissingTemplater.Instance);
    }

    /// <summary>
    /// Receives alerts as Alertmanager's API does: unset start = now (or the end when only that is set), unset end =
    /// now + resolve_timeout (marked as timeout). Invalid alerts are skipped and described in the result; valid ones
    /// are stored either way.
    /// </summary>
    public List<string> PutAlerts(IEnumerable<PostableAlert> alerts)
    {
        var now = _o.Clock.GetUtcNow();
        var resolveTimeout = ResolveTimeout;
        var valid = new List<Alert>();
        var errors = new List<string>();
        foreach (var p in alerts)
        {
            var a = new Alert
            {
                Labels = p.Labels,
                Annotations = p.Annotations,
                StartsAt = p.StartsAt,
                EndsAt = p.EndsAt,
                GeneratorUrl = p.GeneratorUrl,
                UpdatedAt = now,
            };
            if (a.StartsAt == default) a = a with { StartsAt = a.EndsAt == default ? now : a.EndsAt };
            if (a.EndsAt == default) a = a with { EndsAt = now + resolveTimeout, Timeout = true };
            var err = Validate(a);
            if (err is not null) errors.Add($"{Fingerprints.LabelSetString(a.Labels)}: {err}");
            else valid.Add(a);
        }
        if (valid.Count > 0) Alerts.Put(valid);
        return errors;
    }

    private static string? Validate(Alert a)
    {
        if (a.StartsAt == default) return "start time missing";
        if (a.EndsAt != default && a.EndsAt < a.StartsAt) return "start time must be before end time";
        foreach (var l in a.Labels)
            if (!LabelNames.IsValidUtf8Name(l.Name)) return $"invalid label set: invalid name \"{l.Name}\"";
        if (a.Labels.Count == 0) return "at least one label pair required";
        foreach (var l in a.Annotations)
            if (!LabelNames.IsValidUtf8Name(l.Name)) return $"invalid annotations: invalid name \"{l.Name}\"";
        return null;
    }

    /// <summary>The state of an alert now: silences and inhibitions muting it.</summary>
    public AlertStatusInfo StatusOf(Alert a)
    {
        var silenced = Silences.MutedBy(a.Labels);
        var by = _running.Inhibitor.InhibitedBy(a.Labels);
        IReadOnlyList<string> inhibited = by is { } fp ? [Fingerprints.ToHex(fp)] : [];
        return new AlertStatusInfo(silenced.Count > 0 || inhibited.Count > 0 ? "suppressed" : "active", silenced, inhibited);
    }

    /// <summary>The running configuration's notification templates (defaults plus its template files).</summary>
    public INotificationTemplater Templater => _running.Templater;

    /// <summary>
    /// Sends <paramref name="alerts"/> once through every integration of the running configuration's receiver
    /// <paramref name="receiverName"/>, bypassing routing, grouping, silences and the notification log (a test
    /// notification). Each attempt is recorded like any other, with group key <c>test</c>. Returns one result per
    /// integration, in configuration order; null when there is no such receiver.
    /// </summary>
    public async Task<IReadOnlyList<(string Integration, NotifyResult Result)>?> TestReceiverAsync(string receiverName, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        var running = _running;
        if (!running.Receivers.TryGetValue(receiverName, out var slots)) return null;
        var now = _o.Clock.GetUtcNow();
        var groupLabels = alerts.Count > 0 ? alerts[0].Labels.Keep("alertname") : Labels.Empty;
        var ctx = new NotificationContext("test", groupLabels, receiverName, "test", now, TimeSpan.FromHours(4), [], []);
        var labels = alerts.Select(a => a.Labels).ToArray();
        int firing = alerts.Count(a => !a.ResolvedAt(now));
        var results = new List<(string, NotifyResult)>(slots.Count);
        foreach (var slot in slots)
        {
            var start = _o.Clock.GetTimestamp();
            NotifyResult r;
            try
            {
                r = await slot.Notifier.NotifyAsync(ctx, alerts, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                r = NotifyResult.Failed(false, e.Message);
            }
            _o.Recorder.Record(new NotificationAttempt(_o.TenantId, receiverName, slot.Notifier.Integration, slot.Index, "test", 1, now,
                _o.Clock.GetElapsedTime(start), r.Success, r.Retry, r.Error, firing, alerts.Count - firing) { AlertLabels = labels });
            results.Add((slot.Notifier.Integration, r));
        }
        return results;
    }

    /// <summary>Drops resolved alerts, old silences and expired notification-log entries.</summary>
    public void GarbageCollect()
    {
        Alerts.GarbageCollect();
        _running.Inhibitor.GarbageCollect();
        Silences.GarbageCollect();
        NotificationLog.GarbageCollect();
    }

    public void Dispose()
    {
        _gc.Dispose();
        lock (_configLock) _running.Dispose();
        _http.Dispose();
    }

    private sealed record Running(AlertmanagerConfig Config, string DisplayYaml, RouteNode Route, Dispatcher Dispatcher, Inhibitor Inhibitor, IReadOnlyList<string> ReceiverNames,
        IReadOnlyDictionary<string, IReadOnlyList<IntegrationSlot>> Receivers, INotificationTemplater Templater) : IDisposable
    {
        public void Dispose()
        {
            Dispatcher.Dispose();
            Inhibitor.Dispose();
        }
    }

    /// <summary>Used when no template engine was provided: any template use fails the notification with a clear reason.</summary>
    private sealed class MissingTemplater : INotificationTemplater
    {
        public static readonly MissingTemplater Instance = new();
        public string Text(string template, TemplateData data) => template.Contains("{{", StringComparison.Ordinal) ? throw new NotificationTemplateException("no template engine configured") : template;
        public string Html(string template, TemplateData data) => Text(template, data);
    }
}
