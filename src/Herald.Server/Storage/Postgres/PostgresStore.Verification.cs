using Dapper;
using Herald.Server.Endpoints;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private static DynamicParameters WithVerification(object parameters, EndpointVerification? verification)
    {
        var all = new DynamicParameters(parameters);
        all.AddDynamicParams(VerificationParameters(verification));
        return all;
    }

    // The endpoint row's lock orders this against HoldForVerificationAsync: a hold that read "pending" first has
    // committed before the release below runs (and that statement's fresh snapshot sees the parked delivery).
    public Task<bool> SetEndpointVerificationAsync(string endpointId, EndpointVerification? verification, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = Ts(now) }, verification);
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
                      AND EXISTS (SELECT 1 FROM endpoints WHERE id = @endpointId AND NOT disabled)
                    """, parameters, t);
            }

            return found;
        }, cancellationToken);

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
            return rows.Select(r => r.ToEndpoint(_sealer)).ToList();
        }, cancellationToken);

    public Task<HeraldEndpoint?> FindEndpointByVerificationTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(
            $"SELECT {EndpointColumns} FROM endpoints WHERE verification_token_hash = @tokenHash AND verification_status = 'pending' LIMIT 1",
            new { tokenHash }))?.ToEndpoint(_sealer), cancellationToken);

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

    public Task<bool?> GiveUpEndpointVerificationAsync(string endpointId, EndpointVerification failed, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync<bool?>(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = Ts(now) }, failed);
            if (await c.ExecuteAsync(
                """
                UPDATE endpoints SET verification_status = @VerificationStatus, verification_last_error = @VerificationLastError,
                    verification_next_check_at = NULL, verification_token_hash = NULL, verification_awaiting_callback = FALSE
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
                "UPDATE endpoints SET disabled = TRUE, updated_at = @now WHERE id = @endpointId AND NOT disabled", parameters, t) == 1;
        }, cancellationToken);
}
