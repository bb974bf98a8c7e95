using System.Data.Common;
using Dapper;
using Herald.Server.Secrets;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    protected override SecretSealer Sealer => _sealer;

    protected override CountLimits Limits => _limits;

    // In the write's transaction: the single writer makes count-then-insert atomic.
    protected override Task<long> CountTowardLimitAsync(SqliteConnection c, DbTransaction t, string table, string applicationId) =>
        c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE app_id = @applicationId", new { applicationId }, t);

    protected override string SecretSequence => "rowid";

    // Nothing to lock: the one writer runs one rotation at a time.
    protected override Task LockForRotationAsync(SqliteConnection c, DbTransaction t, string endpointId) => Task.CompletedTask;
}
