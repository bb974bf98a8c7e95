namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // Times are timestamptz: the bucket is the elapsed milliseconds divided, as a double precision, by the width.
    protected override string Bucket(string column) =>
        $"floor(extract(epoch FROM {column} - @since) * 1000 / @bucketMs::double precision)::bigint";

    protected override string CountWhere(string condition) => $"COUNT(*) FILTER (WHERE {condition})";
}
