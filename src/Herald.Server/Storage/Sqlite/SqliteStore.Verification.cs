using Dapper;
using Herald.Server.Endpoints;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string HoldingStatuses = "('pending', 'failed')";

    public Task<IReadOnlyList<HeraldEndpoint>> ClaimDueVerificationsAsync(DateTimeOffset now, DateTimeOffset claimedUntil, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<HeraldEndpoint>>(async (c, t) =>
        {
            var rows = (await c.QueryAsync<EndpointRow>(
                $"""
                SELECT {EndpointColumns} FROM endpoints
                WHERE verification_status = 'pending' AND verification_next_check_at <= @now
                ORDER BY verification_next_check_at LIMIT @limit
                """, new { now = Ms(now), limit }, t)).ToList();
            if (rows.Count > 0)
            {
                await c.ExecuteAsync(
                    "UPDATE endpoints SET verification_next_check_at = @until WHERE id IN @ids",
                    new { until = Ms(claimedUntil), ids = rows.Select(r => r.Id).ToList() }, t);
            }

            return rows.Select(ToEndpoint).ToList();
        }, cancellationToken);

    // One writer: the verification state read here is the one at write time.
    public Task HoldForVerificationAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            $"""
            UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL,
                next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM endpoints e WHERE e.id = deliveries.endpoint_id AND e.verification_status IN {HoldingStatuses})
                    THEN NULL ELSE @now END
            WHERE id = @deliveryId AND status = 1
            """, new { deliveryId, now = Ms(now) }, t), cancellationToken);
}
