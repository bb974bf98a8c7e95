using Herald.Client.Http;

namespace Herald.Client;

/// <summary>Applications (<c>/api/v1/app</c>): the tenants messages are published to. Listing, creating and deleting need an admin token.</summary>
public sealed class ApplicationsApi
{
    private const string Path = ApiPath.Root + "app";
    private readonly HeraldHttp _http;

    internal ApplicationsApi(HeraldHttp http) => _http = http;

    /// <summary>One page of applications, oldest first.</summary>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<ApplicationOut>> ListAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryBuilder(Path).Add(options).ToString(), HeraldJsonContext.Default.ListResponseApplicationOut, cancellationToken);

    /// <summary>Every application, page after page.</summary>
    /// <param name="options">Paging (page size, where to start).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<ApplicationOut> ListAllAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListAsync((options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Creates an application (409 <c>conflict</c> when its uid is taken).</summary>
    /// <param name="application">The application.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ApplicationOut> CreateAsync(ApplicationIn application, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Path, application, HeraldJsonContext.Default.ApplicationIn, HeraldJsonContext.Default.ApplicationOut, idempotencyKey, cancellationToken);

    /// <summary>Creates an application, or returns the existing one with the same <see cref="ApplicationIn.Uid"/> (<c>get_if_exists</c>).</summary>
    /// <param name="application">The application; give it a uid.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ApplicationOut> GetOrCreateAsync(ApplicationIn application, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Path + "?get_if_exists=true", application, HeraldJsonContext.Default.ApplicationIn, HeraldJsonContext.Default.ApplicationOut, idempotencyKey, cancellationToken);

    /// <summary>Gets an application by id or uid.</summary>
    /// <param name="appId">Id (<c>app_…</c>) or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ApplicationOut> GetAsync(string appId, CancellationToken cancellationToken = default) =>
        _http.GetAsync(ApiPath.App(appId), HeraldJsonContext.Default.ApplicationOut, cancellationToken);

    /// <summary>Replaces an application, or creates it with <paramref name="appId"/> as its uid.</summary>
    /// <param name="appId">Id or uid.</param>
    /// <param name="application">The whole application; fields left null are cleared.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ApplicationOut> UpsertAsync(string appId, ApplicationIn application, CancellationToken cancellationToken = default) =>
        _http.PutAsync(ApiPath.App(appId), application, HeraldJsonContext.Default.ApplicationIn, HeraldJsonContext.Default.ApplicationOut, cancellationToken);

    /// <summary>Changes some fields of an application.</summary>
    /// <param name="appId">Id or uid.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ApplicationOut> PatchAsync(string appId, ApplicationPatch patch, CancellationToken cancellationToken = default) =>
        _http.PatchAsync(ApiPath.App(appId), patch, HeraldJsonContext.Default.ApplicationPatch, HeraldJsonContext.Default.ApplicationOut, cancellationToken);

    /// <summary>Deletes an application and everything in it.</summary>
    /// <param name="appId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string appId, CancellationToken cancellationToken = default) =>
        _http.DeleteAsync(ApiPath.App(appId), cancellationToken);
}
