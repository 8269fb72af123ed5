using Microsoft.Extensions.Logging;
using Portal.Alerting;
using Portal.Alerting.Templates;
using Portal.Config.Alertmanager;
using Portal.Rules;
using AlertmanagerInstance = Portal.Alerting.Alertmanager;

namespace Portal.Tenancy;

/// <summary>
/// Owns a tenant's Alertmanager, created on first use with its state (silences, notification log) under
/// <c>&lt;tenant&gt;/alertmanager/</c>. Receives the tenant's rule alerts (it is the rule manager's
/// <see cref="IAlertSink"/>) and runs the tenant's alertmanager.yml once applied. In hosted mode (an outbound
/// connect rule is given) Slack and webhook deliveries go through that rule and template files are not read
/// from the server. Thread-safe; disposed with the engine.
/// </summary>
public sealed class TenantAlerting : IAlertSink, IDisposable
{
    private readonly string _tenantId;
    private readonly string _directory;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;
    private readonly Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? _outboundConnect;
    private readonly object _lock = new();
    private AlertmanagerInstance? _am;
    private (AlertmanagerConfig Config, string Display)? _pending;
    private bool _disposed;

    internal TenantAlerting(string tenantId, string engineDirectory, TimeProvider clock, ILoggerFactory? loggers,
        Func<System.Net.Http.SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? outboundConnect)
    {
        _tenantId = tenantId;
        _directory = Path.Combine(engineDirectory, "alertmanager");
        _clock = clock;
        _logger = loggers?.CreateLogger($"Portal.Alerting[{tenantId}]");
        _outboundConnect = outboundConnect;
    }

    /// <summary>The URL notifications link back to (templates' <c>.ExternalURL</c>); set before first use.</summary>
    public string ExternalUrl { get; set; } = "";

    /// <summary>The most recent delivery attempts (bounded), for display until alert history stores them.</summary>
    public MemoryNotificationRecorder RecentAttempts { get; } = new(500);

    /// <summary>Receives every delivery attempt in addition to <see cref="RecentAttempts"/>; set before first use.</summary>
    public INotificationRecorder? Recorder { get; set; }

    /// <summary>True once the Alertmanager runs (it starts on first use).</summary>
    public bool IsStarted
    {
        get { lock (_lock) return _am is not null; }
    }

    /// <summary>The tenant's Alertmanager, started on first use with the last applied configuration.</summary>
    public AlertmanagerInstance Alertmanager
    {
        get
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_am is not null) return _am;
                bool hosted = _outboundConnect is not null;
                var am = new AlertmanagerInstance(new AlertmanagerOptions
                {
                    TenantId = _tenantId,
                    Directory = _directory,
                    Clock = _clock,
                    ExternalUrl = ExternalUrl,
                    OutboundConnect = _outboundConnect,
                    Recorder = new FanOutRecorder(RecentAttempts, Recorder),
                    Templates = cfg => NotificationTemplates.For(cfg, _clock, baseDirectory: null, allowFiles: !hosted),
                    Logger = _logger,
                });
                if (_pending is { } p) am.ApplyConfig(p.Config, p.Display);
                _am = am;
                return am;
            }
        }
    }

    /// <summary>
    /// Runs a configuration that loaded without errors (<paramref name="displayYaml"/>: the text shown back, secrets
    /// masked). Before first use it is kept and applied at start. Throws
    /// <see cref="Portal.Alerting.Receivers.NotificationTemplateException"/> when a template file does not parse and
    /// <see cref="ArgumentException"/> when a receiver's http_config cannot be used.
    /// </summary>
    public void Apply(AlertmanagerConfig config, string displayYaml)
    {
        // Template files are parsed now so that a broken one refuses the configuration instead of failing later.
        _ = NotificationTemplates.For(config, _clock, baseDirectory: null, allowFiles: _outboundConnect is null);
        AlertmanagerInstance.CheckHttpConfigs(config);
        lock (_lock)
        {
            _pending = (config, displayYaml);
            _am?.ApplyConfig(config, displayYaml);
        }
    }

    /// <summary>Rule alerts enter the tenant's Alertmanager as alerts posted to its API do.</summary>
    public void Send(string tenantId, IReadOnlyList<NotifierAlert> alerts)
    {
        if (alerts.Count == 0) return;
        var list = new List<PostableAlert>(alerts.Count);
        foreach (var a in alerts) list.Add(new PostableAlert(a.Labels, a.Annotations, a.StartsAt, a.EndsAt, a.GeneratorUrl));
        AlertmanagerInstance am;
        try
        {
            am = Alertmanager;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        var errors = am.PutAlerts(list);
        foreach (var e in errors) _logger?.LogWarning("rule alert refused: {Error}", e);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _am?.Dispose();
            _am = null;
        }
    }

    private sealed class FanOutRecorder(INotificationRecorder first, INotificationRecorder? second) : INotificationRecorder
    {
        public void Record(NotificationAttempt attempt)
        {
            first.Record(attempt);
            second?.Record(attempt);
        }
    }
}
