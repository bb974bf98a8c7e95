namespace Herald.Receiver.Replay;

/// <summary>
/// Remembers the ids of verified messages for a horizon, so that a replayed or redelivered message is
/// acknowledged without being handed to the handler a second time.
/// </summary>
public interface IWebhookReplayStore
{
    /// <summary>Records <paramref name="messageId"/> as seen for <paramref name="horizon"/>.</summary>
    /// <param name="messageId">The verified message id.</param>
    /// <param name="horizon">How long to remember it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>True when the id was not seen before (process it); false for a duplicate (acknowledge and skip).</returns>
    ValueTask<bool> TryClaimAsync(string messageId, TimeSpan horizon, CancellationToken cancellationToken);

    /// <summary>Forgets <paramref name="messageId"/>, so that the sender's retry is processed after the handler failed.</summary>
    /// <param name="messageId">The message id claimed earlier.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the id is forgotten.</returns>
    ValueTask ReleaseAsync(string messageId, CancellationToken cancellationToken);
}
