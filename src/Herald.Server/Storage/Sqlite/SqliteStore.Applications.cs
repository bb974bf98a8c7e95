using Herald.Server.Applications;
using Herald.Server.EventTypes;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

// The reads and writes are shared (RelationalStore.Applications.cs); here the read caches are filled and invalidated.
internal sealed partial class SqliteStore
{
    protected override Task<T?> HotFirstAsync<T>(SqliteConnection connection, string sql, object parameters) where T : default =>
        Task.FromResult(connection.One<T>(sql, parameters));

    public override Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken) =>
        _applications.GetAsync(idOrUid, () => base.GetApplicationAsync(idOrUid, cancellationToken));

    public override Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.UpdateApplicationAsync(application, cancellationToken), _applications);

    // Its tokens go with it (ON DELETE CASCADE).
    public override Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.DeleteApplicationAsync(applicationId, cancellationToken), _applications, _tokens);

    public override Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken) =>
        _eventTypes.GetAsync(name, () => base.GetEventTypeAsync(name, cancellationToken));

    public override Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.CreateEventTypeAsync(eventType, cancellationToken), _eventTypes);

    public override Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.UpdateEventTypeAsync(eventType, cancellationToken), _eventTypes);

    public override Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken) =>
        ReadCaches.Invalidating(base.DeleteEventTypeAsync(name, cancellationToken), _eventTypes);
}
