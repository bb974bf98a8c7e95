using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Herald.Server.Endpoints;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Per-endpoint limits: at most <see cref="DeliveryOptions.MaxConcurrentPerEndpoint"/> attempts in flight (one slow
/// receiver cannot take every sending slot), and at most <c>throttleRate</c> attempts per second when the endpoint
/// sets one. On one node both live in memory. When several nodes share the storage, the concurrency cap is divided
/// among the live nodes (rounded up) and every send also takes one from the endpoint's per-second budget in the
/// database, so the rate holds for the cluster as a whole.
/// </summary>
internal sealed class EndpointLimits(IOptions<DeliveryOptions> options, IHeraldStore store, ClusterMembership cluster, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new();

    /// <summary>
    /// A permit to send to the endpoint now, or null when none came within <paramref name="maxWait"/> — or at once
    /// when this endpoint already has a queue of waiters: its backlog then waits in storage, not in memory.
    /// </summary>
    public async Task<IDisposable?> AcquireAsync(HeraldEndpoint endpoint, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var lane = LaneFor(endpoint.Id);
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

        if (store.IsShared && endpoint.ThrottleRate is { } rate && !await TakeSharedBudgetAsync(endpoint.Id, rate, wait.Token, cancellationToken))
        {
            lane.Concurrency.Release();
            return null;
        }

        return new Permit(lane.Concurrency);
    }

    /// <summary>This node's lane of the endpoint; a new one when the node's share of the concurrency cap changed.</summary>
    private Lane LaneFor(string endpointId)
    {
        var cap = Math.Max(1, (int)Math.Ceiling(options.Value.MaxConcurrentPerEndpoint / (double)cluster.LiveNodes));
        var lane = _lanes.GetOrAdd(endpointId, _ => new Lane(cap));
        if (lane.Cap != cap)
        {
            // Permits of the old lane are given back to it; the new lane holds the new share from now on.
            var replacement = new Lane(cap);
            lane = _lanes.TryUpdate(endpointId, replacement, lane) ? replacement : _lanes[endpointId];
        }

        return lane;
    }

    /// <summary>One send from the cluster-wide budget of this second, waiting for the next second while it is spent.</summary>
    private async Task<bool> TakeSharedBudgetAsync(string endpointId, int perSecond, CancellationToken wait, CancellationToken stopping)
    {
        try
        {
            while (!await store.TryTakeSendBudgetAsync(endpointId, perSecond, time.GetUtcNow(), stopping))
            {
                var now = time.GetUtcNow();
                var nextSecond = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + 1);
                await Task.Delay(nextSecond - now + TimeSpan.FromMilliseconds(Random.Shared.Next(1, 20)), time, wait);
            }

            return true;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false; // Waited long enough: the delivery goes back to storage and is tried again later.
        }
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
        public int Cap { get; } = concurrency;

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
