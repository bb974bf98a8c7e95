using Dapper;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

// Applications and event types are shared (RelationalStore.Applications.cs); PostgreSQL keeps no read cache, since other
// nodes change the rows too.
internal sealed partial class PostgresStore
{
    protected override Task<T?> HotFirstAsync<T>(NpgsqlConnection connection, string sql, object parameters) where T : default =>
        connection.QueryFirstOrDefaultAsync<T>(sql, parameters);

}
