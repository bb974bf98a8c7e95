namespace Herald.Server.Cluster;

/// <summary>
/// Wake-ups between Herald nodes sharing one database. Storage sends them once the change has committed (message
/// commits batched after their transactions, released deliveries with their release); each node hears the other
/// nodes' and raises them here. Runs for the life of
/// the host (a listener), hence <see cref="IHostedService"/>. They only make
/// things faster: a node that misses one still finds the change on its next read or storage scan.
/// </summary>
internal interface IClusterSignal : IHostedService
{
    /// <summary>A message committed to an application's log on another node: (application id, sequence number).</summary>
    event Action<string, long>? MessageCommitted;

    /// <summary>Another node gave deliveries back to storage (graceful stop): they can be claimed now.</summary>
    event Action? DeliveriesReleased;

    /// <summary>
    /// Signals may have been missed (the listener reconnected): whoever waits for one should look at storage again.
    /// </summary>
    event Action? MayHaveMissedSignals;
}
