using Dapper;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    protected override string LockRead => " FOR UPDATE";

    public Task<ApiKeyChange> EndApiKeyAsync(string keyId, DateTimeOffset at, bool revoke, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Nodes revoking two keys at once must not each see the other's as the one left: every lasting full-admin
            // key is locked first (in id order, so two such transactions queue rather than deadlock), then counted.
            var lasting = (await c.QueryAsync<string>($"SELECT id FROM api_tokens WHERE {LastingAdminKey} ORDER BY id FOR UPDATE", transaction: t)).ToList();
            if (await ReadKeyStateAsync(c, t, keyId) is null)
            {
                return ApiKeyChange.NotFound;
            }

            if (lasting.Contains(keyId) && lasting.Count == 1)
            {
                return ApiKeyChange.LastAdminKey;
            }

            return await EndKeyAsync(c, t, keyId, at, revoke);
        }, cancellationToken);

    public Task TouchApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, @at) WHERE id = @keyId", new { keyId, at = Ts(at) }, t), cancellationToken);
}
