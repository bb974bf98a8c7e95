using Dapper;
using Herald.Server.Polling;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    protected override string LogFilterConditions =>
        """
        AND (@endpointTypes IS NULL OR event_type IN (SELECT value FROM json_each(@endpointTypes)))
          AND (@endpointChannels IS NULL OR EXISTS (
                SELECT 1 FROM json_each(m.channels) mc JOIN json_each(@endpointChannels) ec ON mc.value = ec.value))
          AND (@eventType IS NULL OR event_type = @eventType)
          AND (@channel IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = @channel))
        """;

    public Task<LogPage> ReadLogAsync(string applicationId, long after, LogFilter filter, int limit, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            // One read transaction = one snapshot: the messages and the log's end are read at the same instant. Sequence
            // numbers are taken inside the single writer's transaction, so a snapshot holds every number up to its end.
            // Deferred: a read transaction that takes no write lock, so publishers are never blocked by readers.
            await using var snapshot = c.BeginTransaction(deferred: true);
            var (rows, cut) = await ReadLogRowsAsync(c, snapshot, applicationId, after, filter, limit, maxBytes);
            var end = await c.ExecuteScalarAsync<long?>("SELECT last_sequence FROM applications WHERE id = @applicationId", new { applicationId }, snapshot) ?? after;
            // Asked after the snapshot began: the log ends where it is on disk (SequenceHorizon). Rows past that are
            // dropped; those before it were all read, since rows come in sequence order.
            var durable = _horizon.Limit(applicationId) ?? long.MaxValue;
            if (rows.RemoveAll(r => r.Sequence > durable) == 0 && (cut || rows.Count == limit))
            {
                return new LogPage(rows.Select(ToMessage).ToList(), rows[^1].Sequence, Done: false);
            }

            return new LogPage(rows.Select(ToMessage).ToList(), Math.Max(Math.Min(end, durable), after), Done: true);
        }, cancellationToken);

    // The log ends where it is on disk (SequenceHorizon): group commit makes a write visible before its fsync.
    protected override long? LogHorizon(string applicationId) => _horizon.Limit(applicationId);
}
