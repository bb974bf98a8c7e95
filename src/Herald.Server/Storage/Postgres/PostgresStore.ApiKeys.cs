using Dapper;
using Herald.Server.Auth;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // A full-admin key that will go on working: the ones the last-admin rule keeps at least one of.
    private const string LastingAdminKey = "name IS NOT NULL AND app_id IS NULL AND NOT read_only AND revoked_at IS NULL AND expires_at IS NULL";

    private sealed record KeyState(string? AppId, bool ReadOnly, DateTime? RevokedAt, DateTime? ExpiresAt);

    public Task<Page<ApiToken>> ListApiKeysAsync(PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<TokenRow>(
                $"SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE {where} AND name IS NOT NULL {orderBy}",
                new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToToken()), page);
        }, cancellationToken);

    public Task<ApiToken?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<TokenRow>(
            $"SELECT {TokenColumns}, FALSE AS previous FROM api_tokens WHERE id = @keyId AND name IS NOT NULL", new { keyId }))?.ToToken(), cancellationToken);

    public Task<ApiKeyChange> EndApiKeyAsync(string keyId, DateTimeOffset at, bool revoke, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Nodes revoking two keys at once must not each see the other's as the one left: every lasting full-admin
            // key is locked first (in id order, so two such transactions queue rather than deadlock), then counted.
            var lasting = (await c.QueryAsync<string>($"SELECT id FROM api_tokens WHERE {LastingAdminKey} ORDER BY id FOR UPDATE", transaction: t)).ToList();
            var key = await c.QuerySingleOrDefaultAsync<KeyState>(
                "SELECT app_id, read_only, revoked_at, expires_at FROM api_tokens WHERE id = @keyId AND name IS NOT NULL FOR UPDATE", new { keyId }, t);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            if (lasting.Contains(keyId) && lasting.Count == 1)
            {
                return ApiKeyChange.LastAdminKey;
            }

            await c.ExecuteAsync(
                revoke
                    ? "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, @at), previous_hash = NULL, previous_expires_at = NULL WHERE id = @keyId"
                    : "UPDATE api_tokens SET expires_at = LEAST(COALESCE(expires_at, @at), @at) WHERE id = @keyId",
                new { keyId, at = Ts(at) }, t);
            return ApiKeyChange.Done;
        }, cancellationToken);

    public Task<ApiKeyChange> RotateApiKeyAsync(
        string keyId, byte[] hash, string prefix, DateTimeOffset? previousValidUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var key = await c.QuerySingleOrDefaultAsync<KeyState>(
                "SELECT app_id, read_only, revoked_at, expires_at FROM api_tokens WHERE id = @keyId AND name IS NOT NULL FOR UPDATE", new { keyId }, t);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            if (key.RevokedAt is not null || (Time(key.ExpiresAt) is { } expiry && expiry <= now))
            {
                return ApiKeyChange.Inactive;
            }

            // Every right-hand side reads the row as it was: the old secret moves to previous_hash, the new one takes its place.
            await c.ExecuteAsync(
                """
                UPDATE api_tokens SET previous_hash = CASE WHEN @until::timestamptz IS NULL THEN NULL ELSE hash END,
                    previous_expires_at = @until::timestamptz, hash = @hash, prefix = @prefix
                WHERE id = @keyId
                """,
                new { keyId, hash, prefix, until = Ts(previousValidUntil) }, t);
            return ApiKeyChange.Done;
        }, cancellationToken);

    public Task TouchApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, @at) WHERE id = @keyId", new { keyId, at = Ts(at) }, t), cancellationToken);
}
