using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    protected override string LockRead => "";

    // The single writer runs this whole check-and-change alone, so two revocations cannot each see the other's key as the one left.
    public Task<ApiKeyChange> EndApiKeyAsync(string keyId, DateTimeOffset at, bool revoke, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(WriteAsync(async (c, t) =>
        {
            var key = await ReadKeyStateAsync(c, t, keyId);
            if (key is null)
            {
                return ApiKeyChange.NotFound;
            }

            var lasting = key is { AppId: null, ReadOnly: false, RevokedAt: null, ExpiresAt: null };
            if (lasting && !await c.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM api_tokens WHERE {LastingAdminKey} AND id <> @keyId)", new { keyId }, t))
            {
                return ApiKeyChange.LastAdminKey;
            }

            return await EndKeyAsync(c, t, keyId, at, revoke);
        }, cancellationToken), _tokens);

    public override Task<ApiKeyChange> RotateApiKeyAsync(
        string keyId, byte[] hash, string prefix, DateTimeOffset? previousValidUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.RotateApiKeyAsync(keyId, hash, prefix, previousValidUntil, now, cancellationToken), _tokens);

    // Not invalidating the token cache: the time of last use decides nothing, and ApiKeyUsage does not rely on it.
    public Task TouchApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), @at) WHERE id = @keyId", new { keyId, at = Ms(at) }, t), cancellationToken);
}
