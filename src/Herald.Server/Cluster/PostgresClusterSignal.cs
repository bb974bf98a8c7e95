using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;

namespace Herald.Server.Cluster;

/// <summary>
/// The cluster signal over PostgreSQL's LISTEN/NOTIFY. <see cref="PostgresStore"/> sends the NOTIFYs once the work
/// has committed (publishes through <see cref="PostgresNotifier"/>, after the commit); this listener holds one dedicated
/// connection that LISTENs, and raises what other nodes sent. Its own node's notifications are ignored: that node
/// already woke its readers and dispatcher in memory. If the connection drops it reconnects, and then tells
/// everyone to look at storage again, since notifications sent meanwhile are lost.
/// </summary>
internal sealed partial class PostgresClusterSignal(
    IOptions<StorageOptions> options, DeliveryNode node, TimeProvider time, PostgresReadCaches caches, ILogger<PostgresClusterSignal> logger)
    : BackgroundService, IClusterSignal
{
    /// <summary>Payload: "{application id} {sequence} {lease owner of the publishing node}".</summary>
    public const string MessagesChannel = "herald_messages";

    /// <summary>Payload: the lease owner that released its deliveries.</summary>
    public const string DeliveriesChannel = "herald_deliveries";

    /// <summary>Payload: the table whose cached rows changed (sent by the triggers of migration 0012, PostgresReadCaches).</summary>
    public const string CacheChannel = "herald_cache";

    /// <summary>How the listening connection shows in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "herald-listener";

    /// <summary>The connections each node's listener holds outside the pool (counted in the node's connection budget).</summary>
    public const int Connections = 1;

    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public event Action<string, long>? MessageCommitted;

    public event Action? DeliveriesReleased;

    public event Action? MayHaveMissedSignals;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not from the store's pool: this connection stays open for as long as the node runs.
        var connectionString = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Pooling = false, ApplicationName = ApplicationName }
            .ConnectionString;
        var connected = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Raise(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {MessagesChannel}; LISTEN {DeliveriesChannel}; LISTEN {CacheChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (connected)
                {
                    LogReconnected(logger);
                    MayHaveMissedSignals?.Invoke();
                }

                connected = true;
                caches.Listening(); // From now on every change of a cached row reaches this node.
                while (true)
                {
                    // A quiet connection is probed now and then, so a dead one is noticed and replaced.
                    if (!await connection.WaitAsync(Probe, stoppingToken))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                caches.NotListening();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                caches.NotListening(); // Changes made until the listener is back would go unheard: read them from the database.
                // Whatever broke the connection (a server restart raises more kinds than NpgsqlException), the listener
                // carries on: an exception leaving ExecuteAsync would stop the whole node (BackgroundService).
                LogListenFailed(logger, e);
                await Task.Delay(ReconnectDelay, time, stoppingToken);
            }
        }
    }

    private void Raise(string channel, string payload)
    {
        if (channel == CacheChannel)
        {
            caches.Changed(payload); // Every node's changes, this one's too: its own store invalidated already, harmlessly again.
            return;
        }

        if (channel == MessagesChannel && payload.Split(' ', 3) is [var applicationId, var sequence, var owner])
        {
            if (owner != node.Owner && long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                MessageCommitted?.Invoke(applicationId, number);
            }
        }
        else if (channel == DeliveriesChannel && payload != node.Owner)
        {
            DeliveriesReleased?.Invoke();
        }
    }

    [LoggerMessage(EventId = EventIds.ClusterListenFailed, Level = LogLevel.Warning, Message = "Listening for other nodes' notifications failed; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.ClusterListenResumed, Level = LogLevel.Information, Message = "Listening for other nodes' notifications again")]
    private static partial void LogReconnected(ILogger logger);
}
