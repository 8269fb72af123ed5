using Portal.Config;
using Portal.Config.Prometheus;
using Portal.Data;

namespace Portal.Web.Hosting;

/// <summary>
/// The outcome of a form change to a scrape job: field errors (nothing was recorded), or the apply result of the new
/// prometheus.yml revision (which may still carry whole-file errors, e.g. a tenant limit, and then changed nothing).
/// </summary>
public sealed record ScrapeJobChange(IReadOnlyDictionary<string, string> FieldErrors, ConfigApplyResult? Result)
{
    public bool Applied => FieldErrors.Count == 0 && Result is { Applied: true };

    /// <summary>Every problem as one line each, for a message.</summary>
    public IEnumerable<string> Problems => FieldErrors.Values.Concat(Result?.Errors.Select(e => e.ToString()) ?? []);
}

/// <summary>A job of the running prometheus.yml and, when the form can edit it, its form values.</summary>
public sealed record ScrapeJobEntry(string JobName, SimpleScrapeJob? Form);

/// <summary>
/// Adds, edits and removes a tenant's scrape jobs from a form by editing the text of its running prometheus.yml
/// (<see cref="ScrapeJobEditor"/>) and applying the result as a new revision through <see cref="TenantConfigService"/>,
/// so every change is validated, recorded with its author and can be rolled back. Callers check the user's role.
/// Thread-safe.
/// </summary>
public sealed class ScrapeJobService(ConfigRevisionStore revisions, TenantConfigService configs)
{
    private const string Document = TenantConfigService.PrometheusDocument;

    /// <summary>The jobs of the running configuration, in file order.</summary>
    public async Task<IReadOnlyList<ScrapeJobEntry>> JobsAsync(string tenantId, CancellationToken ct = default)
    {
        var yaml = await RunningAsync(tenantId, ct);
        if (yaml.Length == 0) return [];
        var loaded = PrometheusConfigLoader.Load(yaml, Document);
        var byName = (loaded.Config?.ScrapeConfigs ?? []).ToDictionary(s => s.JobName ?? "", StringComparer.Ordinal);
        var list = new List<ScrapeJobEntry>();
        foreach (var span in ScrapeJobEditor.FindJobs(yaml))
        {
            SimpleScrapeJob? form = span.FormEditable && byName.TryGetValue(span.JobName, out var sc) ? ScrapeJobEditor.Read(sc) : null;
            list.Add(new ScrapeJobEntry(span.JobName, form));
        }
        return list;
    }

    /// <summary>Adds a job. <paramref name="job"/> is normalised in place (see <see cref="SimpleScrapeJobValidator"/>).</summary>
    public Task<ScrapeJobChange> AddAsync(string tenantId, SimpleScrapeJob job, string author, CancellationToken ct = default) =>
        ChangeAsync(tenantId, job, null, author, ct);

    /// <summary>Replaces the job named <paramref name="jobName"/> (the new one may carry another name).</summary>
    public Task<ScrapeJobChange> ReplaceAsync(string tenantId, string jobName, SimpleScrapeJob job, string author, CancellationToken ct = default) =>
        ChangeAsync(tenantId, job, jobName, author, ct);

    /// <summary>Removes the job named <paramref name="jobName"/>.</summary>
    public async Task<ScrapeJobChange> RemoveAsync(string tenantId, string jobName, string author, CancellationToken ct = default)
    {
        var yaml = await RunningAsync(tenantId, ct);
        if (!ScrapeJobEditor.FindJobs(yaml).Any(j => j.JobName == jobName))
            return new(new Dictionary<string, string> { ["job"] = $"There is no job named \"{jobName}\" any more; reload the page." }, null);
        var result = await configs.ApplyAsync(tenantId, ConfigKind.Prometheus, Document, ScrapeJobEditor.RemoveJob(yaml, jobName), author, ct);
        return new(new Dictionary<string, string>(), result);
    }

    private async Task<ScrapeJobChange> ChangeAsync(string tenantId, SimpleScrapeJob job, string? replacing, string author, CancellationToken ct)
    {
        var yaml = await RunningAsync(tenantId, ct);
        IReadOnlyList<ScrapeJobSpan> jobs;
        try
        {
            jobs = ScrapeJobEditor.FindJobs(yaml);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return new(new Dictionary<string, string> { ["config"] = $"The running prometheus.yml cannot be edited by the form ({e.Message}); edit it on the Configuration page." }, null);
        }
        if (replacing is not null && !jobs.Any(j => j.JobName == replacing))
            return new(new Dictionary<string, string> { ["job"] = $"There is no job named \"{replacing}\" any more; reload the page." }, null);
        var others = jobs.Select(j => j.JobName).Where(n => n != replacing);
        var errors = SimpleScrapeJobValidator.Normalize(job, others);
        if (errors.Count > 0) return new(errors, null);
        var updated = replacing is null ? ScrapeJobEditor.AddJob(yaml, job) : ScrapeJobEditor.ReplaceJob(yaml, replacing, job);
        var result = await configs.ApplyAsync(tenantId, ConfigKind.Prometheus, Document, updated, author, ct);
        return new(errors, result);
    }

    private async Task<string> RunningAsync(string tenantId, CancellationToken ct) =>
        (await revisions.CurrentAsync(tenantId, ConfigKind.Prometheus, Document, ct))?.Yaml ?? "";
}
