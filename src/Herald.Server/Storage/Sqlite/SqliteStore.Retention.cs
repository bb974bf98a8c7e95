using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public Task<int> ExpirePayloadsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var expired = (await c.QueryAsync<string>(
                "SELECT id FROM messages WHERE payload IS NOT NULL AND payload_expires_at <= @now ORDER BY payload_expires_at LIMIT @limit",
                new { now = Ms(now), limit }, t)).ToList();
            if (expired.Count == 0)
            {
                return 0;
            }

            // Without its payload a message cannot be sent any more: its pending deliveries are canceled (4), as on expunge.
            await c.ExecuteAsync(
                "UPDATE deliveries SET status = 4, lease_owner = NULL, lease_expires_at = NULL WHERE message_id IN @expired AND status = 1",
                new { expired }, t);
            return await c.ExecuteAsync("UPDATE messages SET payload = NULL WHERE id IN @expired", new { expired }, t);
        }, cancellationToken);

    public Task<HistoryDeleted> DeleteHistoryAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Ids sort by creation time, so "made before" is a range of the primary key: no index on created_at to
            // keep up at every insert.
            var attempts = await c.ExecuteAsync(
                "DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE id < @floor ORDER BY id LIMIT @limit)",
                new { floor = Ids.Floor(Ids.Attempt, before), limit }, t);
            var messages = (await c.QueryAsync<string>(
                """
                SELECT id FROM messages m
                WHERE id < @floor AND payload IS NULL
                  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN (1, 3))
                ORDER BY id LIMIT @limit
                """,
                new { floor = Ids.Floor(Ids.Message, before), limit }, t)).ToList();
            if (messages.Count > 0)
            {
                await c.ExecuteAsync("DELETE FROM attempts WHERE message_id IN @messages", new { messages }, t);
                await c.ExecuteAsync("DELETE FROM deliveries WHERE message_id IN @messages", new { messages }, t);
                await c.ExecuteAsync("DELETE FROM messages WHERE id IN @messages", new { messages }, t);
            }

            return new HistoryDeleted(attempts, messages.Count);
        }, cancellationToken);

    public Task<int> DeleteFinishedBackgroundTasksAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            DELETE FROM background_tasks WHERE id IN (
                SELECT id FROM background_tasks WHERE status IN ('finished', 'failed') AND updated_at < @before ORDER BY id LIMIT @limit)
            """,
            new { before = Ms(before), limit }, t), cancellationToken);
}
