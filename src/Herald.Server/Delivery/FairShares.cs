namespace Herald.Server.Delivery;

/// <summary>
/// How a pool of slots (the sends in flight, or the deliveries a node holds) is shared between applications, and
/// between the endpoints of one application. Only the decision: no waiting, no threads, no clock, so it is tested on
/// its own; the caller holds a lock around every call and wakes the waiters it is handed.
/// </summary>
/// <remarks>
/// <para>Work-conserving: one application may use the whole pool but a small <see cref="Reserve"/> while no other
/// wants a slot. The reserve is for newcomers: an application holding fewer than <see cref="Floor"/> slots may take a
/// free one even from the reserve, so an application that starts publishing while another holds every other slot with
/// sends that never answer gets its first sends at once instead of after the other's timeouts.</para>
/// <para>Under contention an application's share is (capacity − reserve) / applications holding or waiting for slots;
/// one over its share gets no new slot while another waits. A freed slot goes round robin over the applications that
/// wait (deficit round robin with every slot costing one): first to those below the floor, then to those below their
/// share, then — work-conserving — to any; within an application round robin over its endpoints, first to those below
/// their part of the application's share, first come first served within one endpoint.</para>
/// </remarks>
internal sealed class FairShares<TWaiter>
    where TWaiter : class
{
    private readonly Dictionary<string, Tenant> _apps = new(StringComparer.Ordinal);
    private readonly Ring<Tenant> _waitingApps = new();
    private int _active;
    private int _takes;

    public FairShares(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Reserve = capacity >= 2 ? Math.Max(1, capacity / 16) : 0;
        Floor = Math.Max(1, Reserve / 4);
    }

    public int Capacity { get; }

    /// <summary>Slots kept free for applications holding fewer than <see cref="Floor"/>.</summary>
    public int Reserve { get; }

    /// <summary>Slots an application may hold whatever the others do, taken from the reserve if need be.</summary>
    public int Floor { get; }

    public int InUse { get; private set; }

    public int Waiting { get; private set; }

    /// <summary>Slots held by one application.</summary>
    public int HeldBy(string app) => _apps.TryGetValue(app, out var t) ? t.Held : 0;

    /// <summary>Slots held for one endpoint of an application.</summary>
    public int HeldBy(string app, string endpoint) =>
        _apps.TryGetValue(app, out var t) && t.Lanes.TryGetValue(endpoint, out var lane) ? lane.Held : 0;

    /// <summary>Takes a slot now if the rules allow it; otherwise the caller may <see cref="Enqueue"/>.</summary>
    public bool TryTake(string app, string endpoint)
    {
        var tenant = TenantOf(app);
        var lane = tenant.LaneOf(endpoint);
        var active = _active + (tenant.IsActive ? 0 : 1);
        if (lane.Waiters.Count > 0 || !Admits(tenant, lane, Share(active), othersWaiting: _waitingApps.Count - (tenant.Waiting > 0 ? 1 : 0) > 0))
        {
            return false;
        }

        Take(tenant, lane);
        return true;
    }

    /// <summary>Queues a waiter; <see cref="TryGrantNext"/> hands it out when its turn comes.</summary>
    public void Enqueue(string app, string endpoint, TWaiter waiter)
    {
        var tenant = TenantOf(app);
        var lane = tenant.LaneOf(endpoint);
        var (tenantWas, laneWas) = (tenant.IsActive, lane.IsActive);
        if (lane.Waiters.Count == 0)
        {
            tenant.WaitingLanes.Add(lane);
        }

        if (tenant.Waiting == 0)
        {
            _waitingApps.Add(tenant);
        }

        lane.Waiters.AddLast(waiter);
        tenant.Waiting++;
        Waiting++;
        Recount(tenant, lane, tenantWas, laneWas);
    }

    /// <summary>Takes a waiter out of its queue (it gave up); false when it is not queued (it was granted meanwhile).</summary>
    public bool Remove(string app, string endpoint, TWaiter waiter)
    {
        if (!_apps.TryGetValue(app, out var tenant) || !tenant.Lanes.TryGetValue(endpoint, out var lane))
        {
            return false;
        }

        var (tenantWas, laneWas) = (tenant.IsActive, lane.IsActive);
        if (!lane.Waiters.Remove(waiter))
        {
            return false;
        }

        Dequeued(tenant, lane);
        Recount(tenant, lane, tenantWas, laneWas);
        return true;
    }

    /// <summary>Gives a slot back.</summary>
    public void Release(string app, string endpoint)
    {
        var tenant = _apps[app];
        var lane = tenant.Lanes[endpoint];
        var (tenantWas, laneWas) = (tenant.IsActive, lane.IsActive);
        lane.Held--;
        tenant.Held--;
        InUse--;
        Recount(tenant, lane, tenantWas, laneWas);
    }

    /// <summary>Takes a slot for the next waiter in fair order, if the rules let one have it now.</summary>
    public bool TryGrantNext(out TWaiter waiter)
    {
        waiter = null!;
        if (_waitingApps.Count == 0 || InUse >= Capacity)
        {
            return false;
        }

        var share = Share(_active);
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var tenant in _waitingApps.FromCursor())
            {
                var eligible = pass switch
                {
                    0 => tenant.Held < Floor,
                    1 => Capacity - InUse > Reserve && tenant.Held < share,
                    _ => Capacity - InUse > Reserve,
                };
                if (!eligible || PickLane(tenant, share) is not { } lane)
                {
                    continue;
                }

                var (tenantWas, laneWas) = (tenant.IsActive, lane.IsActive);
                waiter = lane.Waiters.First!.Value;
                lane.Waiters.RemoveFirst();
                _waitingApps.AdvancePast(tenant);
                tenant.WaitingLanes.AdvancePast(lane);
                Dequeued(tenant, lane);
                Recount(tenant, lane, tenantWas, laneWas);
                Take(tenant, lane);
                return true;
            }
        }

        return false;
    }

    private int Share(int active) => Math.Max(1, (Capacity - Reserve) / Math.Max(1, active));

    private bool Admits(Tenant tenant, Lane lane, int share, bool othersWaiting)
    {
        var free = Capacity - InUse;
        if (free <= 0)
        {
            return false;
        }

        if (tenant.Held < Floor)
        {
            return true;
        }

        return free > Reserve && (tenant.Held < share || !othersWaiting);
    }

    private Lane? PickLane(Tenant tenant, int share)
    {
        var laneShare = Math.Max(1, share / Math.Max(1, tenant.ActiveLanes));
        Lane? fallback = null;
        foreach (var lane in tenant.WaitingLanes.FromCursor())
        {
            if (lane.Held < laneShare)
            {
                return lane;
            }

            fallback ??= lane;
        }

        return fallback;
    }

    private void Take(Tenant tenant, Lane lane)
    {
        var (tenantWas, laneWas) = (tenant.IsActive, lane.IsActive);
        lane.Held++;
        tenant.Held++;
        InUse++;
        Recount(tenant, lane, tenantWas, laneWas);
        if (++_takes % 65_536 == 0)
        {
            Sweep();
        }
    }

    private void Dequeued(Tenant tenant, Lane lane)
    {
        tenant.Waiting--;
        Waiting--;
        if (lane.Waiters.Count == 0)
        {
            tenant.WaitingLanes.Remove(lane);
        }

        if (tenant.Waiting == 0)
        {
            _waitingApps.Remove(tenant);
        }
    }

    /// <summary>Keeps the counts of active applications, and of an application's active endpoints, after a change.</summary>
    private void Recount(Tenant tenant, Lane lane, bool tenantWas, bool laneWas)
    {
        _active += (tenant.IsActive ? 1 : 0) - (tenantWas ? 1 : 0);
        tenant.ActiveLanes += (lane.IsActive ? 1 : 0) - (laneWas ? 1 : 0);
    }

    private Tenant TenantOf(string app)
    {
        if (!_apps.TryGetValue(app, out var tenant))
        {
            _apps[app] = tenant = new Tenant();
        }

        return tenant;
    }

    /// <summary>Forgets idle applications and endpoints now and then, so deleted ones do not pile up.</summary>
    private void Sweep()
    {
        foreach (var (app, tenant) in _apps)
        {
            foreach (var (endpoint, lane) in tenant.Lanes)
            {
                if (lane.Held == 0 && lane.Waiters.Count == 0)
                {
                    tenant.Lanes.Remove(endpoint);
                }
            }

            if (!tenant.IsActive && tenant.Lanes.Count == 0)
            {
                _apps.Remove(app);
            }
        }
    }

    private sealed class Tenant : Ring<Tenant>.Member
    {
        public readonly Dictionary<string, Lane> Lanes = new(StringComparer.Ordinal);
        public readonly Ring<Lane> WaitingLanes = new();
        public int Held;
        public int Waiting;

        /// <summary>Endpoints holding or waiting for a slot.</summary>
        public int ActiveLanes;

        public bool IsActive => Held > 0 || Waiting > 0;

        public Lane LaneOf(string endpoint)
        {
            if (!Lanes.TryGetValue(endpoint, out var lane))
            {
                Lanes[endpoint] = lane = new Lane();
            }

            return lane;
        }
    }

    private sealed class Lane : Ring<Lane>.Member
    {
        public readonly LinkedList<TWaiter> Waiters = new();
        public int Held;

        public bool IsActive => Held > 0 || Waiters.Count > 0;
    }
}

/// <summary>A round-robin ring: members in order of arrival and a cursor where the next turn starts.</summary>
internal sealed class Ring<T>
    where T : Ring<T>.Member
{
    private readonly LinkedList<T> _members = new();
    private LinkedListNode<T>? _cursor;

    public int Count => _members.Count;

    public void Add(T member) => member.Node = _members.AddLast(member);

    public void Remove(T member)
    {
        if (member.Node is not { } node)
        {
            return;
        }

        if (_cursor == node)
        {
            _cursor = node.Next;
        }

        _members.Remove(node);
        member.Node = null;
    }

    /// <summary>The next turn starts after <paramref name="member"/>.</summary>
    public void AdvancePast(T member) => _cursor = member.Node?.Next;

    /// <summary>Every member once, starting at the cursor and wrapping around.</summary>
    public IEnumerable<T> FromCursor()
    {
        var start = _cursor ?? _members.First;
        for (var node = start; node is not null; node = node.Next)
        {
            yield return node.Value;
        }

        for (var node = _members.First; node is not null && node != start; node = node.Next)
        {
            yield return node.Value;
        }
    }

    internal abstract class Member
    {
        public LinkedListNode<T>? Node { get; set; }
    }
}
