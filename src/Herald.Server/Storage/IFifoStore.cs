namespace Herald.Server.Storage;

/// <summary>
/// FIFO endpoints (Delivery/FifoLine.cs). The order is kept by storage, not by any process: the claim of due deliveries
/// takes, of a FIFO endpoint, only the head of its line (its oldest unfinished delivery by message sequence) and nothing
/// while the line is stopped; recording an exhausted attempt stops a line set to stop, in the same transaction; creating
/// manual deliveries (resend, recover) resumes it.
/// </summary>
public interface IFifoStore
{
    /// <summary>
    /// The delivery that may be attempted now on a FIFO endpoint: its oldest pending delivery by message sequence (then
    /// creation); null when it has none or its line is stopped.
    /// </summary>
    Task<string?> GetFifoHeadAsync(string endpointId, CancellationToken cancellationToken);

    /// <summary>Resumes a stopped line (the exhausted message stays failed). False when the line was not stopped.</summary>
    Task<bool> ResumeFifoLineAsync(string endpointId, CancellationToken cancellationToken);
}
