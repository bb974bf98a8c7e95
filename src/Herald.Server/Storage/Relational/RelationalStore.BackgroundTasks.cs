using System.Data.Common;
using System.Text;
using Dapper;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    protected sealed record TaskRow(string Id, string? AppId, string Kind, string Status, string Input, string Data, TTime CreatedAt, TTime UpdatedAt)
    {
        private TaskRow()
            : this("", null, "", "", "", "", default, default)
        {
        }
    }

    protected BackgroundTask ToTask(TaskRow r) => new()
    {
        Id = r.Id,
        ApplicationId = r.AppId,
        Kind = r.Kind,
        Status = r.Status,
        Input = r.Input,
        Data = r.Data,
        CreatedAt = ToTime(r.CreatedAt),
        UpdatedAt = ToTime(r.UpdatedAt),
    };

    protected const string TaskColumns = "id, app_id, kind, status, input, data, created_at, updated_at";

    private sealed record EndpointCountRow(string Url, bool Disabled)
    {
        private EndpointCountRow()
            : this("", false)
        {
        }
    }

    public Task CreateBackgroundTaskAsync(BackgroundTask task, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"INSERT INTO background_tasks ({TaskColumns}) VALUES (@Id, @ApplicationId, @Kind, @Status, @Input, @Data, @createdAt, @updatedAt)",
            new { task.Id, task.ApplicationId, task.Kind, task.Status, task.Input, task.Data, createdAt = ToArg(task.CreatedAt), updatedAt = ToArg(task.UpdatedAt) }, t),
            cancellationToken);

    public Task<BackgroundTask?> GetBackgroundTaskAsync(string id, CancellationToken cancellationToken) =>
        ReadAsync(async c => await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {TaskColumns} FROM background_tasks WHERE id = @id", new { id }) is { } row ? ToTask(row) : null, cancellationToken);

    public Task<Page<BackgroundTask>> ListBackgroundTasksAsync(BackgroundTaskFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var sql = new StringBuilder($"SELECT {TaskColumns} FROM background_tasks WHERE {where}");
            Append(sql, filter.Status, " AND status = @Status");
            Append(sql, filter.Kind, " AND kind = @Kind");
            sql.Append(' ').Append(orderBy);
            var rows = await c.QueryAsync<TaskRow>(sql.ToString(), new { filter.Status, filter.Kind, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(ToTask), page);
        }, cancellationToken);

    public Task<bool> UpdateBackgroundTaskAsync(string id, DeliveryLease lease, string status, string data, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            """
            UPDATE background_tasks SET status = @status, data = @data, updated_at = @now,
                lease_owner = CASE WHEN @status = 'running' THEN lease_owner END,
                lease_expires_at = CASE WHEN @status = 'running' THEN @until END
            WHERE id = @id AND lease_owner = @owner AND status = 'running'
            """,
            new { id, owner = lease.Owner, until = ToArg(lease.Until), status, data, now = ToArg(now) }, t) == 1, cancellationToken);

    public Task<IReadOnlyList<Message>> ListMessagesForReplayAsync(
        string applicationId, string endpointId, DateTimeOffset since, DateTimeOffset? until, long afterSequence, bool missingOnly, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<Message>>(async c => (await c.QueryAsync<MessageRow>(
            $"""
            SELECT {MessageColumns.Replace("payload, ", $"{NullBytes} AS payload, ", StringComparison.Ordinal)} FROM messages m
            WHERE m.app_id = @applicationId AND m.sequence > @afterSequence AND m.created_at >= @since AND (@until IS NULL OR m.created_at < @until)
              AND m.payload IS NOT NULL
              AND {(missingOnly ? "NOT " : "")}EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.endpoint_id = @endpointId)
            ORDER BY m.sequence LIMIT @limit
            """,
            new { applicationId, endpointId, since = ToArg(since), until = ToArg(until), afterSequence, limit })).Select(ToMessage).ToList(),
            cancellationToken);

    public Task<ContentExpungeBatch> ExpungeApplicationContentBatchAsync(
        string applicationId, long afterSequence, long? throughSequence, int limit, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            // Bounded by the log's position when the purge began: a message published since is not the purge's, and
            // steady publishing cannot keep the walk going. By position, not by "still has a payload": that would
            // read again, in every batch, all the messages the batches before it expunged.
            var through = throughSequence
                ?? await c.ExecuteScalarAsync<long?>("SELECT last_sequence FROM applications WHERE id = @applicationId", new { applicationId }, t)
                ?? 0;
            var walked = (await c.QueryAsync<(string Id, long Sequence, bool HasPayload)>(
                $"""
                SELECT id, sequence, payload IS NOT NULL FROM messages
                WHERE app_id = @applicationId AND sequence > @afterSequence AND sequence <= @through
                ORDER BY sequence LIMIT @limit{LockedForUpdate}
                """,
                new { applicationId, afterSequence, through, limit }, t)).ToList();
            var ids = walked.Where(m => m.HasPayload).Select(m => m.Id).ToList();
            var expunged = ids.Count == 0 ? 0 : await ExpungeContentAsync(c, t, ids);
            return new ContentExpungeBatch(expunged, walked.Count == 0 ? through : walked[^1].Sequence, through);
        }, cancellationToken);

    /// <summary>
    /// What a read within a write adds to hold the rows it read until the write commits (PostgreSQL's FOR UPDATE);
    /// nothing where writes are serial anyway (SQLite).
    /// </summary>
    protected virtual string LockedForUpdate => "";

    /// <summary>Expunges the payloads of the messages <paramref name="ids"/> within the write <paramref name="t"/>; how many were.</summary>
    protected async Task<int> ExpungeContentAsync(TConnection c, DbTransaction t, IReadOnlyCollection<string> ids)
    {
        // As single expunge: without its payload a message cannot be sent, so its pending deliveries are canceled (4).
        await c.ExecuteAsync(
            $"UPDATE deliveries SET status = 4, lease_owner = NULL, lease_expires_at = NULL WHERE {In("message_id", "@ids")} AND status = 1", new { ids = ListArg(ids) }, t);
        return await c.ExecuteAsync($"UPDATE messages SET payload = NULL WHERE {In("id", "@ids")}", new { ids = ListArg(ids) }, t);
    }

    public Task<IReadOnlyDictionary<string, long>> CountDeliveriesByApplicationAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyDictionary<string, long>>(async c => (await c.QueryAsync<(string AppId, long Count)>(
            """
            SELECT a.id, (SELECT COUNT(*) FROM deliveries d WHERE d.app_id = a.id AND d.created_at >= @since AND d.created_at < @until)
            FROM applications a WHERE NOT a.internal
            """,
            new { since = ToArg(since), until = ToArg(until) })).ToDictionary(r => r.AppId, r => r.Count, StringComparer.Ordinal), cancellationToken);

    public Task<(long Active, long Disabled)> CountEndpointsAsync(string? excludeHost, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var rows = (await c.QueryAsync<EndpointCountRow>(
                "SELECT e.url, e.disabled FROM endpoints e JOIN applications a ON a.id = e.app_id WHERE NOT a.internal")).Select(r => (r.Url, Active: !r.Disabled));
            // The host test is done here, on the parsed URL, rather than with a LIKE that "play.svix.com.evil" would pass.
            var counted = rows.Where(r => excludeHost is null || !Uri.TryCreate(r.Url, UriKind.Absolute, out var url)
                || !url.Host.Equals(excludeHost, StringComparison.OrdinalIgnoreCase)).ToList();
            return ((long)counted.Count(r => r.Active), (long)counted.Count(r => !r.Active));
        }, cancellationToken);
}
