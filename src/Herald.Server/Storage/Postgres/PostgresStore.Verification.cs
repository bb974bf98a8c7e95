using Dapper;
using Herald.Server.Endpoints;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    public Task<IReadOnlyList<HeraldEndpoint>> ClaimDueVerificationsAsync(DateTimeOffset now, DateTimeOffset claimedUntil, int limit, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<HeraldEndpoint>>(async (c, t) =>
        {
            var rows = await c.QueryAsync<EndpointRow>(
                $"""
                UPDATE endpoints SET verification_next_check_at = @until
                WHERE id IN (SELECT id FROM endpoints WHERE verification_status = 'pending' AND verification_next_check_at <= @now
                             ORDER BY verification_next_check_at LIMIT @limit FOR UPDATE SKIP LOCKED)
                RETURNING {EndpointColumns}
                """, new { now = Ts(now), until = Ts(claimedUntil), limit }, t);
            return rows.Select(ToEndpoint).ToList();
        }, cancellationToken);

    public Task HoldForVerificationAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // FOR SHARE waits for a verification being stored and then reads it (see SetEndpointVerificationAsync).
            var status = await c.ExecuteScalarAsync<string?>(
                """
                SELECT e.verification_status FROM endpoints e
                WHERE e.id = (SELECT endpoint_id FROM deliveries WHERE id = @deliveryId) FOR SHARE
                """, new { deliveryId }, t);
            await c.ExecuteAsync(
                "UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = @next WHERE id = @deliveryId AND status = 1",
                new { deliveryId, next = status is "pending" or "failed" ? (DateTimeOffset?)null : Ts(now) }, t);
        }, cancellationToken);
}
