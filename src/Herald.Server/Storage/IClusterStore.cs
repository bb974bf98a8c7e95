namespace Herald.Server.Storage;

/// <summary>
/// What several Herald nodes share when they run on one database: who is alive, and each endpoint's send
/// budget. A single-node engine (SQLite: one process owns the file) is not shared, and the per-endpoint limits
/// then stay in the process's memory.
/// </summary>
public interface IClusterStore
{
    /// <summary>True when several nodes may run on this storage at once.</summary>
    bool IsShared { get; }

    /// <summary>
    /// Takes one send from the endpoint's budget of <paramref name="perSecond"/> sends for the current second of the
    /// storage's clock (one clock and one budget for all nodes, whatever their own clocks say). False when that
    /// second's budget is spent.
    /// </summary>
    Task<bool> TryTakeSendBudgetAsync(string endpointId, int perSecond, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="node"/> is alive at <paramref name="now"/>, and returns how many nodes were seen
    /// alive since <paramref name="aliveSince"/> (this one included).
    /// </summary>
    Task<int> HeartbeatAsync(string node, DateTimeOffset now, DateTimeOffset aliveSince, CancellationToken cancellationToken);

    /// <summary>
    /// How many connections one node may hold open to the shared storage, and how many the storage accepts from
    /// Herald's user (<see cref="ConnectionBudget"/>); null when the storage is not shared.
    /// </summary>
    Task<ConnectionBudget?> GetConnectionBudgetAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Connections a node may open (its pool's maximum, <paramref name="PoolSize"/>, and <paramref name="Unpooled"/> ones
/// such as a listener's) against those the database accepts from Herald's user (<paramref name="Accepted"/>: its limit
/// less the slots reserved for superusers, or a lower limit set on the role or the database). A pool's maximum is
/// reached under load: nodes whose pools add up to more than the database accepts get "too many clients" exactly when
/// they are busiest.
/// </summary>
public sealed record ConnectionBudget(int PoolSize, int Unpooled, int Accepted)
{
    /// <summary>The most connections one node opens.</summary>
    public int PerNode => PoolSize + Unpooled;

    /// <summary>Whether <paramref name="nodes"/> nodes with full pools stay within what the database accepts.</summary>
    public bool Fits(int nodes) => (long)nodes * PerNode <= Accepted;

    /// <summary>The largest pool with which <paramref name="nodes"/> nodes fit (0 when even empty pools do not).</summary>
    public int PoolThatFits(int nodes) => Math.Max(0, Accepted / Math.Max(1, nodes) - Unpooled);
}
