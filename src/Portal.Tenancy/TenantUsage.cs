using Portal.Model;

namespace Portal.Tenancy;

/// <summary>A tenant's ingestion counters since its engine opened. Thread-safe.</summary>
public sealed class TenantUsage
{
    private long _samplesAppended;
    private long _samplesRateLimited;
    private readonly long[] _rejected = new long[Enum.GetValues<AppendError>().Length];

    public long SamplesAppended => Interlocked.Read(ref _samplesAppended);
    public long SamplesRateLimited => Interlocked.Read(ref _samplesRateLimited);

    /// <summary>Refused samples by reason.</summary>
    public IReadOnlyDictionary<AppendError, long> Rejected
    {
        get
        {
            var d = new Dictionary<AppendError, long>();
            foreach (var e in Enum.GetValues<AppendError>())
            {
                long n = Interlocked.Read(ref _rejected[(int)e]);
                if (n > 0) d[e] = n;
            }
            return d;
        }
    }

    internal void AddAppended(long n) => Interlocked.Add(ref _samplesAppended, n);
    internal void AddRateLimited(long n) => Interlocked.Add(ref _samplesRateLimited, n);
    internal void AddRejected(AppendError e) => Interlocked.Increment(ref _rejected[(int)e]);
}
