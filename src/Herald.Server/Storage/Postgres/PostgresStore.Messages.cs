using System.Text;
using Dapper;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record MessageRow(
        string Id, string AppId, long Sequence, string? EventId, string EventType, byte[]? Payload, string[]? Channels, string[]? Tags, DateTime CreatedAt,
        DateTime? DeliverAt = null, DateTime? PayloadExpiresAt = null, string? TraceParent = null)
    {
        // Npgsql reports text[] columns as System.Array, which matches no positional constructor: Dapper then builds
        // the row through this one and its init setters.
        private MessageRow()
            : this("", "", 0, null, "", null, null, null, default)
        {
        }

        public Message ToMessage() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Sequence = Sequence,
            EventId = EventId,
            EventType = EventType,
            Payload = Payload,
            Channels = Channels,
            Tags = Tags,
            CreatedAt = Time(CreatedAt),
            DeliverAt = Time(DeliverAt),
            PayloadExpiresAt = Time(PayloadExpiresAt),
            TraceParent = TraceParent,
        };
    }

    private const string MessageColumns = "id, app_id, sequence, event_id, event_type, payload, channels, tags, created_at, deliver_at, payload_expires_at, trace_parent";

    /// <summary>The message columns of a page: without content, no payload is read at all.</summary>
    private static string MessageColumnsOf(PageRequest page) => page.WithContent ? MessageColumns : MessageColumns.Replace("payload, ", "NULL::bytea AS payload, ", StringComparison.Ordinal);

    public async Task<PublishedMessage> PublishMessageAsync(NewMessage message, Application? createApplication, DeliveryLease lease, CancellationToken cancellationToken)
    {
        if (createApplication is null)
        {
            // The common case goes with the other publishes waiting on this node, in one statement (PostgresStore.GroupCommit.cs).
            return await PublishInGroupAsync(message, lease).WaitAsync(cancellationToken);
        }

        var published = await PublishInTransactionAsync(message, createApplication, lease, cancellationToken);
        // After the commit, not inside it (see PostgresNotifier): other nodes hear of the message only once it is there.
        Notify([(published, lease.Owner)]);
        return published;
    }

    private Task<PublishedMessage> PublishInTransactionAsync(NewMessage message, Application? createApplication, DeliveryLease lease, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            if (createApplication is not null)
            {
                await InsertApplicationAsync(c, t, createApplication);
            }

            // The application's row lock, taken by this UPDATE, is held until the transaction ends. So per application
            // the next publisher (on any node) gets its number only after this one committed — or rolled back, which
            // also undoes the increment. Sequence order is therefore commit order, without gaps (docs/ARCHITECTURE.md).
            var sequence = await c.ExecuteScalarAsync<long>(
                "UPDATE applications SET last_sequence = last_sequence + 1 WHERE id = @ApplicationId RETURNING last_sequence",
                new { message.ApplicationId }, t);
            var channels = TextArray(message.Channels);
            var createdAt = Ts(message.CreatedAt);
            await c.ExecuteAsync(
                $"""
                INSERT INTO messages ({MessageColumns})
                VALUES (@Id, @ApplicationId, @sequence, @EventId, @EventType, @Payload, @channels::text[], @tags::text[], @createdAt, @deliverAt, @expiresAt, @TraceParent);
                """,
                new
                {
                    message.Id,
                    message.ApplicationId,
                    sequence,
                    message.EventId,
                    message.EventType,
                    message.Payload,
                    channels,
                    tags = TextArray(message.Tags),
                    createdAt,
                    deliverAt = Ts(message.DeliverAt),
                    expiresAt = Ts(message.PayloadExpiresAt),
                    message.TraceParent,
                },
                t);

            // Fan-out: every enabled endpoint of the app whose event-type filter and channel filter match.
            var endpointIds = message.TargetEndpointId is { } target
                ? [target]
                : (await c.QueryAsync<string>(
                    """
                    SELECT id FROM endpoints e
                    WHERE e.app_id = @ApplicationId AND NOT e.disabled
                      AND (e.event_types IS NULL OR @EventType = ANY(e.event_types))
                      AND (e.channels IS NULL OR e.channels && COALESCE(@channels::text[], '{}'))
                    ORDER BY id
                    """,
                    new { message.ApplicationId, message.EventType, channels }, t)).ToList();
            var deliveries = endpointIds
                .Select(endpointId => new DeliveryTask(_ids.New(Ids.Delivery), message.ApplicationId, message.Id, endpointId, Manual: false, Attempts: 0))
                .ToList();
            // A scheduled message's deliveries are due at deliverAt and leased to nobody: only a scan at or after that
            // time claims them, on any node of the cluster, and none goes to the caller to send now.
            var scheduled = message.DeliverAt is not null;
            await InsertDeliveriesAsync(c, t, deliveries, scheduled ? null : lease, message.CreatedAt, message.DeliverAt ?? message.CreatedAt);

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
            }, scheduled ? [] : deliveries);
        }, cancellationToken);

    public Task<Message?> GetMessageAsync(string applicationId, string idOrEventId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<MessageRow>(
            $"""
            SELECT {MessageColumns} FROM messages WHERE app_id = @applicationId AND (id = @idOrEventId OR event_id = @idOrEventId)
            ORDER BY id = @idOrEventId DESC LIMIT 1
            """,
            new { applicationId, idOrEventId }))?.ToMessage(), cancellationToken);

    public Task<Page<Message>> ListMessagesAsync(string applicationId, MessageFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var sql = new StringBuilder($"SELECT {MessageColumnsOf(page)} FROM messages m WHERE app_id = @applicationId AND {where}");
            if (filter.EventTypes is { Count: > 0 })
            {
                sql.Append(" AND event_type = ANY(@eventTypes)");
            }

            if (filter.Channel is not null)
            {
                sql.Append(" AND @channel = ANY(m.channels)");
            }

            if (filter.Tag is not null)
            {
                sql.Append(" AND @tag = ANY(m.tags)");
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
            // Unbuffered: rows are read one at a time and the page stops at its byte budget (see SqliteStore).
            var rows = c.QueryUnbufferedAsync<MessageRow>(sql.ToString(), new
            {
                applicationId,
                after = page.After,
                take = page.Limit + 1,
                eventTypes = TextArray(filter.EventTypes),
                channel = filter.Channel,
                tag = filter.Tag,
                before = Ts(filter.Before),
                after_time = Ts(filter.After),
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
