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
}
