using Dapper;
using Herald.Server.Endpoints;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    protected DynamicParameters WithVerification(object parameters, EndpointVerification? verification)
    {
        var all = new DynamicParameters(parameters);
        all.AddDynamicParams(VerificationParameters(verification));
        return all;
    }

    // PostgreSQL: the endpoint row's lock orders this against HoldForVerificationAsync: a hold that read "pending"
    // first has committed before the release below runs (and that statement's fresh snapshot sees the parked
    // delivery). SQLite: the one writer orders them.
    public Task<bool> SetEndpointVerificationAsync(string endpointId, EndpointVerification? verification, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = ToArg(now) }, verification);
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

    public Task<HeraldEndpoint?> FindEndpointByVerificationTokenAsync(string tokenHash, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EndpointRow>(
            $"SELECT {EndpointColumns} FROM endpoints WHERE verification_token_hash = @tokenHash AND verification_status = 'pending' LIMIT 1",
            new { tokenHash })) is { } row ? ToEndpoint(row) : null, cancellationToken);

    public Task<bool?> GiveUpEndpointVerificationAsync(string endpointId, EndpointVerification failed, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransactAsync<bool?>(async (c, t) =>
        {
            var parameters = WithVerification(new { endpointId, now = ToArg(now) }, failed);
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
