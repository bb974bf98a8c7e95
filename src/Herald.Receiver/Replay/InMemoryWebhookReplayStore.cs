using System.Collections.Concurrent;

namespace Herald.Receiver.Replay;

/// <summary>A process-local <see cref="IWebhookReplayStore"/>; use <see cref="DistributedCacheWebhookReplayStore"/> when several instances receive.</summary>
/// <param name="timeProvider">The clock for expiry; default <see cref="TimeProvider.System"/>.</param>
public sealed class InMemoryWebhookReplayStore(TimeProvider? timeProvider = null) : IWebhookReplayStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep;

    /// <inheritdoc />
    public ValueTask<bool> TryClaimAsync(string messageId, TimeSpan horizon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var now = _time.GetUtcNow();
        Sweep(now);
        var expiry = now + horizon;
        while (true)
        {
            if (_expiries.TryAdd(messageId, expiry))
            {
                return ValueTask.FromResult(true);
            }

            if (_expiries.TryGetValue(messageId, out var existing))
            {
                if (existing > now)
                {
                    return ValueTask.FromResult(false);
                }

                // Expired but not yet swept: claim it atomically, or loop if another caller just did.
                if (_expiries.TryUpdate(messageId, expiry, existing))
                {
                    return ValueTask.FromResult(true);
                }
            }
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string messageId, CancellationToken cancellationToken)
    {
        _expiries.TryRemove(messageId, out _);
        return ValueTask.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SweepInterval;
        foreach (var (id, expiry) in _expiries)
        {
            if (expiry <= now)
            {
                _expiries.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, expiry));
            }
        }
    }
}
