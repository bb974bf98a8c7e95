using System.Threading.Channels;
using Herald.Server.Cluster;
using Herald.Server.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// Sends the "message committed" NOTIFYs after the publish transactions, batched. A NOTIFY inside a transaction
/// takes PostgreSQL's notification-queue lock at commit and holds it through the commit's WAL flush, which makes
/// every publishing transaction of the cluster commit one after another. Sent afterwards, many notices share one
/// small statement and publishes commit in parallel. A notice lost to a crash between the commit and the send, to a
/// full queue or to an unreachable database costs only speed: the other nodes' scans and readers still find the
/// message in storage.
/// </summary>
/// <remarks>
/// A hosted service: the host starts its loop and stops it (notices still queued then are dropped, as a crash would).
/// The queue is bounded (<see cref="Capacity"/>): a notice that does not fit is dropped, and counted in the log.
/// </remarks>
internal sealed partial class PostgresNotifier(NpgsqlDataSource dataSource, ILogger<PostgresNotifier> logger) : BackgroundService
{
    /// <summary>The most notices sent by one statement.</summary>
    public const int MaxBatch = 200;

    /// <summary>The most notices waiting: past it, new ones are dropped (each is only a wake-up).</summary>
    public const int Capacity = 10_000;

    private readonly Channel<string> _notices = Channel.CreateBounded<string>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private long _dropped;

    public void Post(string notice)
    {
        if (!_notices.Writer.TryWrite(notice))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // No more notices: the loop ends.
        _notices.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        try
        {
            while (await _notices.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _notices.Reader.TryRead(out var notice))
                {
                    batch.Add(notice);
                }

                await SendAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(List<string> batch, CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
        {
            LogDropped(logger, dropped);
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
            await using var command = new NpgsqlCommand("SELECT pg_notify($1, notice) FROM unnest($2) AS notice", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PostgresClusterSignal.MessagesChannel });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await command.ExecuteNonQueryAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
        {
            // The database is unreachable right now: these wake-ups are lost, the messages are not (see above). Any
            // failure, not only NpgsqlException: were this loop to end, no other node would hear of this one's
            // messages again until it restarts.
            LogNotifyFailed(logger, batch.Count, e);
        }
    }

    [LoggerMessage(EventId = EventIds.PostgresNotifyFailed, Level = LogLevel.Warning,
        Message = "Telling the other nodes of {Count} committed messages failed; they find them at their next scan")]
    private static partial void LogNotifyFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = EventIds.PostgresNoticesDropped, Level = LogLevel.Warning,
        Message = "{Count} notices to the other nodes were dropped: the queue was full")]
    private static partial void LogDropped(ILogger logger, long count);
}
