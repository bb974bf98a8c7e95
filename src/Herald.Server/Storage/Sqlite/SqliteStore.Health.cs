using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    // Through the single writer like every write, so a probe also fails when the writer cannot commit or sync.
    public Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO health_probe (id, probed_at) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            new { now = Ms(now) }, t), cancellationToken);
}
