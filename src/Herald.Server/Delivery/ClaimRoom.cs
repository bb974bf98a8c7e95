namespace Herald.Server.Delivery;

/// <summary>
/// How many due deliveries of an endpoint the storage scan may claim now: <c>perSend</c> per send the endpoint's
/// current limit on this node allows (<see cref="EndpointLimits"/>), less the deliveries of it this node already holds
/// (parked, waiting for the endpoint, sending, or being recorded). With a fixed share per endpoint instead, an endpoint
/// whose limit fell to 1 (it answers 5xx) had most of its share handed back unsent, due a second later, claimed again,
/// and so on: two non-HOT updates of the delivery row per second of waiting (SCALING.md). An endpoint the claim
/// filled wakes the scan again once half its room is free, so a healthy endpoint's backlog keeps flowing.
/// </summary>
internal sealed class ClaimRoom(EndpointLimits limits, int perSend)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private readonly HashSet<string> _filled = new(StringComparer.Ordinal);

    /// <summary>This node took a delivery of the endpoint into memory (call before it can be released).</summary>
    public void Hold(string endpointId)
    {
        lock (_lock)
        {
            _held[endpointId] = _held.GetValueOrDefault(endpointId) + 1;
        }
    }

    /// <summary>A delivery of the endpoint left memory; true when a claim filled the endpoint and it has room again.</summary>
    public bool Release(string endpointId)
    {
        lock (_lock)
        {
            var left = _held.GetValueOrDefault(endpointId) - 1;
            if (left > 0)
            {
                _held[endpointId] = left;
            }
            else
            {
                _held.Remove(endpointId);
            }

            return _filled.Contains(endpointId) && left <= limits.CurrentLimit(endpointId) && _filled.Remove(endpointId);
        }
    }

    /// <summary>
    /// Whether a just-published delivery of the endpoint may come straight into memory: true while this node holds
    /// fewer than the endpoint can have there (<see cref="EndpointLimits.InMemoryRoom"/>: sending, and waiting for a
    /// permit), which is more than the scan's room, so a busy healthy endpoint's publishes still go straight to it. When
    /// not, the delivery would only be read, turned away by the endpoint's gate and handed back: it is left in storage,
    /// due, and the endpoint counts as filled, so the scan claims it once half the scan's room is free. An application
    /// whose endpoints hang then costs each publish its rows, not a read and a hand-back per delivery (BENCHMARKS.md,
    /// noisy-neighbour).
    /// </summary>
    public bool HasRoom(string endpointId)
    {
        lock (_lock)
        {
            if (_held.GetValueOrDefault(endpointId) < limits.InMemoryRoom(endpointId))
            {
                return true;
            }

            _filled.Add(endpointId);
            return false;
        }
    }

    /// <summary>
    /// The room of each endpoint this node holds deliveries of, or whose limit is reduced; any other endpoint may
    /// have the claim's default share.
    /// </summary>
    public IReadOnlyDictionary<string, int> Rooms()
    {
        var rooms = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (endpointId, limit) in limits.Reduced())
        {
            rooms[endpointId] = perSend * limit;
        }

        lock (_lock)
        {
            foreach (var (endpointId, held) in _held)
            {
                rooms[endpointId] = Math.Max(0, (perSend * limits.CurrentLimit(endpointId)) - held);
            }
        }

        return rooms;
    }

    /// <summary>What a claim given <paramref name="rooms"/> took: the endpoints it filled wake the scan when they have room.</summary>
    public void Claimed(IReadOnlyDictionary<string, int> rooms, IReadOnlyList<DeliveryTask> claimed)
    {
        var taken = claimed.CountBy(d => d.EndpointId).ToDictionary(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var (endpointId, room) in rooms)
            {
                if (taken.GetValueOrDefault(endpointId) >= room && _held.ContainsKey(endpointId))
                {
                    _filled.Add(endpointId);
                }
            }
        }
    }
}
