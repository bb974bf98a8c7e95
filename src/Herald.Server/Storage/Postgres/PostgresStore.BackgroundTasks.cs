using Dapper;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // As deliveries: SKIP LOCKED lets nodes claiming at once take disjoint tasks, re-checked on the newest row version.
    public Task<IReadOnlyList<BackgroundTask>> ClaimBackgroundTasksAsync(DeliveryLease lease, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<BackgroundTask>>(async (c, t) => (await c.QueryAsync<TaskRow>(
            $"""
            WITH picked AS (
                SELECT id FROM background_tasks
                WHERE status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= @now)
                ORDER BY id LIMIT @limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE background_tasks b SET lease_owner = @owner, lease_expires_at = @until
            FROM picked WHERE b.id = picked.id
            RETURNING b.id, b.app_id, b.kind, b.status, b.input, b.data, b.created_at, b.updated_at
            """,
            new { owner = lease.Owner, until = Ts(lease.Until), now = Ts(now), limit }, t)).Select(ToTask).OrderBy(r => r.Id, StringComparer.Ordinal).ToList(),
            cancellationToken);

    // A lease here may belong to a live node: nothing is released; a dead node's leases expire and any node claims them.
    public Task RecoverBackgroundTasksAfterRestartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
