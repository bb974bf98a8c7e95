using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Herald.Server.Cluster;
using Herald.Server.Diagnostics;
using Herald.Server.Endpoints;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Per-endpoint limits: attempts in flight bounded by the endpoint's adaptive limit (<see cref="AdaptiveConcurrency"/>:
/// it starts at <see cref="DeliveryOptions.MaxConcurrentPerEndpoint"/>, grows while the endpoint answers quickly up
/// to <see cref="DeliveryOptions.MaxConcurrentPerEndpointCeiling"/>, and halves on timeouts, 5xx and 429), so one slow
/// receiver cannot take every sending slot and a fast one is not held to a fixed cap; and at most <c>throttleRate</c>
/// attempts per second when the endpoint sets one. On one node both live in memory. When several nodes share the
/// storage, the start and the ceiling are divided among the live nodes (rounded up) and every send also takes one from
/// the endpoint's per-second budget in the database, so the rate holds for the cluster as a whole.
/// </summary>
internal sealed class EndpointLimits(IOptions<DeliveryOptions> options, IClusterStore store, ClusterMembership cluster, TimeProvider time) : IDisposable
{
    /// <summary>The least an endpoint's limit falls to.</summary>
    public const int Floor = 1;

    /// <summary>Deliveries that may wait in memory for an endpoint's permit, per permit of its limit (or start value).</summary>
    private const int WaitingPerPermit = 4;

    private readonly ConcurrentDictionary<string, Lane> _lanes = Observed(new());

    private static ConcurrentDictionary<string, Lane> Observed(ConcurrentDictionary<string, Lane> lanes)
    {
        // One number for the node, no endpoint label: /metrics cardinality stays fixed (see HeraldMetrics).
        HeraldMetrics.ObserveReducedEndpoints(() => lanes.Values.Count(lane => lane.Gate.Limit < lane.Initial));
        return lanes;
    }

    /// <summary>The endpoint's concurrency limit on this node now (its start value when it sent nothing lately).</summary>
    public int CurrentLimit(string endpointId) =>
        _lanes.TryGetValue(endpointId, out var lane) ? lane.Gate.Limit : Shares().Initial;

    /// <summary>
    /// How many deliveries of the endpoint this node can have in memory before <see cref="AcquireAsync"/> sends new ones
    /// back to storage at once: its limit sending, and <see cref="WaitingPerPermit"/> per permit waiting.
    /// </summary>
    public int InMemoryRoom(string endpointId)
    {
        var (limit, initial) = _lanes.TryGetValue(endpointId, out var lane) ? (lane.Gate.Limit, lane.Initial) : (Shares().Initial, Shares().Initial);
        return limit + (Math.Max(limit, initial) * WaitingPerPermit);
    }

    /// <summary>The endpoints whose limit on this node is below its start value now, with that limit.</summary>
    public IEnumerable<(string EndpointId, int Limit)> Reduced()
    {
        foreach (var (endpointId, lane) in _lanes)
        {
            if (lane.Gate.Limit is var limit && limit < lane.Initial)
            {
                yield return (endpointId, limit);
            }
        }
    }

