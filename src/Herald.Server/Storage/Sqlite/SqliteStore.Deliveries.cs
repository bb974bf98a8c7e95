using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Herald.Server.Delivery;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record DeliveryRow(string Id, string AppId, string MessageId, string EndpointId, long Manual, long Attempts)
    {
        public DeliveryTask ToTask() => new(Id, AppId, MessageId, EndpointId, Manual != 0, (int)Attempts);
    }

    private const string DeliveryColumns = "id, app_id, message_id, endpoint_id, manual, attempts";

    /// <summary>A pending delivery, due at <paramref name="due"/>; leased to the caller, or to nobody (the scan claims it when due).</summary>
    private static void InsertDelivery(SqliteConnection c, DbTransaction t, DeliveryTask delivery, DeliveryLease? lease, DateTimeOffset now, DateTimeOffset due) =>
        c.Run(
            """
            INSERT INTO deliveries (id, app_id, message_id, endpoint_id, manual, status, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
            VALUES (@Id, @ApplicationId, @MessageId, @EndpointId, @Manual, 1, 0, @due, @owner, @until, @now, @now)
            """,
            new
            {
                delivery.Id,
                delivery.ApplicationId,
                delivery.MessageId,
                delivery.EndpointId,
                delivery.Manual,
                now = Ms(now),
                due = Ms(due),
                owner = lease?.Owner,
                until = Ms(lease?.Until),
            }, t);

    public Task<IReadOnlyList<DeliveryTask>> ClaimDueDeliveriesAsync(
        DeliveryLease lease, DateTimeOffset now, int limit, int perEndpoint, IReadOnlyDictionary<string, int>? room, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<DeliveryTask>>(async (c, t) =>
        {
            // Each endpoint's share (its room when the claimer gave one, {"endpoint id": n}, else @perEndpoint; its
            // oldest due deliveries) comes from its own range of the deliveries_unfinished index (endpoint_id, then
            // rowid: insertion order), which stops at the share: the claim reads a few rows per endpoint, never the
            // whole backlog. Ranking every due delivery with a window function cost the writer time in proportion to the
            // backlog on every claim: a 100,000-message backlog drained at 747 deliveries/s where 20,000 drained at
            // 1,760/s (BENCHMARKS.md). PostgreSQL does the same with LATERAL. SQLite's LIMIT cannot depend on the
            // endpoint, so each range stops at the largest share and the rank within it applies the endpoint's own.
            var shares = room is { Count: > 0 } ? Math.Max(perEndpoint, room.Values.Max()) : perEndpoint;
            var rows = await c.QueryAsync<DeliveryRow>(
                $"""
                WITH rooms AS MATERIALIZED (SELECT key AS endpoint_id, value AS room FROM json_each(@room))
                UPDATE deliveries SET lease_owner = @owner, lease_expires_at = @until
                WHERE id IN (
                    SELECT id FROM (
                        SELECT s.id, s.next_attempt_at, e.room, ROW_NUMBER() OVER (PARTITION BY e.id ORDER BY s.rowid) AS place
                        FROM (SELECT n.id, COALESCE(r.room, @perEndpoint) AS room FROM endpoints n LEFT JOIN rooms r ON r.endpoint_id = n.id) AS e
                        JOIN deliveries s ON s.id IN (
                            SELECT id FROM deliveries INDEXED BY deliveries_unfinished
                            WHERE endpoint_id = e.id AND status IN (1, 3) AND status = 1 AND next_attempt_at <= @now
                              AND (lease_expires_at IS NULL OR lease_expires_at <= @now) AND {FifoClaimable}
                            ORDER BY rowid LIMIT @shares)
                        WHERE e.room > 0)
                    WHERE place <= room
                    ORDER BY next_attempt_at LIMIT @limit)
                RETURNING {DeliveryColumns}
                """,
                new { owner = lease.Owner, until = Ms(lease.Until), now = Ms(now), limit, perEndpoint, shares, room = RoomJson(room) }, t);
            return rows.Select(r => r.ToTask()).ToList();
        }, cancellationToken);

    /// <summary>The claim's room per endpoint as the JSON object the claim reads with json_each.</summary>
    private static string RoomJson(IReadOnlyDictionary<string, int>? room) =>
        room is null or { Count: 0 } ? "{}" : new JsonObject(room.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))).ToJsonString();

    public async Task<DeliveryWork?> GetDeliveryWorkAsync(DeliveryTask delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The hot path of every attempt: the delivery and its message from storage (one snapshot) unless the publish
        // handed them over, the endpoint and its opened secrets from memory (invalidated by the writer's update hook
        // whenever either changes: SqliteStore.cs).
        var (task, message) = delivery.HandOff is { } handOff ? (delivery, handOff.Message) : await ReadDeliveryAsync(delivery.Id, cancellationToken);
        if (task is null || message is null)
        {
            return null;
        }

        var endpoint = await _sendingEndpoints.GetAsync(task.EndpointId, () => LoadEndpointForSendingAsync(task.EndpointId, cancellationToken));
        return endpoint is null ? null : new DeliveryWork(task, message, endpoint.Endpoint, endpoint.LiveSecrets(now));
    }

    private Task<(DeliveryTask? Delivery, Messages.Message? Message)> ReadDeliveryAsync(string deliveryId, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var snapshot = c.BeginTransaction(deferred: true);
            var delivery = c.One<DeliveryRow>($"SELECT {DeliveryColumns} FROM deliveries WHERE id = @deliveryId", new { deliveryId }, snapshot);
            var message = delivery is null
                ? null
                : c.One<MessageRow>($"SELECT {MessageColumns} FROM messages WHERE id = @MessageId", new { delivery.MessageId }, snapshot);
            return Task.FromResult<(DeliveryTask?, Messages.Message?)>((delivery?.ToTask(), message is null ? null : ToMessage(message)));
        }, cancellationToken);

    /// <summary>An endpoint as the send path keeps it: with every secret opened, expired or not (each send picks the live ones).</summary>
    private Task<SendingEndpoint?> LoadEndpointForSendingAsync(string endpointId, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var snapshot = c.BeginTransaction(deferred: true);
            var endpoint = c.One<EndpointRow>($"SELECT {EndpointColumns} FROM endpoints WHERE id = @endpointId", new { endpointId }, snapshot);
            if (endpoint is null)
            {
                return Task.FromResult<SendingEndpoint?>(null);
            }

            var secrets = c.All<(string Key, long? ExpiresAt)>(
                "SELECT key, expires_at FROM endpoint_secrets WHERE endpoint_id = @endpointId ORDER BY created_at DESC, rowid DESC",
                new { endpointId }, snapshot);
            return Task.FromResult<SendingEndpoint?>(new SendingEndpoint(
                ToEndpoint(endpoint), secrets.Select(s => (OpenSecret(endpointId, s.Key), s.ExpiresAt is { } at ? Time(at) : (DateTimeOffset?)null)).ToList()));
        }, cancellationToken);

    public Task<DateTimeOffset?> RecordAttemptAsync(AttemptRecord attempt, DeliveryTransition transition, CancellationToken cancellationToken) =>
        WriteAsync((c, t) =>
        {
            c.Run(
                """
                INSERT INTO attempts (id, app_id, delivery_id, message_id, endpoint_id, url, status, trigger_type, response_status_code,
                                      response, response_duration_ms, error, created_at)
                VALUES (@Id, @ApplicationId, @DeliveryId, @MessageId, @EndpointId, @Url, @Status, @Trigger, @ResponseStatusCode,
                        @Response, @ResponseDurationMs, @Error, @CreatedAt)
                """,
                new
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
                    CreatedAt = Ms(attempt.CreatedAt),
                }, t);
            // A delivery canceled while this try was in flight (its payload expunged or expired) stays canceled unless the
            // try succeeded: with no payload there is nothing to retry.
            c.Run(
                """
                UPDATE deliveries SET
                    status = CASE WHEN status = 4 AND @status <> 0 THEN 4 ELSE @status END,
                    next_attempt_at = CASE WHEN status = 4 AND @status <> 0 THEN NULL ELSE @next END,
                    attempts = attempts + 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                WHERE id = @DeliveryId
                """,
                new { status = (int)transition.Status, next = Ms(transition.NextAttemptAt), now = Ms(attempt.CreatedAt), attempt.DeliveryId }, t);
            if (transition.Status == MessageStatus.Fail)
            {
                c.Run(StopFifoLineOnFail, new { now = Ms(attempt.CreatedAt), attempt.EndpointId, attempt.DeliveryId }, t);
            }
            if (attempt.Status == MessageStatus.Success)
            {
                // The common case: a healthy endpoint stays healthy, and its row is not rewritten at every attempt.
                c.Run("UPDATE endpoints SET failing_since = NULL WHERE id = @EndpointId AND failing_since IS NOT NULL", new { attempt.EndpointId }, t);
                return Task.FromResult<DateTimeOffset?>(null);
            }

            var failingSince = c.Scalar<long?>(
                """
                UPDATE endpoints SET failing_since = @now WHERE id = @EndpointId AND failing_since IS NULL;
                SELECT failing_since FROM endpoints WHERE id = @EndpointId;
                """,
                new { now = Ms(attempt.CreatedAt), attempt.EndpointId }, t);
            return Task.FromResult(failingSince is { } f ? Time(f) : (DateTimeOffset?)null);
        }, cancellationToken, bookkeeping: true);

    public Task ReleaseDeliveryAsync(string deliveryId, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = @next WHERE id = @deliveryId AND status = 1",
            new { deliveryId, next = Ms(nextAttemptAt) }, t), cancellationToken, bookkeeping: true);

    public Task ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = @owner", new { owner }, t), cancellationToken);

    // One SQLite file serves one Herald process, so any lease found at start-up belongs to a process that died.
    public Task RecoverAfterRestartAsync(CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL", transaction: t), cancellationToken);

    public Task<bool> DisableEndpointAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE endpoints SET disabled = 1, updated_at = @now WHERE id = @endpointId AND disabled = 0", new { endpointId, now = Ms(now) }, t) == 1,
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
                var deliverAt = c.Scalar<long?>("SELECT deliver_at FROM messages WHERE id = @messageId", new { messageId }, t) is { } at ? Time(at) : (DateTimeOffset?)null;
                var delivery = new DeliveryTask(_ids.New(Ids.Delivery), appId!, messageId, endpointId, Manual: true, Attempts: 0);
                var later = deliverAt > now;
                InsertDelivery(c, t, delivery, later ? null : lease, now, later ? deliverAt!.Value : now);
                if (!later)
                {
                    created.Add(delivery);
                }
            }

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
            new { endpointId, since = Ms(since), until = Ms(until) })).ToList(), cancellationToken);
}
