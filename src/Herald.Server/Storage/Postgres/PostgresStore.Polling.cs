using System.Data;
using Dapper;
using Herald.Server.Polling;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    protected override string LogFilterConditions =>
        """
        AND (@endpointTypes::text[] IS NULL OR event_type = ANY(@endpointTypes::text[]))
          AND (@endpointChannels::text[] IS NULL OR m.channels && @endpointChannels::text[])
          AND (@eventType::text IS NULL OR event_type = @eventType::text)
          AND (@channel::text IS NULL OR @channel::text = ANY(m.channels))
        """;

    public Task<LogPage> ReadLogAsync(string applicationId, long after, LogFilter filter, int limit, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            // One REPEATABLE READ transaction = one snapshot for the messages and the log's end. Sequence numbers are
            // handed out under the application's row lock and released at commit, so a snapshot that holds number N
            // holds every number below it: reading through last_sequence never passes a message still to commit.
            await using var snapshot = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var (rows, cut) = await ReadLogRowsAsync(c, snapshot, applicationId, after, filter, limit, maxBytes);
            if (cut || rows.Count == limit)
            {
                return new LogPage(rows.Select(ToMessage).ToList(), rows[^1].Sequence, Done: false);
            }

            var end = await c.ExecuteScalarAsync<long?>(
                "SELECT last_sequence FROM applications WHERE id = @applicationId", new { applicationId }, snapshot) ?? after;
            return new LogPage(rows.Select(ToMessage).ToList(), Math.Max(end, after), Done: true);
        }, cancellationToken);

    // Commits are durable when they become visible.
    protected override long? LogHorizon(string applicationId) => null;
}
