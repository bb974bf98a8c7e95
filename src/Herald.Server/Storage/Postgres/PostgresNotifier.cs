using System.Threading.Channels;
using Dapper;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// Sends the "message committed" NOTIFYs after the publish transactions, batched. A NOTIFY inside a transaction
/// takes PostgreSQL's notification-queue lock at commit and holds it through the commit's WAL flush, which makes
/// every publishing transaction of the cluster commit one after another. Sent afterwards, many notices share one
/// small transaction and publishes commit in parallel. A notice lost to a crash between the commit and the send
/// costs only speed: the other nodes' scans and readers still find the message in storage.
/// </summary>
internal sealed class PostgresNotifier : IAsyncDisposable
{
    private const int MaxBatch = 200;

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<string> _notices = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public PostgresNotifier(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _loop = Task.Run(RunAsync);
    }

    public void Post(string notice) => _notices.Writer.TryWrite(notice);

    private async Task RunAsync()
    {
        var batch = new List<string>(MaxBatch);
        while (await _notices.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _notices.Reader.TryRead(out var notice))
            {
                batch.Add(notice);
            }

            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync();
                await connection.ExecuteAsync(
                    "SELECT pg_notify(@channel, notice) FROM unnest(@notices) AS notice",
                    new { channel = PostgresClusterSignal.MessagesChannel, notices = batch.ToArray() });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The database is unreachable right now: these wake-ups are lost, the messages are not (see above). Any
                // failure, not only NpgsqlException: were this loop to end, no other node would hear of this one's
                // messages again until it restarts.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _notices.Writer.TryComplete();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
