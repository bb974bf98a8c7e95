using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Cluster;

/// <summary>
/// How many Herald nodes share the storage right now. Each node writes a heartbeat every few seconds and counts
/// the nodes seen recently; <see cref="Delivery.EndpointLimits"/> divides each endpoint's concurrency cap among them.
/// On storage that is not shared (SQLite) this node is the only one, and nothing is written.
/// </summary>
internal sealed partial class ClusterMembership(IClusterStore store, DeliveryNode node, TimeProvider time, ILogger<ClusterMembership> logger) : BackgroundService
{
    /// <summary>How often a node says it is alive; a node unheard for three intervals is counted out.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private int _liveNodes = 1;

    /// <summary>Nodes alive at the last heartbeat, this one included (at least 1).</summary>
    public int LiveNodes => Volatile.Read(ref _liveNodes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.IsShared)
        {
            return;
        }

        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                var live = await store.HeartbeatAsync(node.Owner, now, now - 3 * HeartbeatInterval, stoppingToken);
                if (Interlocked.Exchange(ref _liveNodes, Math.Max(1, live)) != live)
                {
                    LogLiveNodes(logger, live);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHeartbeatFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = EventIds.LiveNodes, Level = LogLevel.Information, Message = "{LiveNodes} Herald node(s) share the storage")]
    private static partial void LogLiveNodes(ILogger logger, int liveNodes);

    [LoggerMessage(EventId = EventIds.HeartbeatFailed, Level = LogLevel.Warning, Message = "Writing this node's heartbeat failed; it is retried")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
