using System.Text;
using Dapper;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record MessageRow(
        string Id, string AppId, long Sequence, string? EventId, string EventType, byte[]? Payload, string? Channels, string? Tags, long CreatedAt,
        long? DeliverAt = null, long? PayloadExpiresAt = null, string? TraceParent = null)
    {
        public Message ToMessage() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Sequence = Sequence,
            EventId = EventId,
            EventType = EventType,
            Payload = Payload,
            Channels = StorageJson.List(Channels),
            Tags = StorageJson.List(Tags),
            CreatedAt = Time(CreatedAt),
            DeliverAt = DeliverAt is { } at ? Time(at) : null,
            PayloadExpiresAt = PayloadExpiresAt is { } expires ? Time(expires) : null,
            TraceParent = TraceParent,
        };
    }

    private const string MessageColumns = "id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent";

    /// <summary>The message columns of a page: without content, no payload is read at all.</summary>
    private static string MessageColumnsOf(PageRequest page) => page.WithContent ? MessageColumns : MessageColumns.Replace("payload, ", "NULL AS payload, ", StringComparison.Ordinal);

    public async Task<PublishedMessage> PublishMessageAsync(NewMessage message, Application? createApplication, DeliveryLease lease, CancellationToken cancellationToken)
    {
        var published = await WriteAsync(async (c, t) =>
        {
            if (createApplication is not null)
            {
                await InsertApplicationAsync(c, t, createApplication);
            }

            // The sequence is taken inside the single-writer transaction, so sequence order is commit order.
            var sequence = c.Scalar<long>(
                "UPDATE applications SET last_sequence = last_sequence + 1 WHERE id = @ApplicationId RETURNING last_sequence",
                new { message.ApplicationId }, t);
            var channels = StorageJson.List(message.Channels);
            var createdAt = Ms(message.CreatedAt);
            c.Run(
                $"INSERT INTO messages ({MessageColumns}) VALUES (@Id, @ApplicationId, @sequence, @EventId, @EventType, @Payload, @channels, @Tags, @createdAt, @deliverAt, @expiresAt, @TraceParent)",
                new
                {
                    message.Id,
                    message.ApplicationId,
                    sequence,
                    message.EventId,
                    message.EventType,
                    message.Payload,
                    channels,
                    Tags = StorageJson.List(message.Tags),
                    createdAt,
                    deliverAt = Ms(message.DeliverAt),
                    expiresAt = Ms(message.PayloadExpiresAt),
                    message.TraceParent,
                },
                t);

            // Fan-out: every enabled endpoint of the app whose event-type filter and channel filter match.
            var endpointIds = message.TargetEndpointId is { } target
                ? [target]
                : c.All<string>(
                    """
                    SELECT id FROM endpoints e
                    WHERE e.app_id = @ApplicationId AND e.disabled = 0
                      AND (e.event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(e.event_types) WHERE value = @EventType))
                      AND (e.channels IS NULL OR EXISTS (
                            SELECT 1 FROM json_each(e.channels) ec JOIN json_each(COALESCE(@channels, '[]')) mc ON ec.value = mc.value))
                    ORDER BY id
                    """,
                    new { message.ApplicationId, message.EventType, channels }, t);
            // A scheduled message's deliveries are due at deliverAt and leased to nobody: only a scan at or after that
            // time claims them, on this node or (after a restart) any other, and none goes to the caller to send now.
            var scheduled = message.DeliverAt is not null;
            var deliveries = new List<DeliveryTask>(endpointIds.Count);
            foreach (var endpointId in endpointIds)
            {
                var delivery = new DeliveryTask(_ids.New(Ids.Delivery), message.ApplicationId, message.Id, endpointId, Manual: false, Attempts: 0);
                InsertDelivery(c, t, delivery, scheduled ? null : lease, message.CreatedAt, message.DeliverAt ?? message.CreatedAt);
                if (!scheduled)
                {
                    deliveries.Add(delivery);
                }
            }

            _horizon.Committing(message.ApplicationId, sequence); // Last: nothing after it can roll this write back alone.
            return new PublishedMessage(new Message
            {
                Id = message.Id,
                ApplicationId = message.ApplicationId,
                Sequence = sequence,
                EventId = message.EventId,
                EventType = message.EventType,
                Payload = message.Payload,
                Channels = message.Channels,
                Tags = message.Tags,
                CreatedAt = message.CreatedAt,
                DeliverAt = message.DeliverAt,
                PayloadExpiresAt = message.PayloadExpiresAt,
            }, deliveries);
        }, cancellationToken);
        _horizon.Durable(message.ApplicationId, published.Message.Sequence);
        return published;
    }

    public Task<Message?> GetMessageAsync(string applicationId, string idOrEventId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<MessageRow>(
            $"SELECT {MessageColumns} FROM messages WHERE app_id = @applicationId AND (id = @idOrEventId OR event_id = @idOrEventId) ORDER BY id = @idOrEventId DESC LIMIT 1",
            new { applicationId, idOrEventId }))?.ToMessage(), cancellationToken);

    public Task<Page<Message>> ListMessagesAsync(string applicationId, MessageFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var sql = new StringBuilder($"SELECT {MessageColumnsOf(page)} FROM messages m WHERE app_id = @applicationId AND {where}");
            if (filter.EventTypes is { Count: > 0 })
            {
                sql.Append(" AND event_type IN @eventTypes");
            }

            if (filter.Channel is not null)
            {
                sql.Append(" AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = @channel)");
            }

            if (filter.Tag is not null)
            {
                sql.Append(" AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = @tag)");
            }

            if (filter.Before is not null)
            {
                sql.Append(" AND created_at < @before");
            }

            if (filter.After is not null)
            {
                sql.Append(" AND created_at > @after_time");
            }

            sql.Append(' ').Append(orderBy);
            // Unbuffered: rows are read one at a time and the page stops at its byte budget, so a page of big
            // payloads never loads more than the budget (and one row).
            var rows = c.QueryUnbufferedAsync<MessageRow>(sql.ToString(), new
            {
                applicationId,
                after = page.After,
                take = page.Limit + 1,
                eventTypes = filter.EventTypes,
                channel = filter.Channel,
                tag = filter.Tag,
                before = Ms(filter.Before),
                after_time = Ms(filter.After),
            });
            return await StoreCommon.ToPageAsync(rows, page, r => r.Payload?.Length ?? 0, r => r.ToMessage());
        }, cancellationToken);

    public Task<bool> ExpungeMessageContentAsync(string applicationId, string messageId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Without its payload a message cannot be sent any more: its pending deliveries are canceled (4).
            await c.ExecuteAsync(
                "UPDATE deliveries SET status = 4, lease_owner = NULL, lease_expires_at = NULL WHERE app_id = @applicationId AND message_id = @messageId AND status = 1",
                new { applicationId, messageId }, t);
            return await c.ExecuteAsync(
                "UPDATE messages SET payload = NULL WHERE app_id = @applicationId AND id = @messageId", new { applicationId, messageId }, t) == 1;
        }, cancellationToken);
}
