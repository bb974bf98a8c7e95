using System.Data;
using Dapper;
using Herald.Server.Polling;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record PollingRow(
        string Id, string AppId, string? Uid, string[]? EventTypes, string[]? Channels, string Metadata, bool Disabled, DateTime CreatedAt, DateTime UpdatedAt)
    {
        // Npgsql reports text[] columns as System.Array, which matches no positional constructor: Dapper then builds
        // the row through this one and its init setters.
        private PollingRow()
            : this("", "", null, null, null, "{}", false, default, default)
        {
        }

        public PollingEndpoint ToEndpoint() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Uid = Uid,
            EventTypes = EventTypes,
            Channels = Channels,
            Metadata = StorageJson.Map(Metadata),
            Disabled = Disabled,
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private const string PollingColumns = "id, app_id, uid, event_types, channels, metadata, disabled, created_at, updated_at";

    private static object PollingParameters(PollingEndpoint e) => new
    {
        e.Id,
        AppId = e.ApplicationId,
        e.Uid,
        EventTypes = TextArray(e.EventTypes),
        Channels = TextArray(e.Channels),
        Metadata = StorageJson.Map(e.Metadata),
        e.Disabled,
        CreatedAt = Ts(e.CreatedAt),
        UpdatedAt = Ts(e.UpdatedAt),
    };

    public Task<PollingEndpoint?> GetPollingEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<PollingRow>(
            $"SELECT {PollingColumns} FROM polling_endpoints WHERE app_id = @applicationId AND (id = @idOrUid OR uid = @idOrUid) LIMIT 1",
            new { applicationId, idOrUid }))?.ToEndpoint(), cancellationToken);

    public Task<Page<PollingEndpoint>> ListPollingEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<PollingRow>(
                $"SELECT {PollingColumns} FROM polling_endpoints WHERE app_id = @applicationId AND {where} {orderBy}",
                new { applicationId, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToEndpoint()), page);
        }, cancellationToken);

    public Task CreatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            if (_limits.PollingEndpointsPerApplication > 0
                && await CountLockedAsync(c, t, "polling_endpoints", endpoint.ApplicationId) >= _limits.PollingEndpointsPerApplication)
            {
                throw CountLimitExceededException.PollingEndpoints(_limits.PollingEndpointsPerApplication);
            }

            await c.ExecuteAsync(
                $"""
                INSERT INTO polling_endpoints ({PollingColumns})
                VALUES (@Id, @AppId, @Uid, @EventTypes::text[], @Channels::text[], @Metadata, @Disabled, @CreatedAt, @UpdatedAt)
                """,
                PollingParameters(endpoint), t);
        }, cancellationToken);

    public Task UpdatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            UPDATE polling_endpoints SET uid = @Uid, event_types = @EventTypes::text[], channels = @Channels::text[], metadata = @Metadata,
                disabled = @Disabled, updated_at = @UpdatedAt
            WHERE id = @Id AND app_id = @AppId
            """,
            PollingParameters(endpoint), t), cancellationToken);

    public Task<bool> DeletePollingEndpointAsync(string applicationId, string id, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync(
            "DELETE FROM polling_endpoints WHERE app_id = @applicationId AND id = @id", new { applicationId, id }, t) == 1, cancellationToken);

    public Task<LogPage> ReadLogAsync(string applicationId, long after, LogFilter filter, int limit, long maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            // One REPEATABLE READ transaction = one snapshot for the messages and the log's end. Sequence numbers are
            // handed out under the application's row lock and released at commit, so a snapshot that holds number N
            // holds every number below it: reading through last_sequence never passes a message still to commit.
            await using var snapshot = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            // Unbuffered: rows are read one at a time up to the byte budget; a page cut by it has more to come.
            var (rows, cut) = await StoreCommon.TakeAsync(c.QueryUnbufferedAsync<MessageRow>(
                $"""
                SELECT {MessageColumns} FROM messages m
                WHERE app_id = @applicationId AND sequence > @after
                  AND (@endpointTypes::text[] IS NULL OR event_type = ANY(@endpointTypes::text[]))
                  AND (@endpointChannels::text[] IS NULL OR m.channels && @endpointChannels::text[])
                  AND (@eventType::text IS NULL OR event_type = @eventType::text)
                  AND (@channel::text IS NULL OR @channel::text = ANY(m.channels))
                ORDER BY sequence LIMIT @limit
                """,
                new
                {
                    applicationId,
                    after,
                    endpointTypes = TextArray(filter.EndpointEventTypes),
                    endpointChannels = TextArray(filter.EndpointChannels),
                    eventType = filter.EventType,
                    channel = filter.Channel,
                    limit,
                }, snapshot), limit, maxBytes, r => r.Payload?.Length ?? 0);
            if (cut || rows.Count == limit)
            {
                return new LogPage(rows.Select(ToMessage).ToList(), rows[^1].Sequence, Done: false);
            }

            var end = await c.ExecuteScalarAsync<long?>(
                "SELECT last_sequence FROM applications WHERE id = @applicationId", new { applicationId }, snapshot) ?? after;
            return new LogPage(rows.Select(ToMessage).ToList(), Math.Max(end, after), Done: true);
        }, cancellationToken);

    public Task<long> LogPositionAtAsync(string applicationId, DateTimeOffset time, CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(MAX(sequence), 0) FROM messages WHERE app_id = @applicationId AND created_at <= @time",
            new { applicationId, time = Ts(time) }), cancellationToken);

    public Task<long?> GetConsumerPositionAsync(string sinkId, string consumerId, CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<long?>(
            "SELECT position FROM poller_consumers WHERE sink_id = @sinkId AND consumer_id = @consumerId", new { sinkId, consumerId }), cancellationToken);

    public Task SetConsumerPositionAsync(string sinkId, string consumerId, long position, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            INSERT INTO poller_consumers (sink_id, consumer_id, position, updated_at) VALUES (@sinkId, @consumerId, @position, @now)
            ON CONFLICT (sink_id, consumer_id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            new { sinkId, consumerId, position, now = Ts(now) }, t), cancellationToken);
}
