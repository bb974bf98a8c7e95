using Dapper;
using Herald.Server.Applications;
using Herald.Server.EventTypes;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private sealed record ApplicationRow(string Id, string? Uid, string Name, long? ThrottleRate, string Metadata, long CreatedAt, long UpdatedAt)
    {
        public Application ToApplication() => new()
        {
            Id = Id,
            Uid = Uid,
            Name = Name,
            ThrottleRate = (int?)ThrottleRate,
            Metadata = StorageJson.Map(Metadata),
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private sealed record EventTypeRow(string Name, string Description, long Archived, long Deprecated, string? Schemas, string? GroupName, string? FeatureFlags, long CreatedAt, long UpdatedAt)
    {
        public EventType ToEventType() => new()
        {
            Name = Name,
            Description = Description,
            Archived = Archived != 0,
            Deprecated = Deprecated != 0,
            Schemas = Schemas,
            GroupName = GroupName,
            FeatureFlags = StorageJson.List(FeatureFlags),
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private const string ApplicationColumns = "id, uid, name, throttle_rate, metadata, created_at, updated_at";

    private static object ApplicationParameters(Application a) => new
    {
        a.Id,
        a.Uid,
        a.Name,
        a.ThrottleRate,
        Metadata = StorageJson.Map(a.Metadata),
        CreatedAt = Ms(a.CreatedAt),
        UpdatedAt = Ms(a.UpdatedAt),
    };

    public Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken) =>
        _applications.GetAsync(idOrUid, () => ReadAsync(c => Task.FromResult(c.One<ApplicationRow>(
            $"SELECT {ApplicationColumns} FROM applications WHERE (id = @idOrUid OR uid = @idOrUid) AND internal = 0 LIMIT 1", new { idOrUid })?.ToApplication()),
            cancellationToken));

    public Task<Page<Application>> ListApplicationsAsync(ApplicationFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<ApplicationRow>(
                $"SELECT {ApplicationColumns} FROM applications WHERE internal = 0 AND {where}{ApplicationFilter.Sql(filter, "e.disabled = 0")} {orderBy}",
                new { after = page.After, take = page.Limit + 1, playUrl = ApplicationFilter.SvixPlayUrlPattern });
            return ToPage(rows.Select(r => r.ToApplication()), page);
        }, cancellationToken);

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => InsertApplicationAsync(c, t, application), cancellationToken);

    private static Task InsertApplicationAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction t, Application application) =>
        c.ExecuteAsync(
            $"INSERT INTO applications ({ApplicationColumns}) VALUES (@Id, @Uid, @Name, @ThrottleRate, @Metadata, @CreatedAt, @UpdatedAt)",
            ApplicationParameters(application), t);

    public Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE applications SET uid = @Uid, name = @Name, throttle_rate = @ThrottleRate, metadata = @Metadata, updated_at = @UpdatedAt WHERE id = @Id",
            ApplicationParameters(application), t), cancellationToken), _applications);

    // Deleting an application deletes its tokens (ON DELETE CASCADE).
    public Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        Invalidating(
            WriteAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM applications WHERE id = @applicationId", new { applicationId }, t) == 1, cancellationToken),
            _applications, _tokens);

    private const string EventTypeColumns = "name, description, archived, deprecated, schemas, group_name, feature_flags, created_at, updated_at";

    private static object EventTypeParameters(EventType e) => new
    {
        e.Name,
        e.Description,
        e.Archived,
        e.Deprecated,
        e.Schemas,
        e.GroupName,
        FeatureFlags = StorageJson.List(e.FeatureFlags),
        CreatedAt = Ms(e.CreatedAt),
        UpdatedAt = Ms(e.UpdatedAt),
    };

    public Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken) =>
        _eventTypes.GetAsync(name, () => ReadAsync(c => Task.FromResult(c.One<EventTypeRow>(
            $"SELECT {EventTypeColumns} FROM event_types WHERE name = @name", new { name })?.ToEventType()), cancellationToken));

    public Task<Page<EventType>> ListEventTypesAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("name", page);
            var archived = includeArchived ? "" : "AND archived = 0";
            var rows = await c.QueryAsync<EventTypeRow>($"SELECT {EventTypeColumns} FROM event_types WHERE {where} {archived} {orderBy}", new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToEventType()), page);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> FindMissingEventTypesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(async c =>
        {
            var found = (await c.QueryAsync<string>("SELECT name FROM event_types WHERE archived = 0 AND name IN @names", new { names })).ToHashSet(StringComparer.Ordinal);
            return names.Where(n => !found.Contains(n)).ToList();
        }, cancellationToken);

    public Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync((c, t) => c.ExecuteAsync(
            $"INSERT INTO event_types ({EventTypeColumns}) VALUES (@Name, @Description, @Archived, @Deprecated, @Schemas, @GroupName, @FeatureFlags, @CreatedAt, @UpdatedAt)",
            EventTypeParameters(eventType), t), cancellationToken), _eventTypes);

    public Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync((c, t) => c.ExecuteAsync(
            """
            UPDATE event_types SET description = @Description, archived = @Archived, deprecated = @Deprecated, schemas = @Schemas,
                group_name = @GroupName, feature_flags = @FeatureFlags, updated_at = @UpdatedAt
            WHERE name = @Name
            """,
            EventTypeParameters(eventType), t), cancellationToken), _eventTypes);

    public Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken) =>
        Invalidating(WriteAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM event_types WHERE name = @name", new { name }, t) == 1, cancellationToken), _eventTypes);
}
