using Portal.Model;

namespace Portal.Tenancy;

/// <summary>
/// The one door through which samples enter a tenant's storage (scrape, push, remote write,
/// recording rules): checks labels and the tenant's limits, counts usage, then appends to the
/// storage underneath. Thread-safe; each appender it hands out is not.
/// </summary>
public sealed class LimitedAppendable(IAppendable storage, TenantLimits limits, TokenBucket ingestion, TenantUsage usage) : IAppendable
{
    public IAppender Appender() => new LimitedAppender(storage.Appender(), limits, ingestion, usage);

    private sealed class LimitedAppender(IAppender inner, TenantLimits limits, TokenBucket ingestion, TenantUsage usage) : IAppender
    {
        private long _count;

        public SeriesRef Append(SeriesRef seriesRef, Labels labels, long t, double v)
        {
            if (seriesRef.IsNone)
            {
                if (LabelNames.Validate(labels) is { } reason)
                    Refuse(AppendError.InvalidLabels, $"invalid series {labels}: {reason}", labels);
                if (labels.Count > limits.MaxLabelNamesPerSeries)
                    Refuse(AppendError.TooManyLabels,
                        $"series {labels} has {labels.Count} label names, more than the limit of {limits.MaxLabelNamesPerSeries} (max_label_names_per_series)", labels);
            }
            try
            {
                var r = inner.Append(seriesRef, labels, t, v);
                _count++;
                return r;
            }
            catch (AppendException e)
            {
                usage.AddRejected(e.Error);
                throw;
            }
        }

        public Labels? StoredLabels(SeriesRef seriesRef) => inner.StoredLabels(seriesRef);

        public void Commit()
        {
            if (_count > 0 && !ingestion.TryTake(_count, out var retryAfter))
            {
                inner.Rollback();
                usage.AddRateLimited(_count);
                throw new RateLimitedException(
                    $"ingestion rate limit ({limits.IngestionRate} samples/s, burst {limits.IngestionBurstSize}) exceeded by a batch of {_count} samples; retry after {retryAfter.TotalSeconds:0.###}s or ask for a higher limit",
                    retryAfter);
            }
            inner.Commit();
            usage.AddAppended(_count);
        }

        public void Rollback() => inner.Rollback();

        private void Refuse(AppendError error, string message, Labels labels)
        {
            usage.AddRejected(error);
            throw new AppendException(error, message, labels);
        }
    }
}

/// <summary>A batch refused by the ingestion rate limit; nothing of it was stored. HTTP answers 429 with Retry-After.</summary>
public sealed class RateLimitedException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
