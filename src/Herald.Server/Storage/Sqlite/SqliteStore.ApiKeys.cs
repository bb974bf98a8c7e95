using Dapper;
using Herald.Server.Auth;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    // A full-admin key that will go on working: the ones the last-admin rule keeps at least one of.
    private const string LastingAdminKey = "name IS NOT NULL AND app_id IS NULL AND read_only = 0 AND revoked_at IS NULL AND expires_at IS NULL";

    private sealed record KeyState(string? AppId, long ReadOnly, long? RevokedAt, long? ExpiresAt);

    public Task<Page<ApiToken>> ListApiKeysAsync(PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<TokenRow>(
                $"SELECT {TokenColumns}, 0 AS previous FROM api_tokens WHERE {where} AND name IS NOT NULL {orderBy}",
                new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToToken()), page);
        }, cancellationToken);

    public Task<ApiToken?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<TokenRow>(
            $"SELECT {TokenColumns}, 0 AS previous FROM api_tokens WHERE id = @keyId AND name IS NOT NULL", new { keyId }))?.ToToken(), cancellationToken);

    // The single writer runs this whole check-and-change alone, so two revocations cannot each see the other's key as the one left.
    public Task<ApiKeyChange> EndApiKeyAsync(string keyId, DateTimeOffset at, bool revoke, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync(async (c, t) =>
        {
            var key = await c.QuerySingleOrDefaultAsync<KeyState>(
                "SELECT app_id, read_only, revoked_at, expires_at FROM api_tokens WHERE id = @keyId AND name IS NOT NULL", new { keyId }, t);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            var lasting = key is { AppId: null, ReadOnly: 0, RevokedAt: null, ExpiresAt: null };
            if (lasting && !await c.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM api_tokens WHERE {LastingAdminKey} AND id <> @keyId)", new { keyId }, t))
            {
                return ApiKeyChange.LastAdminKey;
            }

            await c.ExecuteAsync(
                revoke
                    ? "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, @at), previous_hash = NULL, previous_expires_at = NULL WHERE id = @keyId"
                    : "UPDATE api_tokens SET expires_at = MIN(COALESCE(expires_at, @at), @at) WHERE id = @keyId",
                new { keyId, at = Ms(at) }, t);
            return ApiKeyChange.Done;
        }, cancellationToken), _tokens);

    public Task<ApiKeyChange> RotateApiKeyAsync(
        string keyId, byte[] hash, string prefix, DateTimeOffset? previousValidUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync(async (c, t) =>
        {
            var key = await c.QuerySingleOrDefaultAsync<KeyState>(
                "SELECT app_id, read_only, revoked_at, expires_at FROM api_tokens WHERE id = @keyId AND name IS NOT NULL", new { keyId }, t);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            if (key.RevokedAt is not null || key.ExpiresAt <= Ms(now))
            {
                return ApiKeyChange.Inactive;
            }

            // Every right-hand side reads the row as it was: the old secret moves to previous_hash, the new one takes its place.
            await c.ExecuteAsync(
                """
                UPDATE api_tokens SET previous_hash = CASE WHEN @until IS NULL THEN NULL ELSE hash END, previous_expires_at = @until,
                    hash = @hash, prefix = @prefix
                WHERE id = @keyId
                """,
                new { keyId, hash, prefix, until = Ms(previousValidUntil) }, t);
            return ApiKeyChange.Done;
        }, cancellationToken), _tokens);

    // Not invalidating the token cache: the time of last use decides nothing, and ApiKeyUsage does not rely on it.
    public Task TouchApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), @at) WHERE id = @keyId", new { keyId, at = Ms(at) }, t), cancellationToken);
}
