using Dapper;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // One row for every node: at one probe per second per node, waiting on its lock costs nothing.
    public Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO health_probe (id, probed_at) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            new { now = Ts(now) }, t), cancellationToken);
}
