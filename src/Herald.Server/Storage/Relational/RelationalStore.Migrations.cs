using Dapper;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>Where the engine's numbered migrations are embedded (e.g. <c>Herald.Server.Storage.Sqlite.Migrations.</c>).</summary>
    protected abstract string MigrationsPrefix { get; }

    public Task<bool> MigrationsAppliedAsync(CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var applied = (await c.QueryAsync<long>("SELECT version FROM schema_migrations")).ToHashSet();
            return LoadMigrations().All(m => applied.Contains(m.Version));
        }, cancellationToken);

    private IEnumerable<(long Version, string Name, string Sql)> LoadMigrations() => StoreCommon.LoadMigrations(MigrationsPrefix);

    /// <summary>
    /// Applies, in order, the engine's migrations that <c>schema_migrations</c> does not list yet, each in its
    /// own transaction with its row there; <c>createTable</c> is the engine's <c>CREATE TABLE IF NOT EXISTS schema_migrations …</c>.
    /// </summary>
    protected async Task RunMigrationsAsync(TConnection connection, string createTable, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(createTable);
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations")).ToHashSet();
        foreach (var (version, name, sql) in LoadMigrations())
        {
            if (applied.Contains(version))
            {
                continue;
            }

            var rebuilds = sql.StartsWith(RebuildsTables, StringComparison.Ordinal);
            if (rebuilds)
            {
                await BeginTableRebuildAsync(connection);
            }

            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(sql, transaction: transaction);
                if (rebuilds)
                {
                    await CheckTableRebuildAsync(connection, transaction);
                }

                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @now)",
                    new { version, name, now = ToArg(DateTimeOffset.UtcNow) },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                if (rebuilds)
                {
                    await EndTableRebuildAsync(connection);
                }
            }
        }
    }

    /// <summary>
    /// The first line of a migration that rebuilds a table (creates a copy, drops the original, renames the copy):
    /// the engine may need referential actions off meanwhile, so that dropping the original cascades to nothing.
    /// </summary>
    protected const string RebuildsTables = "-- herald: rebuilds tables";

    /// <summary>Before the transaction of a table-rebuilding migration (SQLite: foreign keys off, which a transaction cannot change).</summary>
    protected virtual Task BeginTableRebuildAsync(TConnection connection) => Task.CompletedTask;

    /// <summary>Inside its transaction, before the commit: throw to roll the migration back if a reference was broken.</summary>
    protected virtual Task CheckTableRebuildAsync(TConnection connection, System.Data.Common.DbTransaction transaction) => Task.CompletedTask;

    /// <summary>After the transaction, committed or not (SQLite: foreign keys on again).</summary>
    protected virtual Task EndTableRebuildAsync(TConnection connection) => Task.CompletedTask;
}
