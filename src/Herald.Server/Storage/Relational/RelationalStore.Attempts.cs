using System.Text;
using Dapper;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    private sealed record AttemptRow(
        string Id, string AppId, string DeliveryId, string MessageId, string EndpointId, string Url, int Status, int TriggerType,
        int ResponseStatusCode, string? Response, long ResponseDurationMs, string? Error, TTime CreatedAt)
    {
        private AttemptRow()
            : this("", "", "", "", "", "", 0, 0, 0, null, 0, null, default)
        {
        }
    }

    private AttemptRecord ToAttempt(AttemptRow r) => new()
    {
        Id = r.Id,
        ApplicationId = r.AppId,
        DeliveryId = r.DeliveryId,
        MessageId = r.MessageId,
        EndpointId = r.EndpointId,
        Url = r.Url,
        Status = (MessageStatus)r.Status,
        Trigger = (AttemptTrigger)r.TriggerType,
        ResponseStatusCode = r.ResponseStatusCode,
        Response = r.Response,
        ResponseDurationMs = r.ResponseDurationMs,
        Error = r.Error,
        CreatedAt = ToTime(r.CreatedAt),
    };

    private sealed record StateRow(string EndpointId, int Status, TTime? NextAttempt)
    {
        private StateRow()
            : this("", 0, null)
        {
        }
    }

    private DeliveryState ToState(StateRow r) => new(r.EndpointId, (MessageStatus)r.Status, ToTime(r.NextAttempt));

    private const string AttemptColumns =
        "a.id, a.app_id, a.delivery_id, a.message_id, a.endpoint_id, a.url, a.status, a.trigger_type, a.response_status_code, a.response, a.response_duration_ms, a.error, a.created_at";

    private const string NextAttempt = "MIN(CASE WHEN d.status = 1 THEN d.next_attempt_at END)";

    // Success if any delivery of the pair succeeded, else pending, else sending, else failed.
    private string AggregateState =>
        $"CASE WHEN {AnyRow("d.status = 0")} THEN 0 WHEN {AnyRow("d.status = 1")} THEN 1 WHEN {AnyRow("d.status = 3")} THEN 3 WHEN {AnyRow("d.status = 2")} THEN 2 ELSE 4 END";

    public Task<Page<AttemptRecord>> ListAttemptsAsync(string applicationId, AttemptFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("a.id", page);
            // Without content, no response body is read.
            var columns = page.WithContent ? AttemptColumns : AttemptColumns.Replace("a.response,", $"{NullText} AS response,", StringComparison.Ordinal);
            var sql = new StringBuilder($"SELECT {columns} FROM attempts a JOIN messages m ON m.id = a.message_id WHERE a.app_id = @applicationId AND {where}");
            Append(sql, filter.EndpointId, " AND a.endpoint_id = @EndpointId");
            Append(sql, filter.MessageId, " AND a.message_id = @MessageId");
            Append(sql, filter.Status, " AND a.status = @status");
            Append(sql, filter.StatusCodeClass, " AND (a.response_status_code / 100) * 100 = @StatusCodeClass");
            AppendMessageFilter(sql, filter.EventTypes, filter.Channel, filter.Tag);
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
                EventTypes = ListArg(filter.EventTypes),
                filter.Channel,
                filter.Tag,
                before = ToArg(filter.Before),
                after_time = ToArg(filter.After),
            });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Response?.Length ?? 0, ToAttempt);
        }, cancellationToken);

    /// <summary>The filters on the message <c>m</c> of a row: event types, a channel and a tag.</summary>
    private void AppendMessageFilter(StringBuilder sql, IReadOnlyCollection<string>? eventTypes, string? channel, string? tag)
    {
        Append(sql, eventTypes is { Count: > 0 } ? eventTypes : null, $" AND {In("m.event_type", "@EventTypes")}");
        Append(sql, channel, $" AND {Holds("m.channels", "@Channel")}");
        Append(sql, tag, $" AND {Holds("m.tags", "@Tag")}");
    }

    public Task<AttemptRecord?> GetAttemptAsync(string applicationId, string attemptId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<AttemptRow>(
            $"SELECT {AttemptColumns} FROM attempts a WHERE a.app_id = @applicationId AND a.id = @attemptId", new { applicationId, attemptId })) is { } row
            ? ToAttempt(row)
            : null,
            cancellationToken);

    public Task<bool> ExpungeAttemptResponseAsync(string applicationId, string attemptId, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE attempts SET response = NULL WHERE app_id = @applicationId AND id = @attemptId", new { applicationId, attemptId }, t) == 1, cancellationToken);

    public Task<IReadOnlyList<DeliveryState>> ListMessageDeliveryStatesAsync(string messageId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeliveryState>>(async c => (await c.QueryAsync<StateRow>(
            $"""
            SELECT d.endpoint_id, {AggregateState} AS status, {NextAttempt} AS next_attempt
            FROM deliveries d WHERE d.message_id = @messageId GROUP BY d.endpoint_id ORDER BY d.endpoint_id
            """,
            new { messageId })).Select(ToState).ToList(), cancellationToken);

    private sealed record EndpointMessageRow(
        string Id, string AppId, long Sequence, string? EventId, string EventType, byte[]? Payload, TList? Channels, TList? Tags, TTime CreatedAt,
        string EndpointId, int Status, TTime? NextAttempt, TTime? DeliverAt)
    {
        private EndpointMessageRow()
            : this("", "", 0, null, "", null, null, null, default, "", 0, null, null)
        {
        }
    }

    public Task<Page<(Message Message, DeliveryState State)>> ListEndpointMessagesAsync(
        string endpointId, MessageStatus? status, MessageFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("m.id", page);
            var messageWhere = new StringBuilder();
            AppendMessageFilter(messageWhere, filter.EventTypes, filter.Channel, filter.Tag);
            Append(messageWhere, filter.Before, " AND m.created_at < @before");
            Append(messageWhere, filter.After, " AND m.created_at > @after_time");
            var having = status is null ? "" : $"HAVING {AggregateState} = @status";
            // Unbuffered, to a byte budget over payloads; without content, no payload is read.
            var payload = page.WithContent ? "m.payload" : $"{NullBytes} AS payload";
            var rows = c.QueryUnbufferedAsync<EndpointMessageRow>(
                $"""
                SELECT m.id, m.app_id, m.sequence, m.event_id, m.event_type, {payload}, m.channels, m.tags, m.created_at,
                       MIN(d.endpoint_id) AS endpoint_id, {AggregateState} AS status, {NextAttempt} AS next_attempt, m.deliver_at
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
                    EventTypes = ListArg(filter.EventTypes),
                    filter.Channel,
                    filter.Tag,
                    before = ToArg(filter.Before),
                    after_time = ToArg(filter.After),
                });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Payload?.Length ?? 0, r => (
                ToMessage(new MessageRow(r.Id, r.AppId, r.Sequence, r.EventId, r.EventType, r.Payload, r.Channels, r.Tags, r.CreatedAt, r.DeliverAt)),
                ToState(new StateRow(r.EndpointId, r.Status, r.NextAttempt))));
        }, cancellationToken);

    public Task<DeliveryCounts> CountEndpointDeliveriesAsync(string endpointId, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var states = (await c.QueryAsync<int>(
                $"""
                SELECT {AggregateState} FROM deliveries d
                WHERE d.endpoint_id = @endpointId AND (@since IS NULL OR d.created_at >= @since) AND (@until IS NULL OR d.created_at < @until)
                GROUP BY d.message_id
                """,
                new { endpointId, since = ToArg(since), until = ToArg(until) })).ToList();
            return new DeliveryCounts(
                states.Count(s => s == 0), states.Count(s => s == 1), states.Count(s => s == 3), states.Count(s => s == 2), states.Count(s => s == 4));
        }, cancellationToken);
}
