using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
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
            var numbered = message.Numbered(sequence);
            var handOff = new DeliveryHandOff(numbered, Endpoint: null); // The endpoint comes from the send path's cache.
            var deliveries = new List<DeliveryTask>(endpointIds.Count);
            foreach (var endpointId in endpointIds)
            {
                var delivery = new DeliveryTask(_ids.New(Ids.Delivery), message.ApplicationId, message.Id, endpointId, Manual: false, Attempts: 0)
                {
                    HandOff = handOff,
                };
                // An endpoint that already has a full room on this node gets its delivery from the scan (ClaimRoom).
                var leased = !scheduled && lease.TakesEndpoint(endpointId);
                InsertDelivery(c, t, delivery, leased ? lease : null, message.CreatedAt, message.DeliverAt ?? message.CreatedAt);
                if (leased)
                {
                    deliveries.Add(delivery);
                }
            }

            _horizon.Committing(message.ApplicationId, sequence); // Last: nothing after it can roll this write back alone.
            return new PublishedMessage(numbered, deliveries);
        }, cancellationToken);
        _horizon.Durable(message.ApplicationId, published.Message.Sequence);
        return published;
    }
}
