using Dapper;
using Herald.Server.Applications;
using Herald.Server.EventTypes;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

internal sealed partial class PostgresStore
{
    private sealed record ApplicationRow(string Id, string? Uid, string Name, int? ThrottleRate, string Metadata, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public Application ToApplication() => new()
        {
            Id = Id,
            Uid = Uid,
            Name = Name,
            ThrottleRate = ThrottleRate,
            Metadata = StorageJson.Map(Metadata),
            CreatedAt = Time(CreatedAt),
            UpdatedAt = Time(UpdatedAt),
        };
    }

    private sealed record EventTypeRow(
        string Name, string Description, bool Archived, bool Deprecated, string? Schemas, string? GroupName, string[]? FeatureFlags, DateTime CreatedAt, DateTime UpdatedAt)
    {
        // Npgsql reports text[] columns as System.Array, which matches no positional constructor: Dapper then builds
        // the row through this one and its init setters.
        private EventTypeRow()
            : this("", "", false, false, null, null, null, default, default)
        {
        }

        public EventType ToEventType() => new()
        {
            Name = Name,
            Description = Description,
            Archived = Archived,
            Deprecated = Deprecated,
            Schemas = Schemas,
            GroupName = GroupName,
            FeatureFlags = FeatureFlags,
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
        CreatedAt = Ts(a.CreatedAt),
        UpdatedAt = Ts(a.UpdatedAt),
    };

    public Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<ApplicationRow>(
            $"SELECT {ApplicationColumns} FROM applications WHERE (id = @idOrUid OR uid = @idOrUid) AND NOT internal LIMIT 1", new { idOrUid }))?.ToApplication(),
            cancellationToken);

    public Task<Page<Application>> ListApplicationsAsync(ApplicationFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<ApplicationRow>(
                $"SELECT {ApplicationColumns} FROM applications WHERE NOT internal AND {where}{ApplicationFilter.Sql(filter, "NOT e.disabled")} {orderBy}",
                new { after = page.After, take = page.Limit + 1, playUrl = ApplicationFilter.SvixPlayUrlPattern });
            return ToPage(rows.Select(r => r.ToApplication()), page);
        }, cancellationToken);

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => InsertApplicationAsync(c, t, application), cancellationToken);

    private static Task InsertApplicationAsync(NpgsqlConnection c, NpgsqlTransaction t, Application application) =>
        c.ExecuteAsync(
            $"INSERT INTO applications ({ApplicationColumns}) VALUES (@Id, @Uid, @Name, @ThrottleRate, @Metadata, @CreatedAt, @UpdatedAt)",
            ApplicationParameters(application), t);

    public Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            "UPDATE applications SET uid = @Uid, name = @Name, throttle_rate = @ThrottleRate, metadata = @Metadata, updated_at = @UpdatedAt WHERE id = @Id",
            ApplicationParameters(application), t), cancellationToken);

    public Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM applications WHERE id = @applicationId", new { applicationId }, t) == 1, cancellationToken);

    private const string EventTypeColumns = "name, description, archived, deprecated, schemas, group_name, feature_flags, created_at, updated_at";

    private static object EventTypeParameters(EventType e) => new
    {
        e.Name,
        e.Description,
        e.Archived,
        e.Deprecated,
        e.Schemas,
        e.GroupName,
        FeatureFlags = TextArray(e.FeatureFlags),
        CreatedAt = Ts(e.CreatedAt),
        UpdatedAt = Ts(e.UpdatedAt),
    };

    public Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<EventTypeRow>(
            $"SELECT {EventTypeColumns} FROM event_types WHERE name = @name", new { name }))?.ToEventType(), cancellationToken);

    public Task<Page<EventType>> ListEventTypesAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("name", page);
            var archived = includeArchived ? "" : "AND NOT archived";
            var rows = await c.QueryAsync<EventTypeRow>(
                $"SELECT {EventTypeColumns} FROM event_types WHERE {where} {archived} {orderBy}", new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(r => r.ToEventType()), page);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> FindMissingEventTypesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(async c =>
        {
            var found = (await c.QueryAsync<string>(
                "SELECT name FROM event_types WHERE NOT archived AND name = ANY(@names)", new { names = TextArray(names) })).ToHashSet(StringComparer.Ordinal);
            return names.Where(n => !found.Contains(n)).ToList();
        }, cancellationToken);

    public Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            $"""
            INSERT INTO event_types ({EventTypeColumns})
            VALUES (@Name, @Description, @Archived, @Deprecated, @Schemas, @GroupName, @FeatureFlags::text[], @CreatedAt, @UpdatedAt)
            """,
            EventTypeParameters(eventType), t), cancellationToken);

    public Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => c.ExecuteAsync(
            """
            UPDATE event_types SET description = @Description, archived = @Archived, deprecated = @Deprecated, schemas = @Schemas,
                group_name = @GroupName, feature_flags = @FeatureFlags::text[], updated_at = @UpdatedAt
            WHERE name = @Name
            """,
            EventTypeParameters(eventType), t), cancellationToken);

    public Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM event_types WHERE name = @name", new { name }, t) == 1, cancellationToken);
}
