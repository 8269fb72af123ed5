using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Tenancy;

namespace Portal.Web.Hosting;

/// <summary>
/// A tenant's limits: the <c>Limits</c> settings section (defaults for every tenant) with the
/// tenant's own overrides (<see cref="Tenant.LimitsJson"/>, same keys) on top. Thread-safe.
/// </summary>
public sealed class TenantLimitsProvider(IConfiguration configuration, IDbContextFactory<PortalDbContext> contexts)
{
    public const string Section = "Limits";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    public TenantLimits Defaults => configuration.GetSection(Section).Get<TenantLimits>() ?? new TenantLimits();

    /// <summary>Reads the tenant's overrides from the database (called when its engine opens).</summary>
    public TenantLimits For(string tenantId)
    {
        using var db = contexts.CreateDbContext();
        var json = db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.LimitsJson).SingleOrDefault();
        return Merge(Defaults, json);
    }

    /// <summary>Applies the non-null values of an overrides document to <paramref name="defaults"/>.</summary>
    public static TenantLimits Merge(TenantLimits defaults, string? overridesJson)
    {
        if (string.IsNullOrWhiteSpace(overridesJson)) return defaults;
        var o = JsonSerializer.Deserialize<Overrides>(overridesJson, Json) ?? new Overrides();
        return defaults with
        {
            IngestionRate = o.IngestionRate ?? defaults.IngestionRate,
            IngestionBurstSize = o.IngestionBurstSize ?? defaults.IngestionBurstSize,
            MaxGlobalSeriesPerUser = o.MaxGlobalSeriesPerUser ?? defaults.MaxGlobalSeriesPerUser,
            MaxLabelNamesPerSeries = o.MaxLabelNamesPerSeries ?? defaults.MaxLabelNamesPerSeries,
            MaxScrapeTargets = o.MaxScrapeTargets ?? defaults.MaxScrapeTargets,
            MinScrapeInterval = o.MinScrapeInterval ?? defaults.MinScrapeInterval,
            MaxSamplesPerQuery = o.MaxSamplesPerQuery ?? defaults.MaxSamplesPerQuery,
            QueryTimeout = o.QueryTimeout ?? defaults.QueryTimeout,
            MaxRuleGroups = o.MaxRuleGroups ?? defaults.MaxRuleGroups,
            Retention = o.Retention ?? defaults.Retention,
            MaxRequestBodyBytes = o.MaxRequestBodyBytes ?? defaults.MaxRequestBodyBytes,
        };
    }

    private sealed record Overrides
    {
        public double? IngestionRate { get; init; }
        public int? IngestionBurstSize { get; init; }
        public int? MaxGlobalSeriesPerUser { get; init; }
        public int? MaxLabelNamesPerSeries { get; init; }
        public int? MaxScrapeTargets { get; init; }
        public TimeSpan? MinScrapeInterval { get; init; }
        public int? MaxSamplesPerQuery { get; init; }
        public TimeSpan? QueryTimeout { get; init; }
        public int? MaxRuleGroups { get; init; }
        public TimeSpan? Retention { get; init; }
        public long? MaxRequestBodyBytes { get; init; }
    }
}
