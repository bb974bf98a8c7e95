using Dapper;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public Task<IReadOnlyList<BackgroundTask>> ClaimBackgroundTasksAsync(DeliveryLease lease, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<BackgroundTask>>(async (c, t) => (await c.QueryAsync<TaskRow>(
            $"""
            UPDATE background_tasks SET lease_owner = @owner, lease_expires_at = @until
            WHERE id IN (SELECT id FROM background_tasks WHERE status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= @now) ORDER BY id LIMIT @limit)
            RETURNING {TaskColumns}
            """,
            new { owner = lease.Owner, until = Ms(lease.Until), now = Ms(now), limit }, t)).Select(ToTask).OrderBy(r => r.Id, StringComparer.Ordinal).ToList(),
            cancellationToken);

    // One file serves one process: any lease found at start-up belongs to a process that is gone.
    public Task RecoverBackgroundTasksAfterRestartAsync(CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE background_tasks SET lease_owner = NULL, lease_expires_at = NULL WHERE status = 'running' AND lease_owner IS NOT NULL", transaction: t),
            cancellationToken);
}
