namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    protected override string Least(string left, string right) => $"LEAST({left}, {right})";
}
