using Dapper;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
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

            return new PublishedMessage(message.Numbered(sequence), scheduled ? [] : deliveries);
        }, cancellationToken);
}
