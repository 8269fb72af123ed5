using Portal.Config.Prometheus;
using Portal.Model;

namespace Portal.Ingest.Relabeling;

/// <summary>
/// Relabeling for the ingestion side (target relabeling, metric relabeling). The execution itself lives with the
/// configuration model in <see cref="Portal.Config.Relabeling.Relabeler"/> so that every user (scrape, alerting,
/// remote write) shares one implementation; this is the entry point the scrape code uses. Thread-safe.
/// </summary>
public static class Relabeler
{
    /// <summary>Applies <paramref name="configs"/> in order. Returns the new label set, or null when a step drops it.</summary>
    public static Labels? Process(Labels labels, IReadOnlyList<RelabelConfig>? configs) =>
        configs is null || configs.Count == 0 ? labels : Portal.Config.Relabeling.Relabeler.Process(labels, configs);
}
