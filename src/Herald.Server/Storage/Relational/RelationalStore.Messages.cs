using System.Text;
using Dapper;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    protected sealed record MessageRow(
        string Id, string AppId, long Sequence, string? EventId, string EventType, byte[]? Payload, TList? Channels, TList? Tags, TTime CreatedAt,
        TTime? DeliverAt = null, TTime? PayloadExpiresAt = null, string? TraceParent = null)
    {
        private MessageRow()
            : this("", "", 0, null, "", null, null, null, default)
        {
        }
    }

    protected Message ToMessage(MessageRow r) => new()
    {
        Id = r.Id,
        ApplicationId = r.AppId,
        Sequence = r.Sequence,
        EventId = r.EventId,
        EventType = r.EventType,
        Payload = r.Payload,
        Channels = ToList(r.Channels),
        Tags = ToList(r.Tags),
        CreatedAt = ToTime(r.CreatedAt),
        DeliverAt = ToTime(r.DeliverAt),
        PayloadExpiresAt = ToTime(r.PayloadExpiresAt),
        TraceParent = r.TraceParent,
    };

    protected const string MessageColumns = "id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent";

    /// <summary>The message columns of a page: without content, no payload is read at all.</summary>
    protected string MessageColumnsOf(PageRequest page) =>
        page.WithContent ? MessageColumns : MessageColumns.Replace("payload, ", $"{NullBytes} AS payload, ", StringComparison.Ordinal);

    public Task<Message?> GetMessageAsync(string applicationId, string idOrEventId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<MessageRow>(
            $"""
            SELECT {MessageColumns} FROM messages WHERE app_id = @applicationId AND (id = @idOrEventId OR event_id = @idOrEventId)
            ORDER BY id = @idOrEventId DESC LIMIT 1
            """,
            new { applicationId, idOrEventId })) is { } row ? ToMessage(row) : null, cancellationToken);

    public Task<Page<Message>> ListMessagesAsync(string applicationId, MessageFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            // The list pages by the application's log order, (app_id, sequence), an index every message needs anyway
            // (docs/BENCHMARKS.md, "Bounds"). The iterator stays a message id: its sequence is looked up by the primary
            // key. An iterator whose message is gone (retention deletes the oldest first) sorts before every message kept.
            var (where, orderBy) = Keyset("m.sequence", page, "COALESCE((SELECT i.sequence FROM messages i WHERE i.id = @after AND i.app_id = @applicationId), 0)");
            var sql = new StringBuilder($"SELECT {MessageColumnsOf(page)} FROM messages m WHERE m.app_id = @applicationId AND {where}");
            AppendMessageFilter(sql, filter.EventTypes, filter.Channel, filter.Tag);
            Append(sql, filter.Before, " AND m.created_at < @before");
            Append(sql, filter.After, " AND m.created_at > @after_time");
            sql.Append(' ').Append(orderBy);
            // Unbuffered: rows are read one at a time and the page stops at its byte budget, so a page of big
            // payloads never loads more than the budget (and one row).
            var rows = c.QueryUnbufferedAsync<MessageRow>(sql.ToString(), new
            {
                applicationId,
                after = page.After,
                take = page.Limit + 1,
                EventTypes = ListArg(filter.EventTypes),
                filter.Channel,
                filter.Tag,
                before = ToArg(filter.Before),
                after_time = ToArg(filter.After),
            });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Payload?.Length ?? 0, ToMessage);
        }, cancellationToken);

    public Task<bool> ExpungeMessageContentAsync(string applicationId, string messageId, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            // Without its payload a message cannot be sent any more: its pending deliveries are canceled (4).
            await c.ExecuteAsync(
                "UPDATE deliveries SET status = 4, lease_owner = NULL, lease_expires_at = NULL WHERE app_id = @applicationId AND message_id = @messageId AND status = 1",
                new { applicationId, messageId }, t);
            return await c.ExecuteAsync(
                "UPDATE messages SET payload = NULL WHERE app_id = @applicationId AND id = @messageId", new { applicationId, messageId }, t) == 1;
        }, cancellationToken);
}
