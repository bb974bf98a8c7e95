using System.Text;
using Dapper;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record AttemptRow(
        string Id, string AppId, string DeliveryId, string MessageId, string EndpointId, string Url, long Status, long TriggerType,
        long ResponseStatusCode, string? Response, long ResponseDurationMs, string? Error, long CreatedAt)
    {
        // For Dapper when there are no rows (see StateRow): without content the response column is computed ('' AS response).
        private AttemptRow()
            : this("", "", "", "", "", "", 0, 0, 0, null, 0, null, 0)
        {
        }

        public AttemptRecord ToAttempt() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            DeliveryId = DeliveryId,
            MessageId = MessageId,
            EndpointId = EndpointId,
            Url = Url,
            Status = (MessageStatus)Status,
            Trigger = (AttemptTrigger)TriggerType,
            ResponseStatusCode = (int)ResponseStatusCode,
            Response = Response,
            ResponseDurationMs = ResponseDurationMs,
            Error = Error,
            CreatedAt = Time(CreatedAt),
        };
    }

    // next_attempt is 0 when nothing is scheduled: SQLite reports an all-NULL aggregate as a BLOB column, which Dapper cannot map to long?.
    private sealed record StateRow(string EndpointId, long Status, long NextAttempt)
    {
        // For Dapper when a query returns no rows: computed columns then report BLOB as their type, which matches no
        // positional constructor, and Dapper throws even though it has nothing to map. With rows, the one above is used.
        private StateRow()
            : this("", 0, 0)
        {
        }

        public DeliveryState ToState() => new(EndpointId, (MessageStatus)Status, NextAttempt > 0 ? Time(NextAttempt) : null);
    }

    private const string AttemptColumns =
        "a.id, a.app_id, a.delivery_id, a.message_id, a.endpoint_id, a.url, a.status, a.trigger_type, a.response_status_code, a.response, a.response_duration_ms, a.error, a.created_at";

    // Success if any delivery of the pair succeeded, else pending, else sending, else failed.
    private const string AggregateState =
        "CASE WHEN SUM(d.status = 0) > 0 THEN 0 WHEN SUM(d.status = 1) > 0 THEN 1 WHEN SUM(d.status = 3) > 0 THEN 3 WHEN SUM(d.status = 2) > 0 THEN 2 ELSE 4 END";

    public Task<Page<AttemptRecord>> ListAttemptsAsync(string applicationId, AttemptFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("a.id", page);
            // Without content, no response body is read. An empty text rather than NULL: SQLite types a NULL column as a
            // BLOB, which matches no constructor of AttemptRow (see StateRow).
            var columns = page.WithContent ? AttemptColumns : AttemptColumns.Replace("a.response,", "'' AS response,", StringComparison.Ordinal);
            var sql = new StringBuilder($"SELECT {columns} FROM attempts a JOIN messages m ON m.id = a.message_id WHERE a.app_id = @applicationId AND {where}");
            Append(sql, filter.EndpointId, " AND a.endpoint_id = @EndpointId");
            Append(sql, filter.MessageId, " AND a.message_id = @MessageId");
            Append(sql, filter.Status, " AND a.status = @status");
            Append(sql, filter.StatusCodeClass, " AND (a.response_status_code / 100) * 100 = @StatusCodeClass");
            Append(sql, filter.EventTypes is { Count: > 0 } ? filter.EventTypes : null, " AND m.event_type IN @EventTypes");
            Append(sql, filter.Channel, " AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = @Channel)");
            Append(sql, filter.Tag, " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = @Tag)");
            Append(sql, filter.Before, " AND a.created_at < @before");
            Append(sql, filter.After, " AND a.created_at > @after_time");
            sql.Append(' ').Append(orderBy);
            // Unbuffered, to a byte budget over response bodies (as message pages).
            var rows = c.QueryUnbufferedAsync<AttemptRow>(sql.ToString(), new
            {
                applicationId,
                after = page.After,
                take = page.Limit + 1,
                filter.EndpointId,
                filter.MessageId,
                status = (int?)filter.Status,
                filter.StatusCodeClass,
                filter.EventTypes,
                filter.Channel,
                filter.Tag,
                before = Ms(filter.Before),
                after_time = Ms(filter.After),
            });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Response?.Length ?? 0, r => r.ToAttempt());
        }, cancellationToken);

    private static void Append(StringBuilder sql, object? value, string clause)
    {
        if (value is not null)
        {
            sql.Append(clause);
        }
    }

    public Task<AttemptRecord?> GetAttemptAsync(string applicationId, string attemptId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM attempts a WHERE a.app_id = @applicationId AND a.id = @attemptId", new { applicationId, attemptId }))?.ToAttempt(),
            cancellationToken);

    public Task<bool> ExpungeAttemptResponseAsync(string applicationId, string attemptId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE attempts SET response = NULL WHERE app_id = @applicationId AND id = @attemptId", new { applicationId, attemptId }, t) == 1, cancellationToken);

    public Task<IReadOnlyList<DeliveryState>> ListMessageDeliveryStatesAsync(string messageId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeliveryState>>(async c => (await c.QueryAsync<StateRow>(
            $"""
            SELECT d.endpoint_id, {AggregateState} AS status, COALESCE(MIN(CASE WHEN d.status = 1 THEN d.next_attempt_at END), 0) AS next_attempt
            FROM deliveries d WHERE d.message_id = @messageId GROUP BY d.endpoint_id ORDER BY d.endpoint_id
            """,
            new { messageId })).Select(r => r.ToState()).ToList(), cancellationToken);

    private sealed record EndpointMessageRow(
        string Id, string AppId, long Sequence, string? EventId, string EventType, byte[]? Payload, string? Channels, string? Tags, long CreatedAt,
        string EndpointId, long Status, long NextAttempt, long? DeliverAt)
    {
        // For Dapper when there are no rows (see StateRow).
        private EndpointMessageRow()
            : this("", "", 0, null, "", null, null, null, 0, "", 0, 0, null)
        {
        }
    }

    public Task<Page<(Message Message, DeliveryState State)>> ListEndpointMessagesAsync(
        string endpointId, MessageStatus? status, MessageFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("m.id", page);
            var messageWhere = new StringBuilder();
            Append(messageWhere, filter.EventTypes is { Count: > 0 } ? filter.EventTypes : null, " AND m.event_type IN @EventTypes");
            Append(messageWhere, filter.Channel, " AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = @Channel)");
            Append(messageWhere, filter.Tag, " AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = @Tag)");
            Append(messageWhere, filter.Before, " AND m.created_at < @before");
            Append(messageWhere, filter.After, " AND m.created_at > @after_time");
            var having = status is null ? "" : $"HAVING {AggregateState} = @status";
            // Unbuffered, to a byte budget over payloads; without content, no payload is read.
            var payload = page.WithContent ? "m.payload" : "NULL AS payload";
            var rows = c.QueryUnbufferedAsync<EndpointMessageRow>(
                $"""
                SELECT m.id, m.app_id, m.sequence, m.event_id, m.event_type, {payload}, m.channels, m.tags, m.created_at,
                       d.endpoint_id, {AggregateState} AS status, COALESCE(MIN(CASE WHEN d.status = 1 THEN d.next_attempt_at END), 0) AS next_attempt,
                       m.deliver_at
                FROM deliveries d JOIN messages m ON m.id = d.message_id
                WHERE d.endpoint_id = @endpointId AND {where}{messageWhere}
                GROUP BY m.id {having} {orderBy}
                """,
                new
                {
                    endpointId,
                    status = (int?)status,
                    after = page.After,
                    take = page.Limit + 1,
                    filter.EventTypes,
                    filter.Channel,
                    filter.Tag,
                    before = Ms(filter.Before),
                    after_time = Ms(filter.After),
                });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Payload?.Length ?? 0, r => (
                new MessageRow(r.Id, r.AppId, r.Sequence, r.EventId, r.EventType, r.Payload, r.Channels, r.Tags, r.CreatedAt, r.DeliverAt).ToMessage(),
                new StateRow(r.EndpointId, r.Status, r.NextAttempt).ToState()));
        }, cancellationToken);

    public Task<DeliveryCounts> CountEndpointDeliveriesAsync(string endpointId, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var states = (await c.QueryAsync<long>(
                $"""
                SELECT {AggregateState} FROM deliveries d
                WHERE d.endpoint_id = @endpointId AND (@since IS NULL OR d.created_at >= @since) AND (@until IS NULL OR d.created_at < @until)
                GROUP BY d.message_id
                """,
                new { endpointId, since = Ms(since), until = Ms(until) })).ToList();
            return new DeliveryCounts(
                states.Count(s => s == 0), states.Count(s => s == 1), states.Count(s => s == 3), states.Count(s => s == 2), states.Count(s => s == 4));
        }, cancellationToken);
}
