using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Cluster;

/// <summary>
/// How many Herald nodes share the storage right now. Each node writes a heartbeat every few seconds and counts
/// the nodes seen recently; <see cref="Delivery.EndpointLimits"/> divides each endpoint's concurrency cap among them.
/// On storage that is not shared (SQLite) this node is the only one, and nothing is written. Whenever the count of live
/// nodes changes, it is checked against the connections the database accepts (<see cref="ConnectionBudget"/>): nodes
/// whose pools add up to more are warned about once per count, before load makes the database refuse them.
/// </summary>
internal sealed partial class ClusterMembership(IClusterStore store, DeliveryNode node, TimeProvider time, ILogger<ClusterMembership> logger) : BackgroundService
{
    /// <summary>How often a node says it is alive; a node unheard for three intervals is counted out.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private int _liveNodes = 1;
    private ConnectionBudget? _budget;
    private int _checkedNodes;

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

                await CheckConnectionsAsync(Math.Max(1, live), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHeartbeatFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Warns once per count of live nodes whose pools add up to more connections than the database accepts.</summary>
    private async Task CheckConnectionsAsync(int live, CancellationToken cancellationToken)
    {
        if (live == _checkedNodes)
        {
            return;
        }

        try
        {
            _budget ??= await store.GetConnectionBudgetAsync(cancellationToken); // The server's limits change only with a restart of it.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogConnectionBudgetUnread(logger, e); // Tried again at the next heartbeat.
            return;
        }

        _checkedNodes = live;
        if (_budget is { } budget && !budget.Fits(live))
        {
            LogConnectionsOverBudget(logger, live, (long)live * budget.PerNode, budget.PoolSize, budget.Accepted, budget.PoolThatFits(live));
        }
    }

    [LoggerMessage(EventId = EventIds.ConnectionsOverBudget, Level = LogLevel.Warning, Message =
        "{LiveNodes} Herald node(s) may open up to {Connections} connections to PostgreSQL (each a pool of {PoolSize} and " +
        "its listener), but the server accepts {Accepted} from this user: under load it will refuse some with \"too many " +
        "clients\", and those requests will fail with 503. Set Maximum Pool Size in the connection string to at most " +
        "{PoolThatFits} or raise PostgreSQL's max_connections")]
    private static partial void LogConnectionsOverBudget(ILogger logger, int liveNodes, long connections, int poolSize, int accepted, int poolThatFits);

    [LoggerMessage(EventId = EventIds.ConnectionBudgetUnread, Level = LogLevel.Debug, Message = "Reading PostgreSQL's connection limits failed; tried again at the next heartbeat")]
    private static partial void LogConnectionBudgetUnread(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.LiveNodes, Level = LogLevel.Information, Message = "{LiveNodes} Herald node(s) share the storage")]
    private static partial void LogLiveNodes(ILogger logger, int liveNodes);

    [LoggerMessage(EventId = EventIds.HeartbeatFailed, Level = LogLevel.Warning, Message = "Writing this node's heartbeat failed; it is retried")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
