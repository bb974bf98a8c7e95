using Dapper;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record StoredHeadersRow(string Id, string Headers);

    private sealed record StoredKeyRow(string EndpointId, string Key);

    public Task<IReadOnlyList<StoredEndpointSecrets>> ListStoredSecretsAsync(string? afterEndpointId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredEndpointSecrets>>(async c =>
        {
            var endpoints = (await c.QueryAsync<StoredHeadersRow>(
                "SELECT id, headers FROM endpoints WHERE @after::text IS NULL OR id > @after ORDER BY id LIMIT @limit",
                new { after = afterEndpointId, limit })).ToList();
            if (endpoints.Count == 0)
            {
                return [];
            }

            // A key added between the two reads is sealed already (or is resealed at the next start).
            var keys = (await c.QueryAsync<StoredKeyRow>(
                "SELECT endpoint_id, key FROM endpoint_secrets WHERE endpoint_id >= @first AND endpoint_id <= @last",
                new { first = endpoints[0].Id, last = endpoints[^1].Id })).ToLookup(k => k.EndpointId, k => k.Key);
            return endpoints.Select(e => new StoredEndpointSecrets(e.Id, e.Headers, keys[e.Id].ToList())).ToList();
        }, cancellationToken);

    public Task<int> ReplaceStoredSecretsAsync(IReadOnlyList<StoredSecretChange> changes, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            var applied = 0;
            foreach (var change in changes)
            {
                applied += await c.ExecuteAsync(
                    change.Field.IsHeaders
                        ? "UPDATE endpoints SET headers = @NewValue WHERE id = @endpointId AND headers = @OldValue"
                        : "UPDATE endpoint_secrets SET key = @NewValue WHERE endpoint_id = @endpointId AND key = @OldValue",
                    new { endpointId = change.Field.EndpointId, change.OldValue, change.NewValue }, t);
            }

            return applied;
        }, cancellationToken);

    // Old row versions stay in the table files until VACUUM reuses their space (and in WAL archives and backups):
    // docs/SECURITY.md says what an operator does about them after the first, plaintext-sealing start.
    public Task ScrubRewrittenSecretsAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
