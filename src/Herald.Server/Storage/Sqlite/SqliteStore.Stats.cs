namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    // Times are Unix milliseconds: integer division is the bucket.
    protected override string Bucket(string column) => $"({column} - @since) / @bucketMs";

    protected override string CountWhere(string condition) => $"SUM({condition})";
}
