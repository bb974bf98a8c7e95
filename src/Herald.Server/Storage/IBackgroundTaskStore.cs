using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;

namespace Herald.Server.Storage;

/// <summary>Background tasks: the rows, their leases (one node runs a task at a time), and the batched reads and writes their work does.</summary>
public interface IBackgroundTaskStore
{
    Task CreateBackgroundTaskAsync(BackgroundTask task, CancellationToken cancellationToken);
    Task<BackgroundTask?> GetBackgroundTaskAsync(string id, CancellationToken cancellationToken);
    Task<Page<BackgroundTask>> ListBackgroundTasksAsync(BackgroundTaskFilter filter, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Leases up to <paramref name="limit"/> running tasks that nobody holds (or whose lease expired) to <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<BackgroundTask>> ClaimBackgroundTasksAsync(DeliveryLease lease, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records a task's progress or end. While <paramref name="status"/> is running the lease is extended to
    /// <paramref name="lease"/>; at the end it is dropped. False when the task is no longer leased to this owner.
    /// </summary>
    Task<bool> UpdateBackgroundTaskAsync(string id, DeliveryLease lease, string status, string data, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>At start-up: makes tasks a dead process held runnable again (embedded engine: every lease; shared engine: none, they expire).</summary>
    Task RecoverBackgroundTasksAfterRestartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> messages of the application created in [since, until), after the log position
    /// <paramref name="afterSequence"/> (0: from the start), with their payload, in log order, that have no delivery to the endpoint at all (<paramref name="missingOnly"/>) or at
    /// least one (otherwise); payload omitted from the result.
    /// </summary>
    Task<IReadOnlyList<Messages.Message>> ListMessagesForReplayAsync(
        string applicationId, string endpointId, DateTimeOffset since, DateTimeOffset? until, long afterSequence, bool missingOnly, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Walks up to <paramref name="limit"/> messages of the application in log order, after the position
    /// <paramref name="afterSequence"/> and up to <paramref name="throughSequence"/> (null: the application's last
    /// position now, returned as <see cref="ContentExpungeBatch.Through"/> for the next batches), and forgets the payload
    /// of those that still have one, canceling their pending deliveries as single expunge does. Each batch reads at most
    /// <paramref name="limit"/> messages, however many were expunged before it.
    /// </summary>
    Task<ContentExpungeBatch> ExpungeApplicationContentBatchAsync(
        string applicationId, long afterSequence, long? throughSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Per application (not internal): how many deliveries (message × endpoint) were created in [since, until).</summary>
    Task<IReadOnlyDictionary<string, long>> CountDeliveriesByApplicationAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Endpoints of customer applications, enabled and disabled; optionally without those whose URL's host is <paramref name="excludeHost"/>.</summary>
    Task<(long Active, long Disabled)> CountEndpointsAsync(string? excludeHost, CancellationToken cancellationToken);
}

/// <summary>
/// One batch of an application's content purge: how many payloads it forgot, the log position of the last message it
/// walked (where the next batch starts; the batch's start when it found none), and the last position the purge covers.
/// </summary>
public readonly record struct ContentExpungeBatch(int Expunged, long LastWalked, long Through)
{
    /// <summary>True when no message is left to walk.</summary>
    public bool IsLast => LastWalked >= Through;
}
