using Herald.Server.Idempotency;

namespace Herald.Server.Storage;

/// <summary>Idempotency keys: one owner per key, the answer replayed, expired keys deleted.</summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Claims the key for <paramref name="pending"/>: returns null when this request now owns it, or the record
    /// already there (running or completed). A record created before <paramref name="expiredBefore"/> is replaced.
    /// </summary>
    Task<IdempotencyRecord?> TryBeginIdempotentRequestAsync(IdempotencyRecord pending, DateTimeOffset expiredBefore, CancellationToken cancellationToken);
    Task CompleteIdempotentRequestAsync(IdempotencyRecord completed, CancellationToken cancellationToken);
    Task AbandonIdempotentRequestAsync(string caller, string key, CancellationToken cancellationToken);
    Task<int> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
