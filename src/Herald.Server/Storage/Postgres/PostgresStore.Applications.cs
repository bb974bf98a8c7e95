using Dapper;
using Herald.Server.Applications;
using Herald.Server.EventTypes;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

// The reads and writes are shared (RelationalStore.Applications.cs); here the read caches are filled and invalidated
// (PostgresReadCaches: live only while this node hears the other nodes' changes). This node's own writes invalidate at
// once; the trigger's notification of them comes back later and invalidates again, harmlessly.
internal sealed partial class PostgresStore
{
    protected override Task<T?> HotFirstAsync<T>(NpgsqlConnection connection, string sql, object parameters) where T : default =>
        connection.QueryFirstOrDefaultAsync<T>(sql, parameters);

    public override Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken) =>
        _caches.Applications.GetAsync(idOrUid, () => base.GetApplicationAsync(idOrUid, cancellationToken));

    public override Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.UpdateApplicationAsync(application, cancellationToken), _caches.Applications);

    public override Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.DeleteApplicationAsync(applicationId, cancellationToken), _caches.Applications);

    public override Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken) =>
        _caches.EventTypes.GetAsync(name, () => base.GetEventTypeAsync(name, cancellationToken));

    public override Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.CreateEventTypeAsync(eventType, cancellationToken), _caches.EventTypes);

    public override Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.UpdateEventTypeAsync(eventType, cancellationToken), _caches.EventTypes);

    public override Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.DeleteEventTypeAsync(name, cancellationToken), _caches.EventTypes);
}
