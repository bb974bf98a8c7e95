using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record StoredHeadersRow(string Id, string Headers);

    private sealed record StoredKeyRow(string EndpointId, string Key);

    public Task<IReadOnlyList<StoredEndpointSecrets>> ListStoredSecretsAsync(string? afterEndpointId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredEndpointSecrets>>(async c =>
        {
            await using var snapshot = await c.BeginTransactionAsync(cancellationToken);
            var endpoints = (await c.QueryAsync<StoredHeadersRow>(
                "SELECT id, headers FROM endpoints WHERE @after IS NULL OR id > @after ORDER BY id LIMIT @limit",
                new { after = afterEndpointId, limit }, snapshot)).ToList();
            if (endpoints.Count == 0)
            {
                return [];
            }

            var keys = (await c.QueryAsync<StoredKeyRow>(
                "SELECT endpoint_id, key FROM endpoint_secrets WHERE endpoint_id >= @first AND endpoint_id <= @last",
                new { first = endpoints[0].Id, last = endpoints[^1].Id }, snapshot)).ToLookup(k => k.EndpointId, k => k.Key);
            return endpoints.Select(e => new StoredEndpointSecrets(e.Id, e.Headers, keys[e.Id].ToList())).ToList();
        }, cancellationToken);

    public Task<int> ReplaceStoredSecretsAsync(IReadOnlyList<StoredSecretChange> changes, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // secure_delete zeroes the space the old values leave in their pages, so no plaintext is left behind in the file.
            var secureDelete = await c.ExecuteScalarAsync<long>("PRAGMA secure_delete", transaction: t);
            await c.ExecuteAsync("PRAGMA secure_delete = 1", transaction: t);
            var applied = 0;
            foreach (var change in changes)
            {
                applied += await c.ExecuteAsync(
                    change.Field.IsHeaders
                        ? "UPDATE endpoints SET headers = @NewValue WHERE id = @endpointId AND headers = @OldValue"
                        : "UPDATE endpoint_secrets SET key = @NewValue WHERE endpoint_id = @endpointId AND key = @OldValue",
                    new { endpointId = change.Field.EndpointId, change.OldValue, change.NewValue }, t);
            }

            await c.ExecuteAsync($"PRAGMA secure_delete = {secureDelete}", transaction: t);
            return applied;
        }, cancellationToken);

    public async Task ScrubRewrittenSecretsAsync(CancellationToken cancellationToken)
    {
        // The rewritten pages are in the WAL and the main file still holds their old images: copy them over and empty the WAL.
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
    }
}
