using Herald.Client.Http;

namespace Herald.Client;

/// <summary>Event types (<c>/api/v1/event-type</c>). Changing them needs an admin token.</summary>
public sealed class EventTypesApi
{
    private const string Path = ApiPath.Root + "event-type";
    private readonly HeraldHttp _http;

    internal EventTypesApi(HeraldHttp http) => _http = http;

    private static string Named(string name) => $"{Path}/{ApiPath.Escape(name)}";

    /// <summary>One page of event types, by name.</summary>
    /// <param name="options">Paging; archived types and schemas are opt-in.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<EventTypeOut>> ListAsync(EventTypeListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder(Path)
            .Paging(options?.Limit, options?.Iterator, options?.Order)
            .Add("include_archived", options?.IncludeArchived).Add("with_content", options?.WithContent);
        return _http.GetAsync(query.ToString(), HeraldJsonContext.Default.ListResponseEventTypeOut, cancellationToken);
    }

    /// <summary>Every event type, page after page.</summary>
    /// <param name="options">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<EventTypeOut> ListAllAsync(EventTypeListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListAsync((options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Creates an event type, or unarchives an archived one of the same name (409 when it exists and is not archived).</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EventTypeOut> CreateAsync(EventTypeIn eventType, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Path, eventType, HeraldJsonContext.Default.EventTypeIn, HeraldJsonContext.Default.EventTypeOut, idempotencyKey, cancellationToken);

    /// <summary>Gets an event type.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EventTypeOut> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync(Named(name), HeraldJsonContext.Default.EventTypeOut, cancellationToken);

    /// <summary>Replaces an event type, or creates it.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="eventType">Its fields.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EventTypeOut> UpsertAsync(string name, EventTypeUpdate eventType, CancellationToken cancellationToken = default) =>
        _http.PutAsync(Named(name), eventType, HeraldJsonContext.Default.EventTypeUpdate, HeraldJsonContext.Default.EventTypeOut, cancellationToken);

    /// <summary>Changes some fields of an event type.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EventTypeOut> PatchAsync(string name, EventTypePatch patch, CancellationToken cancellationToken = default) =>
        _http.PatchAsync(Named(name), patch, HeraldJsonContext.Default.EventTypePatch, HeraldJsonContext.Default.EventTypeOut, cancellationToken);

    /// <summary>Archives an event type (it stays, but cannot be published with); with <paramref name="expunge"/>, deletes it.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="expunge">Delete it for good instead of archiving it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string name, bool expunge = false, CancellationToken cancellationToken = default) =>
        _http.DeleteAsync(expunge ? Named(name) + "?expunge=true" : Named(name), cancellationToken);
}
