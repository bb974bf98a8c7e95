using Herald.Server.Delivery;

namespace Herald.Server.Storage;

/// <summary>The delivery side of storage: claiming due work with leases, and recording attempts atomically with their outcome.</summary>
public interface IDeliveryStore
{
    /// <summary>
    /// Reserves up to <paramref name="limit"/> due, unleased (or lease-expired) pending deliveries, at most
    /// <paramref name="perEndpoint"/> of any one endpoint, so a backlog for one endpoint does not crowd out the rest
    /// — or, for an endpoint in <paramref name="room"/>, at most as many as it says (0: none).
    /// </summary>
    Task<IReadOnlyList<DeliveryTask>> ClaimDueDeliveriesAsync(
        DeliveryLease lease, DateTimeOffset now, int limit, int perEndpoint, IReadOnlyDictionary<string, int>? room, CancellationToken cancellationToken);

    /// <summary>
    /// The message, endpoint and valid secrets of a delivery; null when any of them is gone. What the delivery's
    /// <see cref="DeliveryTask.HandOff"/> carries is taken from it instead of read again.
    /// </summary>
    Task<DeliveryWork?> GetDeliveryWorkAsync(DeliveryTask delivery, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: stores the attempt, moves the delivery to <paramref name="transition"/> (releasing
    /// its lease), and updates the endpoint's failure state (a success clears it; a failure starts it if clear).
    /// Returns since when the endpoint has been failing (null when healthy).
    /// </summary>
    Task<DateTimeOffset?> RecordAttemptAsync(AttemptRecord attempt, DeliveryTransition transition, CancellationToken cancellationToken);

    /// <summary>Gives a leased delivery back without an attempt, due again at <paramref name="nextAttemptAt"/> (null parks it).</summary>
    Task ReleaseDeliveryAsync(string deliveryId, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Releases every lease <paramref name="owner"/> holds (graceful stop).</summary>
    Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Called when the dispatcher starts: makes work that a crashed process held claimable again. An embedded
    /// single-node engine releases every lease at once; a shared engine leaves other nodes' leases to expire.
    /// </summary>
    Task RecoverAfterRestartAsync(CancellationToken cancellationToken);

    /// <summary>Disables an endpoint (410 Gone, or failing too long). False when it already was.</summary>
    Task<bool> DisableEndpointAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// New one-try (manual) deliveries of these messages to one endpoint. Returns those due now, leased to the caller;
    /// the delivery of a message scheduled for later (<c>deliverAt</c>) is stored due then, unleased, and not returned.
    /// </summary>
    Task<IReadOnlyList<DeliveryTask>> CreateManualDeliveriesAsync(string endpointId, IReadOnlyList<string> messageIds, DeliveryLease lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Messages of the endpoint whose deliveries failed for good in [since, until), and whose payload is still there.</summary>
    Task<IReadOnlyList<string>> ListFailedMessagesAsync(string endpointId, DateTimeOffset since, DateTimeOffset? until, CancellationToken cancellationToken);
}
