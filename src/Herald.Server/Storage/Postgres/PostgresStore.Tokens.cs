namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
}
