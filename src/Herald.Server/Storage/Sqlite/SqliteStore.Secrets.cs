using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public Task<int> ReplaceStoredSecretsAsync(IReadOnlyList<StoredSecretChange> changes, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // secure_delete zeroes the space the old values leave in their pages, so no plaintext is left behind in the file.
            var secureDelete = await c.ExecuteScalarAsync<long>("PRAGMA secure_delete", transaction: t);
            await c.ExecuteAsync("PRAGMA secure_delete = 1", transaction: t);
            var applied = await ApplySecretChangesAsync(c, t, changes);
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
