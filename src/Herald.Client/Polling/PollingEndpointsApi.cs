using Herald.Client.Http;

namespace Herald.Client;

/// <summary>
/// Polling endpoints of an application (<c>/api/v1/app/{app}/destination</c>, type <c>pollingEndpoint</c>): the
/// application's messages, filtered like a webhook endpoint's, for consumers that read them through
/// <see cref="HeraldClient.Poller"/> instead of receiving webhooks.
/// </summary>
public sealed class PollingEndpointsApi
{
    private readonly HeraldHttp _http;

    internal PollingEndpointsApi(HeraldHttp http) => _http = http;

    private static string BasePath(string appId) => ApiPath.App(appId) + "/destination";

    private static string One(string appId, string sinkId) => $"{BasePath(appId)}/{ApiPath.Escape(sinkId)}";

    /// <summary>One page of the application's polling endpoints, oldest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<PollingEndpointOut>> ListAsync(string appId, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryBuilder(BasePath(appId)).Add(options).ToString(), HeraldJsonContext.Default.ListResponsePollingEndpointOut, cancellationToken);

    /// <summary>Every polling endpoint of the application, page after page.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<PollingEndpointOut> ListAllAsync(string appId, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => ListAsync(appId, (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Creates a polling endpoint.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="pollingEndpoint">The polling endpoint.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PollingEndpointOut> CreateAsync(string appId, PollingEndpointIn pollingEndpoint, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(BasePath(appId), pollingEndpoint, HeraldJsonContext.Default.PollingEndpointIn, HeraldJsonContext.Default.PollingEndpointOut, idempotencyKey, cancellationToken);

    /// <summary>Gets a polling endpoint by id or uid.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Id (<c>sink_…</c>) or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PollingEndpointOut> GetAsync(string appId, string sinkId, CancellationToken cancellationToken = default) =>
        _http.GetAsync(One(appId, sinkId), HeraldJsonContext.Default.PollingEndpointOut, cancellationToken);

    /// <summary>Replaces a polling endpoint, or creates it with <paramref name="sinkId"/> as its uid.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Id or uid.</param>
    /// <param name="pollingEndpoint">The whole polling endpoint; fields left null are reset.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PollingEndpointOut> UpsertAsync(string appId, string sinkId, PollingEndpointIn pollingEndpoint, CancellationToken cancellationToken = default) =>
        _http.PutAsync(One(appId, sinkId), pollingEndpoint, HeraldJsonContext.Default.PollingEndpointIn, HeraldJsonContext.Default.PollingEndpointOut, cancellationToken);

    /// <summary>Changes some fields of a polling endpoint.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Id or uid.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PollingEndpointOut> PatchAsync(string appId, string sinkId, PollingEndpointPatch patch, CancellationToken cancellationToken = default) =>
        _http.PatchAsync(One(appId, sinkId), patch, HeraldJsonContext.Default.PollingEndpointPatch, HeraldJsonContext.Default.PollingEndpointOut, cancellationToken);

    /// <summary>Deletes a polling endpoint and its consumers' cursors.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string appId, string sinkId, CancellationToken cancellationToken = default) =>
        _http.DeleteAsync(One(appId, sinkId), cancellationToken);
}
