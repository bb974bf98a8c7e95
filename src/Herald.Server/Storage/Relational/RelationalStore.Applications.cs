using System.Data.Common;
using Dapper;
using Herald.Server.Applications;
using Herald.Server.EventTypes;

namespace Herald.Server.Storage.Relational;

// Booleans are written NOT x, TRUE and FALSE on both engines: SQLite stores them as 0 and 1, which these read alike.
internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>
    /// A read of at most one row on a path every request takes (authentication, the application, the event type): SQLite
    /// runs it as a statement compiled once per connection; PostgreSQL prepares it itself.
    /// </summary>
    protected abstract Task<T?> HotFirstAsync<T>(TConnection connection, string sql, object parameters);

    private sealed record ApplicationRow(string Id, string? Uid, string Name, int? ThrottleRate, string Metadata, TTime CreatedAt, TTime UpdatedAt)
    {
        private ApplicationRow()
            : this("", null, "", null, "", default, default)
        {
        }
    }

    private Application ToApplication(ApplicationRow r) => new()
    {
        Id = r.Id,
        Uid = r.Uid,
        Name = r.Name,
        ThrottleRate = r.ThrottleRate,
        Metadata = StorageJson.Map(r.Metadata),
        CreatedAt = ToTime(r.CreatedAt),
        UpdatedAt = ToTime(r.UpdatedAt),
    };

    private sealed record EventTypeRow(
        string Name, string Description, bool Archived, bool Deprecated, string? Schemas, string? GroupName, TList? FeatureFlags, TTime CreatedAt, TTime UpdatedAt)
    {
        private EventTypeRow()
            : this("", "", false, false, null, null, null, default, default)
        {
        }
    }

    private EventType ToEventType(EventTypeRow r) => new()
    {
        Name = r.Name,
        Description = r.Description,
        Archived = r.Archived,
        Deprecated = r.Deprecated,
        Schemas = r.Schemas,
        GroupName = r.GroupName,
        FeatureFlags = ToList(r.FeatureFlags),
        CreatedAt = ToTime(r.CreatedAt),
        UpdatedAt = ToTime(r.UpdatedAt),
    };

    private const string ApplicationColumns = "id, uid, name, throttle_rate, metadata, created_at, updated_at";

    private object ApplicationParameters(Application a) => new
    {
        a.Id,
        a.Uid,
        a.Name,
        a.ThrottleRate,
        Metadata = StorageJson.Map(a.Metadata),
        CreatedAt = ToArg(a.CreatedAt),
        UpdatedAt = ToArg(a.UpdatedAt),
    };

    public virtual Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken) =>
        ReadAsync(async c => await HotFirstAsync<ApplicationRow>(c,
            $"SELECT {ApplicationColumns} FROM applications WHERE (id = @idOrUid OR uid = @idOrUid) AND NOT internal LIMIT 1", new { idOrUid }) is { } row
            ? ToApplication(row)
            : null,
            cancellationToken);

    public Task<Page<Application>> ListApplicationsAsync(ApplicationFilter filter, PageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("id", page);
            var rows = await c.QueryAsync<ApplicationRow>(
                $"SELECT {ApplicationColumns} FROM applications WHERE NOT internal AND {where}{ApplicationFilter.Sql(filter, "NOT e.disabled")} {orderBy}",
                new { after = page.After, take = page.Limit + 1, playUrl = ApplicationFilter.SvixPlayUrlPattern });
            return ToPage(rows.Select(ToApplication), page);
        }, cancellationToken);

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await InsertApplicationAsync(c, t, application), cancellationToken);

    /// <summary>Inserts <paramref name="application"/> within the write <paramref name="t"/> (publishing may create one too).</summary>
    protected Task<int> InsertApplicationAsync(TConnection c, DbTransaction t, Application application) =>
        c.ExecuteAsync(
            $"INSERT INTO applications ({ApplicationColumns}) VALUES (@Id, @Uid, @Name, @ThrottleRate, @Metadata, @CreatedAt, @UpdatedAt)",
            ApplicationParameters(application), t);

    public virtual Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            "UPDATE applications SET uid = @Uid, name = @Name, throttle_rate = @ThrottleRate, metadata = @Metadata, updated_at = @UpdatedAt WHERE id = @Id",
            ApplicationParameters(application), t), cancellationToken);

    // Deleting an application deletes its tokens (ON DELETE CASCADE).
    public virtual Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM applications WHERE id = @applicationId", new { applicationId }, t) == 1, cancellationToken);

    private const string EventTypeColumns = "name, description, archived, deprecated, schemas, group_name, feature_flags, created_at, updated_at";

    private object EventTypeParameters(EventType e) => new
    {
        e.Name,
        e.Description,
        e.Archived,
        e.Deprecated,
        e.Schemas,
        e.GroupName,
        FeatureFlags = StoredList(e.FeatureFlags),
        CreatedAt = ToArg(e.CreatedAt),
        UpdatedAt = ToArg(e.UpdatedAt),
    };

    public virtual Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => await HotFirstAsync<EventTypeRow>(c, $"SELECT {EventTypeColumns} FROM event_types WHERE name = @name", new { name }) is { } row
            ? ToEventType(row)
            : null,
            cancellationToken);

    public Task<Page<EventType>> ListEventTypesAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var (where, orderBy) = Keyset("name", page);
            var archived = includeArchived ? "" : "AND NOT archived";
            var rows = await c.QueryAsync<EventTypeRow>(
                $"SELECT {EventTypeColumns} FROM event_types WHERE {where} {archived} {orderBy}", new { after = page.After, take = page.Limit + 1 });
            return ToPage(rows.Select(ToEventType), page);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> FindMissingEventTypesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(async c =>
        {
            var found = (await c.QueryAsync<string>(
                $"SELECT name FROM event_types WHERE NOT archived AND {In("name", "@names")}", new { names = ListArg(names) })).ToHashSet(StringComparer.Ordinal);
            return names.Where(n => !found.Contains(n)).ToList();
        }, cancellationToken);

    public virtual Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"""
            INSERT INTO event_types ({EventTypeColumns})
            VALUES (@Name, @Description, @Archived, @Deprecated, @Schemas, @GroupName, {ListValue("@FeatureFlags")}, @CreatedAt, @UpdatedAt)
            """,
            EventTypeParameters(eventType), t), cancellationToken);

    public virtual Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken) =>
        TransactAsync((c, t) => c.ExecuteAsync(
            $"""
            UPDATE event_types SET description = @Description, archived = @Archived, deprecated = @Deprecated, schemas = @Schemas,
                group_name = @GroupName, feature_flags = {ListValue("@FeatureFlags")}, updated_at = @UpdatedAt
            WHERE name = @Name
            """,
            EventTypeParameters(eventType), t), cancellationToken);

    public virtual Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken) =>
        TransactAsync(async (c, t) => await c.ExecuteAsync("DELETE FROM event_types WHERE name = @name", new { name }, t) == 1, cancellationToken);
}
