using Dapper;
using Herald.Server.Cluster;
using Herald.Server.Delivery;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record DeliveryRow(string Id, string AppId, string MessageId, string EndpointId, bool Manual, int Attempts)
    {
        public DeliveryTask ToTask() => new(Id, AppId, MessageId, EndpointId, Manual, Attempts);
    }

    private const string DeliveryColumns = "id, app_id, message_id, endpoint_id, manual, attempts";

    /// <summary>Inserts pending deliveries due at <paramref name="due"/>, leased to <paramref name="lease"/> (or to nobody), in one statement.</summary>
    private static Task InsertDeliveriesAsync(
        NpgsqlConnection c, NpgsqlTransaction t, IReadOnlyList<DeliveryTask> deliveries, DeliveryLease? lease, DateTimeOffset now, DateTimeOffset due) =>
        deliveries.Count == 0 ? Task.CompletedTask : c.ExecuteAsync(
            """
            INSERT INTO deliveries (id, app_id, message_id, endpoint_id, manual, status, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
            SELECT d.id, d.app_id, d.message_id, d.endpoint_id, d.manual, 1, 0, @due, @owner, @until, @now, @now
            FROM unnest(@ids::text[], @appIds::text[], @messageIds::text[], @endpointIds::text[], @manual::boolean[])
                 AS d (id, app_id, message_id, endpoint_id, manual)
            """,
            new
            {
                ids = deliveries.Select(d => d.Id).ToArray(),
                appIds = deliveries.Select(d => d.ApplicationId).ToArray(),
                messageIds = deliveries.Select(d => d.MessageId).ToArray(),
                endpointIds = deliveries.Select(d => d.EndpointId).ToArray(),
                manual = deliveries.Select(d => d.Manual).ToArray(),
                now = Ts(now),
                due = Ts(due),
                owner = lease?.Owner,
                until = Ts(lease?.Until),
            }, t);

    public Task<IReadOnlyList<DeliveryTask>> ClaimDueDeliveriesAsync(
        DeliveryLease lease, DateTimeOffset now, int limit, int perEndpoint, IReadOnlyDictionary<string, int>? room, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<DeliveryTask>>(async (c, t) =>
        {
            // Many nodes claim at once: FOR UPDATE SKIP LOCKED lets each take rows no other claim is holding, without
            // waiting. A row another node leased after this statement's snapshot is re-checked when locked (READ
            // COMMITTED re-evaluates the conditions on the newest version), so it is skipped, never claimed twice.
            // Each endpoint's share (at most @perEndpoint, its oldest due deliveries) comes from its own range of the
            // deliveries_endpoint index (endpoint_id, status, created_at), which stops at the share: the claim reads a
            // few rows per endpoint, never the whole backlog (ranking it all cost seconds at a million pending). The share
            // is the endpoint's room when the claimer gave one (@roomIds, @rooms), else @perEndpoint.
            var rows = await c.QueryAsync<DeliveryRow>(
                $"""
                WITH picked AS (
                    SELECT d.id FROM endpoints e
                    LEFT JOIN unnest(@roomIds::text[], @rooms::int[]) AS r (endpoint_id, room) ON r.endpoint_id = e.id
                    CROSS JOIN LATERAL (
                        SELECT s.id, s.next_attempt_at FROM deliveries s
                        WHERE s.endpoint_id = e.id AND s.status = 1 AND s.next_attempt_at <= @now AND (s.lease_expires_at IS NULL OR s.lease_expires_at <= @now)
                          AND {FifoHeadOnly}
                        ORDER BY s.created_at LIMIT COALESCE(r.room, @perEndpoint)
                    ) AS share
                    JOIN deliveries d ON d.id = share.id
                    WHERE d.status = 1 AND d.next_attempt_at <= @now AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= @now)
                    ORDER BY share.next_attempt_at LIMIT @limit
                    FOR UPDATE OF d SKIP LOCKED
                )
                UPDATE deliveries d SET lease_owner = @owner, lease_expires_at = @until
                FROM picked WHERE d.id = picked.id
                RETURNING d.id, d.app_id, d.message_id, d.endpoint_id, d.manual, d.attempts
                """,
                new
                {
                    owner = lease.Owner,
                    until = Ts(lease.Until),
                    now = Ts(now),
                    limit,
                    perEndpoint,
                    roomIds = room?.Keys.ToArray() ?? [],
                    rooms = room?.Values.ToArray() ?? [],
                }, t);
            return rows.Select(r => r.ToTask()).ToList();
        }, cancellationToken);

    /// <summary>
    /// The hot path of every attempt, in one round trip: the delivery, its message, its endpoint and the endpoint's live
    /// secrets are four statements of one batch (Npgsql sends them together), each finding its row through the
    /// delivery's id. It was four round trips on four pooled connections, each costing both processes a wake-up (perf
    /// showed the per-statement overhead, not the statements, as PostgreSQL's CPU: docs/BENCHMARKS.md).
    /// </summary>
    public Task<DeliveryWork?> GetDeliveryWorkAsync(DeliveryTask delivery, DateTimeOffset now, CancellationToken cancellationToken) =>
        delivery.HandOff is { Endpoint: { } endpoint } handOff
            ? Task.FromResult<DeliveryWork?>(new DeliveryWork(delivery, handOff.Message, endpoint.Endpoint, endpoint.LiveSecrets(now))) // Read by its publish group.
            : ReadDeliveryWorkAsync(delivery.Id, now, cancellationToken);

    private Task<DeliveryWork?> ReadDeliveryWorkAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            await using var reads = await c.QueryMultipleAsync(
                $"""
                SELECT {DeliveryColumns} FROM deliveries WHERE id = @deliveryId;
                SELECT {MessageColumns} FROM messages WHERE id = (SELECT message_id FROM deliveries WHERE id = @deliveryId);
                SELECT {EndpointColumns} FROM endpoints WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = @deliveryId);
                SELECT key FROM endpoint_secrets
                WHERE endpoint_id = (SELECT endpoint_id FROM deliveries WHERE id = @deliveryId) AND (expires_at IS NULL OR expires_at > @now)
                ORDER BY created_at DESC, {SecretSequence} DESC
                """,
                new { deliveryId, now = Ts(now) });
            var delivery = await reads.ReadSingleOrDefaultAsync<DeliveryRow>();
            var message = await reads.ReadSingleOrDefaultAsync<MessageRow>();
            var endpoint = await reads.ReadSingleOrDefaultAsync<EndpointRow>();
            var secrets = await reads.ReadAsync<string>();
            return delivery is null || message is null || endpoint is null
                ? null
                : new DeliveryWork(delivery.ToTask(), ToMessage(message), ToEndpoint(endpoint), secrets.Select(s => OpenSecret(endpoint.Id, s)).ToList());
        }, cancellationToken);

    /// <summary>A successful attempt joins the group commit of attempts (PostgresStore.AttemptGroups.cs); a failed one goes alone.</summary>
    public Task<DateTimeOffset?> RecordAttemptAsync(AttemptRecord attempt, DeliveryTransition transition, CancellationToken cancellationToken) =>
        Groupable(attempt, transition) ? RecordInGroupAsync(attempt, transition).WaitAsync(cancellationToken) : RecordAttemptAloneAsync(attempt, transition, cancellationToken);

    /// <summary>
    /// Records an attempt in one round trip: one statement (its own transaction, committed without a further round
    /// trip) inserts the attempt, moves the delivery on and keeps the endpoint's failure streak.
    /// </summary>
    private async Task<DateTimeOffset?> RecordAttemptAloneAsync(AttemptRecord attempt, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        // A delivery canceled while this try was in flight (its payload expunged or expired) stays canceled unless the
        // try succeeded: with no payload there is nothing to retry.
        // The failure streak is the endpoint's row, shared by every node: auto-disable sees all nodes' attempts.
        // Written only when it changes: a healthy endpoint's row is neither rewritten nor locked by each attempt, so
        // the attempts of many nodes to one endpoint do not queue on that row. The streak's start is the value this
        // statement wrote, else the one already there (the statement's snapshot).
        var streak = attempt.Status == MessageStatus.Success
            ? """
              streak AS (UPDATE endpoints SET failing_since = NULL WHERE id = @EndpointId AND failing_since IS NOT NULL RETURNING failing_since)
              SELECT NULL::timestamptz
              """
            : """
              streak AS (UPDATE endpoints SET failing_since = @now WHERE id = @EndpointId AND failing_since IS NULL RETURNING failing_since)
              SELECT COALESCE((SELECT failing_since FROM streak), (SELECT failing_since FROM endpoints WHERE id = @EndpointId))
              """;
        var sql =
            $"""
            WITH attempt AS (
                INSERT INTO attempts (id, app_id, delivery_id, message_id, endpoint_id, url, status, trigger_type, response_status_code,
                                      response, response_duration_ms, error, created_at)
                VALUES (@Id, @ApplicationId, @DeliveryId, @MessageId, @EndpointId, @Url, @Status, @Trigger, @ResponseStatusCode,
                        @Response, @ResponseDurationMs, @Error, @now)
            ), delivery AS (
                UPDATE deliveries SET
                    status = CASE WHEN status = 4 AND @next_status <> 0 THEN 4 ELSE @next_status END,
                    next_attempt_at = CASE WHEN status = 4 AND @next_status <> 0 THEN NULL ELSE @next::timestamptz END,
                    attempts = attempts + 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                WHERE id = @DeliveryId
            ), {streak}
            """;
        var parameters = new
        {
            attempt.Id,
            attempt.ApplicationId,
            attempt.DeliveryId,
            attempt.MessageId,
            attempt.EndpointId,
            attempt.Url,
            Status = (int)attempt.Status,
            Trigger = (int)attempt.Trigger,
            attempt.ResponseStatusCode,
            attempt.Response,
            attempt.ResponseDurationMs,
            attempt.Error,
            now = Ts(attempt.CreatedAt),
            next_status = (int)transition.Status,
            next = Ts(transition.NextAttemptAt),
        };
        if (transition.Status != MessageStatus.Fail)
        {
            return Time(await StatementAsync(connection => connection.ExecuteScalarAsync<DateTime?>(sql, parameters), cancellationToken));
        }

        // A delivery that failed for good stops its FIFO line (when set to stop) in the same transaction, so no crash
        // between the two lets the next message of the line go out (PostgresStore.Fifo.cs).
        return Time(await WriteAsync(async (c, t) =>
        {
            var since = await c.ExecuteScalarAsync<DateTime?>(sql, parameters, t);
            await c.ExecuteAsync(StopFifoLineOnFail, new { now = Ts(attempt.CreatedAt), attempt.EndpointId, attempt.DeliveryId }, t);
            return since;
        }, cancellationToken));
    }

    public Task ReleaseDeliveryAsync(string deliveryId, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = @next WHERE id = @deliveryId AND status = 1",
            new { deliveryId, next = Ts(nextAttemptAt) }, t), cancellationToken);

    public Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var released = await c.ExecuteAsync(
                "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = @owner", new { owner }, t);
            if (released > 0)
            {
                // Delivered on commit: the other nodes claim this work now instead of at their next scan.
                await c.ExecuteAsync("SELECT pg_notify(@channel, @owner)", new { channel = PostgresClusterSignal.DeliveriesChannel, owner }, t);
            }
        }, cancellationToken);

    // Many nodes share the database: a lease found at start-up may belong to a live node, so none is released here.
    // A dead node's leases expire (LeaseDuration) and the claim scan of any node takes them then. (Every process
    // gets a new lease owner, so this node cannot hold leases from before its own start.)
    public Task RecoverAfterRestartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> DisableEndpointAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET disabled = TRUE, updated_at = @now WHERE id = @endpointId AND NOT disabled", new { endpointId, now = Ts(now) }, t) == 1,
            cancellationToken);

    public Task<IReadOnlyList<DeliveryTask>> CreateManualDeliveriesAsync(
        string endpointId, IReadOnlyList<string> messageIds, DeliveryLease lease, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<DeliveryTask>>(async (c, t) =>
        {
            var appId = await c.ExecuteScalarAsync<string>("SELECT app_id FROM endpoints WHERE id = @endpointId", new { endpointId }, t);
            // An operator's resend or recover resumes a stopped FIFO line; the resent messages go first if they are older.
            await c.ExecuteAsync("UPDATE endpoints SET fifo_stopped_at = NULL WHERE id = @endpointId AND fifo_stopped_at IS NOT NULL", new { endpointId }, t);
            var created = new List<DeliveryTask>(messageIds.Count);
            foreach (var messageId in messageIds)
            {
                // A message scheduled for later is not sent early by a resend either: that delivery waits for deliverAt.
                var deliverAt = Time(await c.ExecuteScalarAsync<DateTime?>("SELECT deliver_at FROM messages WHERE id = @messageId", new { messageId }, t));
                var delivery = new DeliveryTask(_ids.New(Ids.Delivery), appId!, messageId, endpointId, Manual: true, Attempts: 0);
                if (deliverAt > now)
                {
                    await InsertDeliveriesAsync(c, t, [delivery], null, now, deliverAt.Value);
                }
                else
                {
                    created.Add(delivery);
                }
            }

            await InsertDeliveriesAsync(c, t, created, lease, now, now);
            return created;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListFailedMessagesAsync(string endpointId, DateTimeOffset since, DateTimeOffset? until, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>(
            """
            SELECT DISTINCT d.message_id FROM deliveries d
            WHERE d.endpoint_id = @endpointId AND d.status = 2 AND d.created_at >= @since AND (@until IS NULL OR d.created_at < @until)
              AND EXISTS (SELECT 1 FROM messages m WHERE m.id = d.message_id AND m.payload IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM deliveries s WHERE s.message_id = d.message_id AND s.endpoint_id = d.endpoint_id AND s.status IN (0, 1, 3))
            ORDER BY d.message_id
            """,
            new { endpointId, since = Ts(since), until = Ts(until) })).ToList(), cancellationToken);
}
