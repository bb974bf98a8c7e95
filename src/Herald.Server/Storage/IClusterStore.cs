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
}
