using System.Text;
using Dapper;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record TaskRow(string Id, string? AppId, string Kind, string Status, string Input, string Data, long CreatedAt, long UpdatedAt)
    {
        public BackgroundTask ToTask() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Kind = Kind,
            Status = Status,
            Input = Input,
            Data = Data,
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private const string TaskColumns = "id, app_id, kind, status, input, data, created_at, updated_at";

    public Task CreateBackgroundTaskAsync(BackgroundTask task, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            $"INSERT INTO background_tasks ({TaskColumns}) VALUES (@Id, @ApplicationId, @Kind, @Status, @Input, @Data, @createdAt, @updatedAt)",
            new { task.Id, task.ApplicationId, task.Kind, task.Status, task.Input, task.Data, createdAt = Ms(task.CreatedAt), updatedAt = Ms(task.UpdatedAt) }, t),
            cancellationToken);

    public Task<BackgroundTask?> GetBackgroundTaskAsync(string id, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {TaskColumns} FROM background_tasks WHERE id = @id", new { id }))?.ToTask(), cancellationToken);

    public Task<Page<BackgroundTask>> ListBackgroundTasksAsync(BackgroundTaskFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var sql = new StringBuilder($"SELECT {TaskColumns} FROM background_tasks WHERE {where}");
            Append(sql, filter.Status, " AND status = @Status");
            Append(sql, filter.Kind, " AND kind = @Kind");
            sql.Append(' ').Append(orderBy);
            var rows = await c.QueryAsync<TaskRow>(sql.ToString(), new { filter.Status, filter.Kind, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToTask()), page);
        }, cancellationToken);

    public Task<IReadOnlyList<BackgroundTask>> ClaimBackgroundTasksAsync(DeliveryLease lease, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<BackgroundTask>>(async (c, t) => (await c.QueryAsync<TaskRow>(
            $"""
            UPDATE background_tasks SET lease_owner = @owner, lease_expires_at = @until
            WHERE id IN (SELECT id FROM background_tasks WHERE status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= @now) ORDER BY id LIMIT @limit)
            RETURNING {TaskColumns}
            """,
            new { owner = lease.Owner, until = Ms(lease.Until), now = Ms(now), limit }, t)).Select(r => r.ToTask()).OrderBy(r => r.Id, StringComparer.Ordinal).ToList(),
            cancellationToken);

    public Task<bool> UpdateBackgroundTaskAsync(string id, DeliveryLease lease, string status, string data, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            """
            UPDATE background_tasks SET status = @status, data = @data, updated_at = @now,
                lease_owner = CASE WHEN @status = 'running' THEN lease_owner END,
                lease_expires_at = CASE WHEN @status = 'running' THEN @until END
            WHERE id = @id AND lease_owner = @owner AND status = 'running'
            """,
            new { id, owner = lease.Owner, until = Ms(lease.Until), status, data, now = Ms(now) }, t) == 1, cancellationToken);

    // One file serves one process: any lease found at start-up belongs to a process that is gone.
    public Task RecoverBackgroundTasksAfterRestartAsync(CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE background_tasks SET lease_owner = NULL, lease_expires_at = NULL WHERE status = 'running' AND lease_owner IS NOT NULL", transaction: t),
            cancellationToken);

    public Task<IReadOnlyList<Message>> ListMessagesForReplayAsync(
        string applicationId, string endpointId, DateTimeOffset since, DateTimeOffset? until, string? afterId, bool missingOnly, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Message>>(async c => (await c.QueryAsync<MessageRow>(
            $"""
            SELECT id, app_id, sequence, event_id, event_type, NULL AS payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent FROM messages m
            WHERE m.app_id = @applicationId AND m.id > @afterId AND m.created_at >= @since AND (@until IS NULL OR m.created_at < @until)
              AND m.payload IS NOT NULL
              AND {(missingOnly ? "NOT " : "")}EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.endpoint_id = @endpointId)
            ORDER BY m.id LIMIT @limit
            """,
            new { applicationId, endpointId, since = Ms(since), until = Ms(until), afterId = afterId ?? "", limit })).Select(ToMessage).ToList(),
            cancellationToken);

    public Task<int> ExpungeApplicationContentBatchAsync(string applicationId, int limit, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var ids = (await c.QueryAsync<string>(
                "SELECT id FROM messages WHERE app_id = @applicationId AND payload IS NOT NULL ORDER BY id LIMIT @limit", new { applicationId, limit }, t)).ToList();
            if (ids.Count == 0)
            {
                return 0;
            }

            // As single expunge: without its payload a message cannot be sent, so its pending deliveries are canceled (4).
            await c.ExecuteAsync(
                "UPDATE deliveries SET status = 4, lease_owner = NULL, lease_expires_at = NULL WHERE message_id IN @ids AND status = 1", new { ids }, t);
            return await c.ExecuteAsync("UPDATE messages SET payload = NULL WHERE id IN @ids", new { ids }, t);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountDeliveriesByApplicationAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyDictionary<string, long>>(async c => (await c.QueryAsync<(string AppId, long Count)>(
            """
            SELECT a.id, (SELECT COUNT(*) FROM deliveries d WHERE d.app_id = a.id AND d.created_at >= @since AND d.created_at < @until)
            FROM applications a WHERE a.internal = 0
            """,
            new { since = Ms(since), until = Ms(until) })).ToDictionary(r => r.AppId, r => r.Count, StringComparer.Ordinal), cancellationToken);

    public Task<(long Active, long Disabled)> CountEndpointsAsync(string? excludeHost, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<(string Url, long Disabled)>(
                "SELECT e.url, e.disabled FROM endpoints e JOIN applications a ON a.id = e.app_id WHERE a.internal = 0")).Select(r => (r.Url, Active: r.Disabled == 0));
            // The host test is done here, on the parsed URL, rather than with a LIKE that "play.svix.com.evil" would pass.
            var counted = rows.Where(r => excludeHost is null || !Uri.TryCreate(r.Url, UriKind.Absolute, out var url)
                || !url.Host.Equals(excludeHost, StringComparison.OrdinalIgnoreCase)).ToList();
            return ((long)counted.Count(r => r.Active), (long)counted.Count(r => !r.Active));
        }, cancellationToken);
}
