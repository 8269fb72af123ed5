using Microsoft.Extensions.Options;
using Portal.Config;
using Portal.Config.Alertmanager;
using Portal.Config.Prometheus;
using Portal.Config.Rules;
using Portal.Data;
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
public sealed class TenantConfigService(ConfigRevisionStore revisions, TenantEngineRegistry engines, IOptionsMonitor<PortalOptions> options)
{
    public const string PrometheusDocument = "prometheus.yml";
    public const string AlertmanagerDocument = "alertmanager.yml";

    /// <summary>Every problem of <paramref name="yaml"/> as a document of <paramref name="kind"/>; empty when it may run.</summary>
    public IReadOnlyList<ConfigError> Validate(ConfigKind kind, string name, string yaml)
    {
        var hosted = options.CurrentValue.Mode == PortalMode.Hosted;
        switch (kind)
        {
            case ConfigKind.Prometheus:
                var p = PrometheusConfigLoader.Load(yaml, name);
                if (!p.Success) return p.Errors;
                return hosted ? HostedModeValidator.Validate(p.Config!) : [];
            case ConfigKind.Alertmanager:
                var a = AlertmanagerConfigLoader.Load(yaml, name);
                if (!a.Success) return a.Errors;
                return hosted ? HostedModeValidator.Validate(a.Config!) : [];
            case ConfigKind.Rules:
                return RuleFileLoader.Load(yaml, name).Errors;
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
        var errors = Validate(kind, name, yaml);
        var revision = await revisions.AddAsync(tenantId, kind, name, yaml, author, errors.Select(e => e.ToString()).ToList(), ct);
        if (errors.Count == 0) Activate(tenantId, kind, yaml);
        return new(revision, errors, Unchanged: false);
    }

    /// <summary>Loads the tenant's running documents into a freshly opened engine.</summary>
    public void LoadInto(TenantEngine engine)
    {
        var prometheus = revisions.CurrentAsync(engine.TenantId, ConfigKind.Prometheus, PrometheusDocument).GetAwaiter().GetResult();
        if (prometheus is not null) ActivatePrometheus(engine, prometheus.Yaml);
    }

    private void Activate(string tenantId, ConfigKind kind, string yaml)
    {
        if (kind == ConfigKind.Prometheus && engines.OpenTenants.Contains(tenantId))
            ActivatePrometheus(engines.Get(tenantId), yaml);
    }

    private static void ActivatePrometheus(TenantEngine engine, string yaml)
    {
        var loaded = PrometheusConfigLoader.Load(yaml, PrometheusDocument);
        if (loaded.Success) engine.SetDisplayConfig(ConfigSerializer.ToYaml(loaded.Config!, maskSecrets: true));
    }
}
