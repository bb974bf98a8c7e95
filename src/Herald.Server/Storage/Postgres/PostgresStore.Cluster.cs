using Dapper;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    /// <summary>Any number of nodes may run on one PostgreSQL database.</summary>
    public bool IsShared => true;

    public async Task<bool> TryTakeSendBudgetAsync(string endpointId, int perSecond, CancellationToken cancellationToken)
    {
        // One row per endpoint and second. The upsert takes the row's lock, so concurrent takers from every node
        // count one after another; once `sent` reaches the rate the WHERE fails and nothing is returned. The second is
        // the database's at the take, not a node's clock read before a possibly slow wait for a connection: a take
        // counted against a second already past would let that many more sends into the current one.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var taken = await connection.ExecuteScalarAsync<int?>(
            """
            INSERT INTO endpoint_send_budgets (endpoint_id, second, sent) VALUES (@endpointId, floor(extract(epoch FROM clock_timestamp()))::bigint, 1)
            ON CONFLICT (endpoint_id, second) DO UPDATE SET sent = endpoint_send_budgets.sent + 1
            WHERE endpoint_send_budgets.sent < @perSecond
            RETURNING sent
            """,
            new { endpointId, perSecond });
        return taken is not null;
    }

    public Task<int> HeartbeatAsync(string node, DateTimeOffset now, DateTimeOffset aliveSince, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                """
                INSERT INTO nodes (id, last_seen) VALUES (@node, @now) ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen;
                DELETE FROM nodes WHERE last_seen < @forgetBefore;
                DELETE FROM endpoint_send_budgets WHERE second < @oldSecond;
                """,
                new { node, now = Ts(now), forgetBefore = Ts(now - TimeSpan.FromHours(1)), oldSecond = now.ToUnixTimeSeconds() - 60 }, t);
            return await c.ExecuteScalarAsync<int>("SELECT count(*) FROM nodes WHERE last_seen >= @aliveSince", new { aliveSince = Ts(aliveSince) }, t);
        }, cancellationToken);

    /// <summary>
    /// The pool's maximum (<c>Maximum Pool Size</c>: <see cref="DefaultMaxPoolSize"/> unless the connection string
    /// says) plus the cluster listener's own connection, against what the server accepts from this user:
    /// <c>max_connections</c> less the slots reserved for superusers (and, from PostgreSQL 16, for
    /// <c>pg_use_reserved_connections</c>), or the role's or the database's connection limit when lower.
    /// </summary>
    public async Task<ConnectionBudget?> GetConnectionBudgetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var accepted = await connection.ExecuteScalarAsync<int>(
            """
            SELECT LEAST(
                current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
                    - COALESCE(NULLIF(current_setting('reserved_connections', true), '')::int, 0),
                COALESCE((SELECT NULLIF(rolconnlimit, -1) FROM pg_roles WHERE rolname = current_user), 2147483647),
                COALESCE((SELECT NULLIF(datconnlimit, -1) FROM pg_database WHERE datname = current_database()), 2147483647))
            """);
        var pool = new Npgsql.NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).MaxPoolSize;
        return new ConnectionBudget(pool, Cluster.PostgresClusterSignal.Connections, accepted);
    }
}
