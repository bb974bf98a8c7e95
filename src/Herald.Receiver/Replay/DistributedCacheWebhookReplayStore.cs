using Microsoft.Extensions.Caching.Distributed;

namespace Herald.Receiver.Replay;

/// <summary>
/// An <see cref="IWebhookReplayStore"/> over any <see cref="IDistributedCache"/> (Redis, SQL Server, ...), shared by
/// several receiver instances.
/// </summary>
/// <remarks>
/// <see cref="IDistributedCache"/> has no atomic add, so two instances receiving the same message in the same
/// instant may both process it; redeliveries (seconds to hours apart) are always caught. Handlers that must be
/// exactly-once still need an idempotent write keyed on the message id.
/// </remarks>
/// <param name="cache">The cache.</param>
/// <param name="keyPrefix">Prefix of the cache keys, to share a cache with other uses.</param>
public sealed class DistributedCacheWebhookReplayStore(IDistributedCache cache, string keyPrefix = "herald-receiver:seen:") : IWebhookReplayStore
{
    private static readonly byte[] Marker = [1];

    /// <inheritdoc />
    public async ValueTask<bool> TryClaimAsync(string messageId, TimeSpan horizon, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var key = keyPrefix + messageId;
        if (await cache.GetAsync(key, cancellationToken) is not null)
        {
            return false;
        }

        await cache.SetAsync(key, Marker, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = horizon }, cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(string messageId, CancellationToken cancellationToken) =>
        await cache.RemoveAsync(keyPrefix + messageId, cancellationToken);
}
