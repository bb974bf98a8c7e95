using System.Data.Common;
using Dapper;
using Herald.Server.Secrets;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    protected override SecretSealer Sealer => _sealer;

    protected override CountLimits Limits => _limits;

    protected override Task<long> CountTowardLimitAsync(NpgsqlConnection c, DbTransaction t, string table, string applicationId) =>
        CountLockedAsync(c, (NpgsqlTransaction)t, table, applicationId);

    protected override string SecretSequence => "seq";

    // Rotations of one endpoint on several nodes take turns on the endpoint's row lock.
    protected override Task LockForRotationAsync(NpgsqlConnection c, DbTransaction t, string endpointId) =>
        c.ExecuteAsync("SELECT 1 FROM endpoints WHERE id = @endpointId FOR UPDATE", new { endpointId }, t);
}
