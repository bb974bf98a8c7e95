namespace Herald.Server.Storage;

/// <summary>Forgetting what is past its retention, a small batch per transaction (the retention job loops).</summary>
public partial interface IHeraldStore
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
    /// with their deliveries and attempts. Returns how many rows it deleted (attempts and messages).
    /// </summary>
    Task<int> DeleteHistoryAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
