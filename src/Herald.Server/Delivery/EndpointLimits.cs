using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Herald.Server.Endpoints;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Per-endpoint limits of this process: at most <see cref="DeliveryOptions.MaxConcurrentPerEndpoint"/> attempts
/// in flight (one slow receiver cannot take every sending slot), and at most <c>throttleRate</c> attempts per
/// second when the endpoint sets one.
/// </summary>
internal sealed class EndpointLimits(IOptions<DeliveryOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new();

    /// <summary>
    /// A permit to send to the endpoint now, or null when none came within <paramref name="maxWait"/> — or at once
    /// when this endpoint already has a queue of waiters: its backlog then waits in storage, not in memory.
    /// </summary>
    public async Task<IDisposable?> AcquireAsync(HeraldEndpoint endpoint, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var lane = _lanes.GetOrAdd(endpoint.Id, _ => new Lane(options.Value.MaxConcurrentPerEndpoint));
        var limiter = lane.LimiterFor(endpoint.ThrottleRate);
        if (Interlocked.Increment(ref lane.Waiting) > options.Value.MaxConcurrentPerEndpoint * 4)
        {
            Interlocked.Decrement(ref lane.Waiting);
            return null;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(maxWait);
        try
        {
            await lane.Concurrency.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            Interlocked.Decrement(ref lane.Waiting);
        }

        if (limiter is not null)
        {
            RateLimitLease permit;
            try
            {
                permit = await limiter.AcquireAsync(1, wait.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Timed out, or the endpoint's throttleRate changed under us: try again later.
                lane.Concurrency.Release();
                return null;
            }

            if (!permit.IsAcquired)
            {
                permit.Dispose();
                lane.Concurrency.Release();
                return null;
            }

            permit.Dispose();
        }

        return new Permit(lane.Concurrency);
    }

    public void Dispose()
    {
        foreach (var lane in _lanes.Values)
        {
            lane.Dispose();
        }
    }

    private sealed class Lane(int concurrency) : IDisposable
    {
        private readonly Lock _lock = new();
        private int? _rate;

        /// <summary>Deliveries waiting for a concurrency permit of this endpoint.</summary>
        public int Waiting;
        private TokenBucketRateLimiter? _limiter;

        public SemaphoreSlim Concurrency { get; } = new(concurrency, concurrency);

        /// <summary>The token bucket for this rate; a changed throttleRate replaces it.</summary>
        public TokenBucketRateLimiter? LimiterFor(int? rate)
        {
            lock (_lock)
            {
                if (rate != _rate)
                {
                    _limiter?.Dispose();
                    _rate = rate;
                    _limiter = rate is { } r ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = r,
                        TokensPerPeriod = r,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = int.MaxValue,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                        AutoReplenishment = true,
                    }) : null;
                }

                return _limiter;
            }
        }

        public void Dispose()
        {
            _limiter?.Dispose();
            Concurrency.Dispose();
        }
    }

    private sealed class Permit(SemaphoreSlim concurrency) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                concurrency.Release();
            }
        }
    }
}
