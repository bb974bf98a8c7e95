using System.Data.Common;
using Dapper;
using Herald.Server.Polling;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    private sealed record PollingRow(
        string Id, string AppId, string? Uid, TList? EventTypes, TList? Channels, string Metadata, bool Disabled, TTime CreatedAt, TTime UpdatedAt)
    {
        private PollingRow()
            : this("", "", null, null, null, "{}", false, default, default)
        {
        }
    }

    private PollingEndpoint ToPollingEndpoint(PollingRow r) => new()
    {
        Id = r.Id,
        ApplicationId = r.AppId,
        Uid = r.Uid,
        EventTypes = ToList(r.EventTypes),
        Channels = ToList(r.Channels),
        Metadata = StorageJson.Map(r.Metadata),
        Disabled = r.Disabled,
        CreatedAt = ToTime(r.CreatedAt),
        UpdatedAt = ToTime(r.UpdatedAt),
    };

    private const string PollingColumns = "id, app_id, uid, event_types, channels, metadata, disabled, created_at, updated_at";

    private object PollingParameters(PollingEndpoint e) => new
    {
        e.Id,
        AppId = e.ApplicationId,
        e.Uid,
        EventTypes = StoredList(e.EventTypes),
        Channels = StoredList(e.Channels),
        Metadata = StorageJson.Map(e.Metadata),
        e.Disabled,
        CreatedAt = ToArg(e.CreatedAt),
        UpdatedAt = ToArg(e.UpdatedAt),
    };

    public Task<PollingEndpoint?> GetPollingEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<PollingRow>(
            $"SELECT {PollingColumns} FROM polling_endpoints WHERE app_id = @applicationId AND (id = @idOrUid OR uid = @idOrUid) LIMIT 1",
            new { applicationId, idOrUid })) is { } row ? ToPollingEndpoint(row) : null, cancellationToken);

    public Task<Page<PollingEndpoint>> ListPollingEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<PollingRow>(
                $"SELECT {PollingColumns} FROM polling_endpoints WHERE app_id = @applicationId AND {where} {orderBy}",
                new { applicationId, after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(ToPollingEndpoint), page);
        }, cancellationToken);

    public Task CreatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) =>
        {
            if (Limits.PollingEndpointsPerApplication > 0
                && await CountTowardLimitAsync(c, t, "polling_endpoints", endpoint.ApplicationId) >= Limits.PollingEndpointsPerApplication)
            {
                throw CountLimitExceededException.PollingEndpoints(Limits.PollingEndpointsPerApplication);
            }

            return await c.ExecuteAsync(
                $"""
                INSERT INTO polling_endpoints ({PollingColumns})
                VALUES (@Id, @AppId, @Uid, {ListValue("@EventTypes")}, {ListValue("@Channels")}, @Metadata, @Disabled, @CreatedAt, @UpdatedAt)
                """,
                PollingParameters(endpoint), t);
        }, cancellationToken);

    public Task UpdatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"""
            UPDATE polling_endpoints SET uid = @Uid, event_types = {ListValue("@EventTypes")}, channels = {ListValue("@Channels")}, metadata = @Metadata,
                disabled = @Disabled, updated_at = @UpdatedAt
            WHERE id = @Id AND app_id = @AppId
            """,
            PollingParameters(endpoint), t), cancellationToken);

    public Task<bool> DeletePollingEndpointAsync(string applicationId, string id, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync(
            "DELETE FROM polling_endpoints WHERE app_id = @applicationId AND id = @id", new { applicationId, id }, t) == 1, cancellationToken);

    /// <summary>
    /// The conditions of a log read (each starting with AND) on <c>@endpointTypes</c> and <c>@endpointChannels</c>,
    /// stored lists, and <c>@eventType</c> and <c>@channel</c>, texts; a null parameter does not filter.
    /// </summary>
    protected abstract string LogFilterConditions { get; }

    /// <summary>
    /// The messages of a page of the log, in <paramref name="snapshot"/>. Unbuffered: rows are read one at a time up to
    /// the byte budget; a page cut by it has more to come.
    /// </summary>
    protected Task<(List<MessageRow> Items, bool More)> ReadLogRowsAsync(
        TConnection c, DbTransaction snapshot, string applicationId, long after, LogFilter filter, int limit, long maxBytes) =>
        StoreCommon.TakeAsync(c.QueryUnbufferedAsync<MessageRow>(
            $"""
            SELECT {MessageColumns} FROM messages m
            WHERE app_id = @applicationId AND sequence > @after
              {LogFilterConditions}
            ORDER BY sequence LIMIT @limit
            """,
            new
            {
                applicationId,
                after,
                endpointTypes = StoredList(filter.EndpointEventTypes),
                endpointChannels = StoredList(filter.EndpointChannels),
                eventType = filter.EventType,
                channel = filter.Channel,
                limit,
            }, snapshot), limit, maxBytes, r => r.Payload?.Length ?? 0);

    /// <summary>
    /// Where the log of <paramref name="applicationId"/> ends for readers: the last sequence number known durable, or
    /// null when every committed message is (a sequence number is committed only once it is durable).
    /// </summary>
    protected abstract long? LogHorizon(string applicationId);

    public Task<long> LogPositionAtAsync(string applicationId, DateTimeOffset time, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var position = await c.ExecuteScalarAsync<long>(
                "SELECT COALESCE(MAX(sequence), 0) FROM messages WHERE app_id = @applicationId AND created_at <= @time",
                new { applicationId, time = ToArg(time) });
            return LogHorizon(applicationId) is { } durable ? Math.Min(position, durable) : position;
        }, cancellationToken);

    public Task<long?> GetConsumerPositionAsync(string sinkId, string consumerId, CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<long?>(
            "SELECT position FROM poller_consumers WHERE sink_id = @sinkId AND consumer_id = @consumerId", new { sinkId, consumerId }), cancellationToken);

    public Task SetConsumerPositionAsync(string sinkId, string consumerId, long position, DateTimeOffset now, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            """
            INSERT INTO poller_consumers (sink_id, consumer_id, position, updated_at) VALUES (@sinkId, @consumerId, @position, @now)
            ON CONFLICT (sink_id, consumer_id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """,
            new { sinkId, consumerId, position, now = ToArg(now) }, t), cancellationToken);
}
