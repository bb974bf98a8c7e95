using Dapper;
using Herald.Server.Polling;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record PollingRow(string Id, string AppId, string? Uid, string? EventTypes, string? Channels, string Metadata, long Disabled, long CreatedAt, long UpdatedAt)
    {
        public PollingEndpoint ToEndpoint() => new()
        {
            Id = Id,
            ApplicationId = AppId,
            Uid = Uid,
            EventTypes = StorageJson.List(EventTypes),
            Channels = StorageJson.List(Channels),
            Metadata = StorageJson.Map(Metadata),
            Disabled = Disabled != 0,
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
        EventTypes = StorageJson.List(e.EventTypes),
        Channels = StorageJson.List(e.Channels),
        Metadata = StorageJson.Map(e.Metadata),
        e.Disabled,
        CreatedAt = Ms(e.CreatedAt),
        UpdatedAt = Ms(e.UpdatedAt),
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
                && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM polling_endpoints WHERE app_id = @AppId", new { AppId = endpoint.ApplicationId }, t) >= _limits.PollingEndpointsPerApplication)
            {
                throw CountLimitExceededException.PollingEndpoints(_limits.PollingEndpointsPerApplication);
            }

            await c.ExecuteAsync(
                $"INSERT INTO polling_endpoints ({PollingColumns}) VALUES (@Id, @AppId, @Uid, @EventTypes, @Channels, @Metadata, @Disabled, @CreatedAt, @UpdatedAt)",
                PollingParameters(endpoint), t);
        }, cancellationToken);

    public Task UpdatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            UPDATE polling_endpoints SET uid = @Uid, event_types = @EventTypes, channels = @Channels, metadata = @Metadata,
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
            // One read transaction = one snapshot: the messages and the log's end are read at the same instant. Sequence
            // numbers are taken inside the single writer's transaction, so a snapshot holds every number up to its end.
            // Deferred: a read transaction that takes no write lock, so publishers are never blocked by readers.
            await using var snapshot = c.BeginTransaction(deferred: true);
            // Unbuffered: rows are read one at a time up to the byte budget; a page cut by it has more to come.
            var (rows, cut) = await StoreCommon.TakeAsync(c.QueryUnbufferedAsync<MessageRow>(
                $"""
                SELECT {MessageColumns} FROM messages m
                WHERE app_id = @applicationId AND sequence > @after
                  AND (@endpointTypes IS NULL OR event_type IN (SELECT value FROM json_each(@endpointTypes)))
                  AND (@endpointChannels IS NULL OR EXISTS (
                        SELECT 1 FROM json_each(m.channels) mc JOIN json_each(@endpointChannels) ec ON mc.value = ec.value))
                  AND (@eventType IS NULL OR event_type = @eventType)
                  AND (@channel IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE json_each.value = @channel))
                ORDER BY sequence LIMIT @limit
                """,
                new
                {
                    applicationId,
                    after,
                    endpointTypes = StorageJson.List(filter.EndpointEventTypes),
                    endpointChannels = StorageJson.List(filter.EndpointChannels),
                    eventType = filter.EventType,
                    channel = filter.Channel,
                    limit,
                }, snapshot), limit, maxBytes, r => r.Payload?.Length ?? 0);
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

    public Task<long> LogPositionAtAsync(string applicationId, DateTimeOffset time, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var position = await c.ExecuteScalarAsync<long>(
                "SELECT COALESCE(MAX(sequence), 0) FROM messages WHERE app_id = @applicationId AND created_at <= @time",
                new { applicationId, time = Ms(time) });
            return _horizon.Limit(applicationId) is { } durable ? Math.Min(position, durable) : position;
        }, cancellationToken);

    public Task<long?> GetConsumerPositionAsync(string sinkId, string consumerId, CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<long?>(
            "SELECT position FROM poller_consumers WHERE sink_id = @sinkId AND consumer_id = @consumerId", new { sinkId, consumerId }), cancellationToken);

    public Task SetConsumerPositionAsync(string sinkId, string consumerId, long position, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            INSERT INTO poller_consumers (sink_id, consumer_id, position, updated_at) VALUES (@sinkId, @consumerId, @position, @now)
            ON CONFLICT (sink_id, consumer_id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            new { sinkId, consumerId, position, now = Ms(now) }, t), cancellationToken);
}
