using Dapper;
using Herald.Server.Endpoints;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string HoldingStatuses = "('pending', 'failed')";

    private static DynamicParameters WithVerification(object parameters, EndpointVerification? verification)
    {
        var all = new DynamicParameters(parameters);
        all.AddDynamicParams(VerificationParameters(verification));
        return all;
    }

    public Task<bool> SetEndpointVerificationAsync(string endpointId, EndpointVerification? verification, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = Ms(now) }, verification);
            var found = await c.ExecuteAsync(
                """
                UPDATE endpoints SET verification_method = @VerificationMethod, verification_status = @VerificationStatus,
                    verification_started_at = @VerificationStartedAt, verification_verified_at = @VerificationVerifiedAt,
                    verification_last_error = @VerificationLastError, verification_next_check_at = @VerificationNextCheckAt,
                    verification_token_hash = @VerificationTokenHash, verification_awaiting_callback = @VerificationAwaitingCallback,
                    verification_allowed_rate = @VerificationAllowedRate
                WHERE id = @endpointId
                """, parameters, t) == 1;
            if (found && verification?.HoldsDeliveries != true)
            {
                await c.ExecuteAsync(
                    """
                    UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
                    WHERE endpoint_id = @endpointId AND status = 1 AND next_attempt_at IS NULL AND lease_owner IS NULL
                      AND EXISTS (SELECT 1 FROM endpoints WHERE id = @endpointId AND disabled = 0)
                    """, parameters, t);
            }

            return found;
        }, cancellationToken);

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

            return rows.Select(r => r.ToEndpoint(_sealer)).ToList();
        }, cancellationToken);

    public Task<HeraldEndpoint?> FindEndpointByVerificationTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(
            $"SELECT {EndpointColumns} FROM endpoints WHERE verification_token_hash = @tokenHash AND verification_status = 'pending' LIMIT 1",
            new { tokenHash }))?.ToEndpoint(_sealer), cancellationToken);

    // One writer: the verification state read here is the one at write time.
    public Task HoldForVerificationAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            $"""
            UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL,
                next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM endpoints e WHERE e.id = deliveries.endpoint_id AND e.verification_status IN {HoldingStatuses})
                    THEN NULL ELSE @now END
            WHERE id = @deliveryId AND status = 1
            """, new { deliveryId, now = Ms(now) }, t), cancellationToken);

    public Task<bool?> GiveUpEndpointVerificationAsync(string endpointId, EndpointVerification failed, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync<bool?>(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = Ms(now) }, failed);
            if (await c.ExecuteAsync(
                """
                UPDATE endpoints SET verification_status = @VerificationStatus, verification_last_error = @VerificationLastError,
                    verification_next_check_at = NULL, verification_token_hash = NULL, verification_awaiting_callback = 0
                WHERE id = @endpointId AND verification_status = 'pending' AND verification_started_at = @VerificationStartedAt
                """, parameters, t) == 0)
            {
                return null; // The round ended otherwise meanwhile: verified by its callback, or replaced by a new one.
            }

            // Held deliveries are parked (next_attempt_at NULL) and unleased: they fail as exhausted ones do.
            await c.ExecuteAsync(
                """
                UPDATE deliveries SET status = 2, next_attempt_at = NULL, updated_at = @now
                WHERE endpoint_id = @endpointId AND status = 1 AND next_attempt_at IS NULL AND lease_owner IS NULL
                """, parameters, t);
            return await c.ExecuteAsync(
                "UPDATE endpoints SET disabled = 1, updated_at = @now WHERE id = @endpointId AND disabled = 0", parameters, t) == 1;
        }, cancellationToken);
}
