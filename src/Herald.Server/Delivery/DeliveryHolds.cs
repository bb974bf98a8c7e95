namespace Herald.Server.Delivery;

/// <summary>
/// The claimed deliveries this node holds (waiting for their endpoint, sending, or waiting for storage to record their
/// outcome), shared fairly between applications and their endpoints by <see cref="FairShares{TWaiter}"/>. A delivery
/// over its application's share is parked in memory, in its application's queue, and started when its turn comes, so
/// one application's backlog never sits in front of another's fresh deliveries; past <see cref="ParkLimit"/> parked
/// deliveries the caller hands it back to storage instead.
/// </summary>
internal sealed class DeliveryHolds(int capacity, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly FairShares<Parked> _shares = new(capacity);

    /// <summary>The most deliveries parked in memory; as many as the in-memory queue in front of the dispatcher holds.</summary>
    public const int ParkLimit = 10_000;

    public int Capacity => _shares.Capacity;

    /// <summary>Deliveries held now.</summary>
    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _shares.InUse;
            }
        }
    }

    /// <summary>How many more deliveries the scan may claim: free slots less those parked deliveries will take.</summary>
    public int Room
    {
        get
        {
            lock (_lock)
            {
                return _shares.Capacity - _shares.InUse - _shares.Waiting;
            }
        }
    }

    /// <summary>
    /// Holds the delivery now when the rules allow it and fewer than <paramref name="busyBelow"/> are held in all, or
    /// fewer than <paramref name="appBusyBelow"/> by its application.
    /// </summary>
    public bool TryHold(DeliveryTask delivery, int busyBelow = int.MaxValue, int appBusyBelow = 0)
    {
        lock (_lock)
        {
            return (_shares.InUse < busyBelow || _shares.HeldBy(delivery.ApplicationId) < appBusyBelow)
                && _shares.TryTake(delivery.ApplicationId, delivery.EndpointId);
        }
    }

    /// <summary>Holds the delivery now (true), or parks it until its turn (false); null when the parking is full.</summary>
    public bool? HoldOrPark(DeliveryTask delivery)
    {
        lock (_lock)
        {
            if (_shares.TryTake(delivery.ApplicationId, delivery.EndpointId))
            {
                return true;
            }

            if (_shares.Waiting >= ParkLimit)
            {
                return null;
            }

            // A parked delivery reads its work when its turn comes: what its publish had in hand may be stale by then,
            // and up to ParkLimit payloads would stay in memory meanwhile.
            _shares.Enqueue(delivery.ApplicationId, delivery.EndpointId, new Parked(delivery with { HandOff = null }, time.GetTimestamp()));
            return false;
        }
    }

    /// <summary>Lets go of a held delivery; returns the parked ones whose turn it is now (each already held).</summary>
    public List<Parked>? Release(DeliveryTask delivery)
    {
        List<Parked>? granted = null;
        lock (_lock)
        {
            _shares.Release(delivery.ApplicationId, delivery.EndpointId);
            while (_shares.TryGrantNext(out var next))
            {
                (granted ??= []).Add(next);
            }
        }

        return granted;
    }

    /// <summary>A delivery waiting for its turn, and since when (a <see cref="TimeProvider"/> timestamp).</summary>
    public sealed record Parked(DeliveryTask Delivery, long Since);
}
