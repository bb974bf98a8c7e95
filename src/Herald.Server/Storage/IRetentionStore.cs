namespace Herald.Server.Storage;

/// <summary>What one <see cref="IRetentionStore.DeleteHistoryAsync"/> batch deleted: attempts made before the cut-off, and messages (with their deliveries and attempts).</summary>
public sealed record HistoryDeleted(int Attempts, int Messages)
{
    public int Total => Attempts + Messages;
}

/// <summary>Forgetting what is past its retention, a small batch per transaction (the retention job loops).</summary>
public interface IRetentionStore
{
    /// <summary>
    /// Expunges the payloads of up to <paramref name="limit"/> messages whose payload expired at or before
    /// <paramref name="now"/>, and cancels their pending deliveries (they could only send something else).
    /// Returns how many payloads it expunged.
    /// </summary>
    Task<int> ExpirePayloadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> attempts made before <paramref name="before"/>, and up to
    /// <paramref name="limit"/> messages created before it whose payload is gone and that nothing waits to send,
    /// with their deliveries and attempts. Returns how many attempts and messages it deleted.
    /// </summary>
    Task<HistoryDeleted> DeleteHistoryAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> background tasks that ended (finished or failed) before
    /// <paramref name="before"/>. Running tasks are never deleted. Returns how many it deleted.
    /// </summary>
    Task<int> DeleteFinishedBackgroundTasksAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
