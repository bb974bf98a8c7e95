using System.Data.Common;
using Dapper;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    private sealed record StoredHeadersRow(string Id, string Headers);

    private sealed record StoredKeyRow(string EndpointId, string Key);

    public Task<IReadOnlyList<StoredEndpointSecrets>> ListStoredSecretsAsync(string? afterEndpointId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredEndpointSecrets>>(async c =>
        {
            // Both reads in one transaction: on SQLite one snapshot; on PostgreSQL (read committed) a key added between
            // them is sealed already, or is resealed at the next start.
            await using var snapshot = await c.BeginTransactionAsync(cancellationToken);
            var endpoints = (await c.QueryAsync<StoredHeadersRow>(
                "SELECT id, headers FROM endpoints WHERE CAST(@after AS TEXT) IS NULL OR id > @after ORDER BY id LIMIT @limit",
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

    /// <summary>Writes each change whose field still holds its old value; returns how many were written.</summary>
    protected static async Task<int> ApplySecretChangesAsync(DbConnection c, DbTransaction t, IReadOnlyList<StoredSecretChange> changes)
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
    }
}
