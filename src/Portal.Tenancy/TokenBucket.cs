namespace Portal.Tenancy;

/// <summary>
/// A token bucket: refills at <c>rate</c> tokens per second up to <c>burst</c>. Thread-safe.
/// Used for the ingestion rate limit, where one token is one sample.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _clock;
    private double _tokens;
    private long _last;

    public TokenBucket(double rate, double burst, TimeProvider clock)
    {
        _rate = rate;
        _burst = burst;
        _clock = clock;
        _tokens = burst;
        _last = clock.GetTimestamp();
    }

    /// <summary>Takes <paramref name="n"/> tokens if available; otherwise takes none and says how long until they would be.</summary>
    public bool TryTake(double n, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + _clock.GetElapsedTime(_last, now).TotalSeconds * _rate);
            _last = now;
            if (n <= _tokens)
            {
                _tokens -= n;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = _rate <= 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds((Math.Min(n, _burst) - _tokens) / _rate);
            return false;
        }
    }
}
