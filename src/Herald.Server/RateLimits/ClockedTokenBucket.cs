using System.Threading.RateLimiting;

namespace Herald.Server.RateLimits;

/// <summary>
/// A token bucket that reads the time from <see cref="TimeProvider"/>: it holds up to <c>burst</c> permits and regains
/// <c>permitsPerSecond</c>, computed when asked (no timer, no queue: a request either gets a permit now or is refused
/// with the time until one is back). The framework's <see cref="TokenBucketRateLimiter"/> replenishes on its own timer
/// and the machine's clock, so budgets could not be tested on a fake clock; everything around it — partitions, the
/// rate-limiting middleware, leases and their Retry-After metadata — is the framework's.
/// </summary>
internal sealed class ClockedTokenBucket : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly double _permitsPerSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _permits;
    private long _updatedAt;
    private long _lastAcquiredAt;

    public ClockedTokenBucket(double permitsPerSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _permitsPerSecond = permitsPerSecond;
        _burst = burst;
        _time = time;
        _permits = burst;
        _updatedAt = _lastAcquiredAt = time.GetTimestamp();
    }

    /// <summary>
    /// How long a full bucket has not been used; null while it is refilling. The partitioned limiter drops a partition
    /// idle for 10 s, which loses nothing here: a bucket made anew starts full, as this one is.
    /// </summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                Refill();
                return _permits >= _burst ? _time.GetElapsedTime(_lastAcquiredAt) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)_permits };
        }
    }

    /// <summary>Takes <paramref name="permitCount"/> permits; 0 only asks whether at least one is left, taking none.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (permitCount > _burst)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"At most {_burst} permits can be asked for at once.");
        }

        lock (_lock)
        {
            Refill();
            var needed = Math.Max(permitCount, 1);
            if (_permits >= needed)
            {
                _permits -= permitCount;
                if (permitCount > 0)
                {
                    _lastAcquiredAt = _time.GetTimestamp();
                }

                return Granted;
            }

            return new Lease(false, TimeSpan.FromSeconds((needed - _permits) / _permitsPerSecond));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_updatedAt, now);
        if (elapsed > TimeSpan.Zero)
        {
            _permits = Math.Min(_burst, _permits + (elapsed.TotalSeconds * _permitsPerSecond));
            _updatedAt = now;
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