    /// <summary>
    /// A permit to send to the endpoint now, or null when none came within <paramref name="maxWait"/> — or at once
    /// when this endpoint already has a queue of waiters: its backlog then waits in storage, not in memory.
    /// </summary>
    public async Task<EndpointPermit?> AcquireAsync(HeraldEndpoint endpoint, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var lane = LaneFor(endpoint.Id);
        var limiter = lane.LimiterFor(RateFor(endpoint));
        if (Interlocked.Increment(ref lane.Waiting) > Math.Max(lane.Gate.Limit, lane.Initial) * WaitingPerPermit)
        {
            Interlocked.Decrement(ref lane.Waiting);
            return null;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(maxWait);
        bool entered;
        try
        {
            entered = await lane.Gate.EnterAsync(maxWait, time, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref lane.Waiting);
        }

        if (!entered)
        {
            return null;
        }

        var permit = new EndpointPermit(lane.Gate, time);
        try
        {
            if (limiter is not null)
            {
                RateLimitLease lease;
                try
                {
                    lease = await limiter.AcquireAsync(1, wait.Token);
                }
                catch (Exception e) when (e is ObjectDisposedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // Timed out, or the endpoint's throttleRate changed under us: try again later.
                    permit.Dispose();
                    return null;
                }

                using (lease)
                {
                    if (!lease.IsAcquired)
                    {
                        permit.Dispose();
                        return null;
                    }
                }
            }

            if (store.IsShared && endpoint.ThrottleRate is { } rate && !await TakeSharedBudgetAsync(endpoint.Id, rate, wait.Token, cancellationToken))
            {
                permit.Dispose();
                return null;
            }

            return permit;
        }
        catch
        {
            permit.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The stricter of the endpoint's <c>throttleRate</c> (per second) and the rate its receiver granted in the
    /// verification handshake (<c>WebHook-Allowed-Rate</c>, per minute), or null when neither limits it. The granted rate
    /// is divided among the live nodes (rounded down, at least 1 a minute each), so a cluster as a whole stays within it.
    /// </summary>
    private SendRate? RateFor(HeraldEndpoint endpoint)
    {
        SendRate? throttle = endpoint.ThrottleRate is { } perSecond ? new SendRate(perSecond, TimeSpan.FromSeconds(1)) : null;
        if (endpoint.Verification is not { Status: VerificationStatus.Verified, AllowedRate: { } perMinute })
        {
            return throttle;
        }

        var granted = new SendRate(Math.Max(1, perMinute / Math.Max(1, cluster.LiveNodes)), TimeSpan.FromMinutes(1));
        return throttle is { } t && t.PerSecond <= granted.PerSecond ? t : granted;
    }

    /// <summary>This node's lane of the endpoint; a new one when the node's share of the concurrency cap changed.</summary>
    private Lane LaneFor(string endpointId)
    {
        var (initial, ceiling) = Shares();
        var lane = _lanes.GetOrAdd(endpointId, _ => new Lane(initial, ceiling));
        if (lane.Initial != initial || lane.Gate.Ceiling != ceiling)
        {
            // Permits of the old lane are given back to it; the new lane holds the new share from now on.
            var replacement = new Lane(initial, ceiling);
            lane = _lanes.TryUpdate(endpointId, replacement, lane) ? replacement : _lanes[endpointId];
        }

        return lane;
    }

    /// <summary>This node's share of the start value and of the ceiling of every endpoint's limit.</summary>
    private (int Initial, int Ceiling) Shares()
    {
        var nodes = (double)cluster.LiveNodes;
        var o = options.Value;
        var initial = Math.Max(Floor, (int)Math.Ceiling(o.MaxConcurrentPerEndpoint / nodes));
        var ceiling = Math.Max(initial, (int)Math.Ceiling(Math.Max(o.MaxConcurrentPerEndpoint, o.MaxConcurrentPerEndpointCeiling) / nodes));
        return (initial, ceiling);
    }

    /// <summary>One send from the cluster-wide budget of this second, waiting for the next second while it is spent.</summary>
    private async Task<bool> TakeSharedBudgetAsync(string endpointId, int perSecond, CancellationToken wait, CancellationToken stopping)
    {
        try
        {
            while (!await store.TryTakeSendBudgetAsync(endpointId, perSecond, stopping))
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

    private sealed class Lane(int initial, int ceiling) : IDisposable
    {
        public int Initial { get; } = initial;

        private readonly Lock _lock = new();
        private SendRate? _rate;

        /// <summary>Deliveries waiting for a concurrency permit of this endpoint.</summary>
        public int Waiting;
        private TokenBucketRateLimiter? _limiter;

        public ConcurrencyGate Gate { get; } = new(new AdaptiveConcurrency(initial, Math.Min(Floor, ceiling), ceiling));

        /// <summary>The token bucket for this rate; a changed rate (throttleRate, or the receiver's grant) replaces it.</summary>
        public TokenBucketRateLimiter? LimiterFor(SendRate? rate)
        {
            lock (_lock)
            {
                if (rate != _rate)
                {
                    _limiter?.Dispose();
                    _rate = rate;
                    _limiter = rate is { } r ? new TokenBucketRateLimiter(r.BucketOptions()) : null;
                }

                return _limiter;
            }
        }

        public void Dispose()
        {
            _limiter?.Dispose();
        }
    }
}

/// <summary>At most <see cref="Tokens"/> sends every <see cref="Period"/>.</summary>
internal readonly record struct SendRate(int Tokens, TimeSpan Period)
{
    /// <summary>The shortest refill period: a bucket's timer fires at most 100 times a second.</summary>
    private static readonly TimeSpan MinRefill = TimeSpan.FromMilliseconds(10);

    public double PerSecond => Tokens / Period.TotalSeconds;

    /// <summary>
    /// A per-second rate refills its whole budget each second (a burst of up to a second's worth, as throttleRate always
    /// did). A longer period is spread over it: one send every Period / Tokens (past 100 a second, as few sends as keep
    /// refills 10 ms apart) and a burst of at most a second's worth, so a grant of 600 a minute is 10 a second, not 600
    /// at once. Rounding only ever sends fewer.
    /// </summary>
    public TokenBucketRateLimiterOptions BucketOptions()
    {
        var (limit, perRefill, refill) = Period <= TimeSpan.FromSeconds(1)
            ? (Tokens, Tokens, Period)
            : SpreadOver();
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            TokensPerPeriod = perRefill,
            ReplenishmentPeriod = refill,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }

    private (int Limit, int PerRefill, TimeSpan Refill) SpreadOver()
    {
        // As few sends per refill as keep the refill at least MinRefill apart; the refill is then exactly long enough
        // for them (rounded up to a whole tick, so never faster than the rate).
        var perRefill = (int)Math.Ceiling(Tokens * (MinRefill / Period));
        var refill = TimeSpan.FromTicks((long)Math.Ceiling((double)Period.Ticks * perRefill / Tokens));
        return (Math.Max(perRefill, (int)PerSecond), perRefill, refill);
    }
}
