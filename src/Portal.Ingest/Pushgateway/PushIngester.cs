using Portal.Model;

namespace Portal.Ingest.Pushgateway;

/// <summary>
/// Copies a tenant's pushed groups into its storage, as a scrape of the Pushgateway with <c>honor_labels: true</c>
/// would: every pushed sample keeps its labels (job and instance included, never renamed to exported_*) and gets
/// the ingestion time as its timestamp; each group adds <c>push_time_seconds</c> and <c>push_failure_time_seconds</c>
/// with the grouping key's labels. Series ingested last time but gone now (deleted group, replaced metric) get a
/// staleness marker, as a scrape does. One call is one appender transaction; a sample storage refuses is skipped
/// and counted. Not thread-safe: one ingester per tenant, called from one timer.
/// </summary>
public sealed class PushIngester
{
    private HashSet<Labels> _last = new();

    /// <summary>What one ingestion did.</summary>
    public readonly record struct Result(int Appended, int Stale, int Refused);

    /// <summary>Appends every group's samples at <paramref name="t"/> (milliseconds) and commits.</summary>
    public Result Ingest(IReadOnlyList<PushGroup> groups, IAppendable appendable, long t)
    {
        var current = new HashSet<Labels>(_last.Count);
        var app = appendable.Appender();
        int appended = 0, refused = 0, stale = 0;
        try
        {
            foreach (var g in groups)
            {
                foreach (var f in g.Families)
                    foreach (var s in f.Samples)
                        Add(s.Labels, s.Value);
                var b = new LabelsBuilder(g.Key);
                Add(b.Set(Labels.MetricName, PushGroup.PushTimeMetric).Build(), g.PushTimeSeconds);
                Add(b.Set(Labels.MetricName, PushGroup.PushFailureTimeMetric).Build(), g.PushFailureTimeSeconds);
            }
            foreach (var l in _last)
            {
                if (current.Contains(l)) continue;
                try
                {
                    app.Append(SeriesRef.None, l, t, SampleValue.StaleNaN);
                    stale++;
                }
                catch (AppendException)
                {
                }
            }
            app.Commit();
        }
        catch
        {
            app.Rollback();
            throw;
        }
        _last = current;
        return new Result(appended, stale, refused);

        void Add(Labels labels, double v)
        {
            if (!current.Add(labels)) return;
            try
            {
                app.Append(SeriesRef.None, labels, t, v);
                appended++;
            }
            catch (AppendException)
            {
                refused++;
            }
        }
    }
}
