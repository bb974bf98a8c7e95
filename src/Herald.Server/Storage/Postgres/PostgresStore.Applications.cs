using Dapper;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

// Applications and event types are shared (RelationalStore.Applications.cs); PostgreSQL keeps no read cache, since other
// nodes change the rows too.
internal sealed partial class PostgresStore
{
    protected override Task<T?> HotFirstAsync<T>(NpgsqlConnection connection, string sql, object parameters) where T : default =>
        connection.QueryFirstOrDefaultAsync<T>(sql, parameters);

    protected override object? StoredList(IReadOnlyList<string>? list) => TextArray(list);

    // A null parameter has no type of its own: the cast tells PostgreSQL what it is.
    protected override string ListParam(string parameter) => $"{parameter}::text[]";
}
