namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    public Task<int> ReplaceStoredSecretsAsync(IReadOnlyList<StoredSecretChange> changes, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => ApplySecretChangesAsync(c, t, changes), cancellationToken);

    // Old row versions stay in the table files until VACUUM reuses their space (and in WAL archives and backups):
    // docs/SECURITY.md says what an operator does about them after the first, plaintext-sealing start.
    public Task ScrubRewrittenSecretsAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
