using Microsoft.Extensions.Options;
using Portal.Config;
using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;
using Portal.Data;
using Portal.Ingest.Scrape;
using Portal.Tenancy;

namespace Portal.Web.Hosting;

/// <summary>The outcome of applying a configuration document: the revision recorded and, when refused, why.</summary>
public sealed record ConfigApplyResult(ConfigRevision? Revision, IReadOnlyList<ConfigError> Errors, bool Unchanged)
{
    public bool Applied => Errors.Count == 0;
}

/// <summary>
/// The one way a tenant's configuration documents change (UI, API, provisioning): validate strictly
/// (and by hosted-mode rules in Hosted mode), record a revision either way, and hand a valid one to
/// the tenant's running engine. An invalid document never replaces the running one. Thread-safe.
/// </summary>
public sealed class TenantConfigService(
    ConfigRevisionStore revisions, TenantEngineRegistry engines, IOptionsMonitor<PortalOptions> options, TenantLimitsProvider limits, ILogger<TenantConfigService> log,
    TeamReceiverService teamReceivers)
{
    public const string PrometheusDocument = "prometheus.yml";
    public const string AlertmanagerDocument = "alertmanager.yml";

    /// <summary>
    /// Every problem of <paramref name="yaml"/> as a document of <paramref name="kind"/> for tenant
    /// <paramref name="tenantId"/> (its limits apply); empty when it may run.
    /// </summary>
    public IReadOnlyList<ConfigError> Validate(string tenantId, ConfigKind kind, string name, string yaml) =>
        Check(tenantId, kind, name, yaml).Errors;

    /// <summary>Every problem of <paramref name="yaml"/> as a document of <paramref name="kind"/>, without a tenant's limits (those are checked on apply).</summary>
    public IReadOnlyList<ConfigError> Validate(ConfigKind kind, string name, string yaml) => Check(null, kind, name, yaml).Errors;

    /// <summary>
    /// Parses <paramref name="yaml"/> once and checks it (Hosted-mode rules; the tenant's limits when
    /// <paramref name="tenantId"/> is given). A valid prometheus.yml comes back parsed, for applying.
    /// </summary>
    private (IReadOnlyList<ConfigError> Errors, PrometheusConfig? Prometheus) Check(string? tenantId, ConfigKind kind, string name, string yaml)
    {
        var hosted = options.CurrentValue.Mode == PortalMode.Hosted;
        switch (kind)
        {
            case ConfigKind.Prometheus:
                var p = PrometheusConfigLoader.Load(yaml, name);
                if (!p.Success) return (p.Errors, null);
                var errors = hosted ? HostedModeValidator.Validate(p.Config!) : [];
                if (errors.Count == 0 && tenantId is not null) errors = CheckLimits(p.Config!, name, limits.For(tenantId)).ToList();
                return (errors, errors.Count == 0 ? p.Config : null);
            case ConfigKind.Alertmanager:
                var a = AlertmanagerConfigLoader.Load(yaml, name);
                if (!a.Success) return (a.Errors, null);
                return (hosted ? HostedModeValidator.Validate(a.Config!) : [], null);
            case ConfigKind.Rules:
                return (RuleFileLoader.Load(yaml, name).Errors, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>
    /// Validates and records a new revision of a document. Identical to the running revision: nothing is
    /// recorded (<see cref="ConfigApplyResult.Unchanged"/>). Invalid: recorded as invalid, not applied.
    /// </summary>
    public async Task<ConfigApplyResult> ApplyAsync(string tenantId, ConfigKind kind, string name, string yaml, string author, CancellationToken ct = default)
    {
        var current = await revisions.CurrentAsync(tenantId, kind, name, ct);
        if (current is not null && current.Yaml == yaml) return new(current, [], Unchanged: true);
        var (errors, prometheus) = Check(tenantId, kind, name, yaml);
        if (prometheus is not null) errors = StartScraping(engines.Get(tenantId), prometheus);
        if (errors.Count == 0 && kind == ConfigKind.Rules) errors = ApplyRules(engines.Get(tenantId), name, yaml);
        if (errors.Count == 0 && kind == ConfigKind.Alertmanager)
            errors = ApplyAlertmanager(engines.Get(tenantId), yaml, await TeamRoutingOf(tenantId, ct));
        var revision = await revisions.AddAsync(tenantId, kind, name, yaml, author, errors.Select(e => e.ToString()).ToList(), ct);
        return new(revision, errors, Unchanged: false);
    }

    /// <summary>
    /// A stored document's text as someone who may not see its secrets (a viewer) is shown it: every field the
    /// configuration model marks secret written as <c>&lt;secret&gt;</c>, comments and layout kept (<see cref="SecretText"/>).
    /// </summary>
    public static MaskedText Masked(ConfigKind kind, string yaml) => kind switch
    {
        ConfigKind.Prometheus => SecretText.Mask<PrometheusConfig>(yaml),
        ConfigKind.Alertmanager => SecretText.Mask<AlertmanagerConfig>(yaml),
        ConfigKind.Rules => SecretText.Mask<RuleFile>(yaml),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The tenant limits a Prometheus configuration must respect: the shortest scrape interval and the number of static targets.</summary>
    private static IEnumerable<ConfigError> CheckLimits(PrometheusConfig config, string name, TenantLimits limits)
    {
        var min = limits.MinScrapeInterval;
        if (config.Global is { } g && g.ScrapeInterval.ToTimeSpan() < min && g.IsSet("scrape_interval"))
            yield return At(name, g.PositionOf("scrape_interval") ?? g.Position,
                $"scrape_interval {g.ScrapeInterval} is shorter than this tenant's minimum of {PromDurationText(min)}; use {PromDurationText(min)} or more");
        int targets = 0;
        foreach (var sc in config.ScrapeConfigs ?? [])
        {
            if (sc.ScrapeInterval.ToTimeSpan() < min)
                yield return At(name, sc.PositionOf("scrape_interval") ?? sc.Position,
                    $"job \"{sc.JobName}\": scrape_interval {sc.ScrapeInterval} is shorter than this tenant's minimum of {PromDurationText(min)}; use {PromDurationText(min)} or more");
            foreach (var st in sc.ServiceDiscovery.Static ?? []) targets += st?.Targets?.Count ?? 0;
        }
        if (targets > limits.MaxScrapeTargets)
            yield return new ConfigError(name, 1, 1, $"{targets} static targets exceed this tenant's limit of {limits.MaxScrapeTargets} scrape targets; remove some or ask for a higher limit");
    }

    private static ConfigError At(string name, SourcePosition? p, string message) => new(name, p?.Line ?? 1, p?.Column ?? 1, message);

    private static string PromDurationText(TimeSpan t) => Portal.Model.PromDuration.Format(t);

    /// <summary>Loads the tenant's running documents into a freshly opened engine.</summary>
    public void LoadInto(TenantEngine engine)
    {
        LoadRules(engine, log);
        var alertmanager = revisions.CurrentAsync(engine.TenantId, ConfigKind.Alertmanager, AlertmanagerDocument).GetAwaiter().GetResult();
        var teams = TeamRoutingOf(engine.TenantId, CancellationToken.None).GetAwaiter().GetResult();
        if (alertmanager is not null || teams.Count > 0)
            foreach (var e in ApplyAlertmanager(engine, alertmanager?.Yaml, teams))
                log.LogError("Tenant {Tenant}: the stored Alertmanager configuration cannot run: {Error}", engine.TenantId, e);
        var prometheus = revisions.CurrentAsync(engine.TenantId, ConfigKind.Prometheus, PrometheusDocument).GetAwaiter().GetResult();
        if (prometheus is null) return;
        var loaded = PrometheusConfigLoader.Load(prometheus.Yaml, PrometheusDocument);
        var errors = loaded.Success ? StartScraping(engine, loaded.Config!) : loaded.Errors;
        foreach (var e in errors)
            log.LogError("Tenant {Tenant}: the stored configuration cannot run: {Error}", engine.TenantId, e);
    }

    /// <summary>Hands a validated configuration to the engine's scrape manager; its refusal (e.g. unusable TLS files) comes back as errors and the old configuration keeps running.</summary>
    private static IReadOnlyList<ConfigError> StartScraping(TenantEngine engine, PrometheusConfig config)
    {
        try
        {
            engine.Scrape.ApplyConfig(config);
            engine.Push.ApplyConfig(config, engine.OutboundConnect);
        }
        catch (ScrapeConfigRejectedException e)
        {
            return e.Errors.Select(m => new ConfigError(PrometheusDocument, 1, 1, m)).ToList();
        }
        engine.SetDisplayConfig(ConfigSerializer.ToYaml(config, maskSecrets: true));
        TenantRules.ApplyGlobals(engine, config);
        return [];
    }

    /// <summary>Hands a valid rule file, with the tenant's other rule files, to its rule manager; a refusal (e.g. too many groups) comes back as errors.</summary>
    private static IReadOnlyList<ConfigError> ApplyRules(TenantEngine engine, string name, string yaml) =>
        TenantRules.ApplyFile(engine, name, yaml).Select(e => new ConfigError(e.File.Length > 0 ? e.File : name, Math.Max(e.Line, 1), Math.Max(e.Column, 1), e.Message)).ToList();

    /// <summary>The routing of the tenant's teams that have receivers, for <see cref="TeamRoutingTree"/>.</summary>
    public async Task<IReadOnlyList<TeamRouting>> TeamRoutingOf(string tenantId, CancellationToken ct) =>
        Portal.Web.Alerting.TeamRoutingMapper.ToRouting(await teamReceivers.ListAsync(tenantId, ct));

    /// <summary>
    /// The tenant's effective Alertmanager configuration: its running hand-written alertmanager.yml (if any) with the
    /// routing tree generated from <paramref name="teams"/> (the tenant's current teams when null) merged in.
    /// </summary>
    public async Task<TeamRoutingResult> EffectiveAlertmanagerAsync(string tenantId, IReadOnlyList<TeamRouting>? teams = null, CancellationToken ct = default)
    {
        var current = await revisions.CurrentAsync(tenantId, ConfigKind.Alertmanager, AlertmanagerDocument, ct);
        return TeamRoutingTree.Generate(current?.Yaml, teams ?? await TeamRoutingOf(tenantId, ct));
    }

    /// <summary>Runs the tenant's effective Alertmanager configuration again (after a team, receiver or route changed); the errors when it cannot run.</summary>
    public async Task<IReadOnlyList<ConfigError>> ReapplyAlertmanagerAsync(string tenantId, CancellationToken ct = default)
    {
        var current = await revisions.CurrentAsync(tenantId, ConfigKind.Alertmanager, AlertmanagerDocument, ct);
        return ApplyAlertmanager(engines.Get(tenantId), current?.Yaml, await TeamRoutingOf(tenantId, ct));
    }

    /// <summary>Hands a valid alertmanager.yml, merged with the teams' routing tree, to the tenant's Alertmanager (shown back with secrets masked).</summary>
    private static IReadOnlyList<ConfigError> ApplyAlertmanager(TenantEngine engine, string? yaml, IReadOnlyList<TeamRouting> teams)
    {
        var loaded = TeamRoutingTree.Generate(yaml, teams);
        if (!loaded.Success) return loaded.Errors;
        try
        {
            engine.Alerting.Apply(loaded.Config!, ConfigSerializer.ToYaml(loaded.Config!, maskSecrets: true));
        }
        catch (Exception e) when (e is ArgumentException or Portal.Alerting.Receivers.NotificationTemplateException)
        {
            return [new ConfigError(AlertmanagerDocument, 1, 1, e.Message)];
        }
        return [];
    }

    /// <summary>Starts a freshly opened engine's rule manager with the tenant's running rule files.</summary>
    private static void LoadRules(TenantEngine engine, ILogger? log)
    {
        foreach (var e in TenantRules.LoadStored(engine))
            log?.LogError("Tenant {Tenant}: the stored rules cannot run: {Error}", engine.TenantId, e);
    }
}
