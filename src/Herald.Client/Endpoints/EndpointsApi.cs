using Herald.Client.Http;

namespace Herald.Client;

/// <summary>Webhook endpoints of an application (<c>/api/v1/app/{app}/endpoint</c>): the URLs its messages are delivered to, signed.</summary>
public sealed class EndpointsApi
{
    private readonly EndpointRoutes _routes;
    private readonly HeraldHttp _http;

    internal EndpointsApi(HeraldHttp http)
    {
        _http = http;
        _routes = new EndpointRoutes(http);
    }

    private static string BasePath(string appId) => ApiPath.App(appId) + "/endpoint";

    /// <summary>One page of endpoints, oldest first.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<EndpointOut>> ListAsync(string appId, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        _routes.ListAsync(BasePath(appId), options, cancellationToken);

    /// <summary>Every endpoint, page after page.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<EndpointOut> ListAllAsync(string appId, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => _routes.ListAsync(BasePath(appId), (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Creates an endpoint.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> CreateAsync(string appId, EndpointIn endpoint, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _routes.CreateAsync(BasePath(appId), endpoint, idempotencyKey, cancellationToken);

    /// <summary>Gets an endpoint by id or uid.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id (<c>ep_…</c>) or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> GetAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetAsync(BasePath(appId), endpointId, cancellationToken);

    /// <summary>Replaces an endpoint, or creates it with <paramref name="endpointId"/> as its uid.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="endpoint">The whole endpoint; fields left null are reset.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> UpsertAsync(string appId, string endpointId, EndpointIn endpoint, CancellationToken cancellationToken = default) =>
        _routes.UpsertAsync(BasePath(appId), endpointId, endpoint, cancellationToken);

    /// <summary>Changes some fields of an endpoint (the secret changes through <see cref="RotateSecretAsync"/>).</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> PatchAsync(string appId, string endpointId, EndpointPatch patch, CancellationToken cancellationToken = default) =>
        _routes.PatchAsync(BasePath(appId), endpointId, patch, cancellationToken);

    /// <summary>Deletes an endpoint.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _routes.DeleteAsync(BasePath(appId), endpointId, cancellationToken);

    /// <summary>Gets the endpoint's current signing secret.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointSecretOut> GetSecretAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetSecretAsync(BasePath(appId), endpointId, cancellationToken);

    /// <summary>Rotates the signing secret; the previous one stays valid for the grace period (default 24 h).</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="rotation">The new key and grace period; both generated or defaulted when null.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task RotateSecretAsync(string appId, string endpointId, EndpointSecretRotateIn? rotation = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _routes.RotateSecretAsync(BasePath(appId), endpointId, rotation, idempotencyKey, cancellationToken);

    /// <summary>Gets the endpoint's custom headers (values of sensitive ones withheld).</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointHeadersOut> GetHeadersAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetHeadersAsync(BasePath(appId), endpointId, cancellationToken);

    /// <summary>Replaces the endpoint's custom headers.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="headers">All the headers.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task UpdateHeadersAsync(string appId, string endpointId, EndpointHeadersIn headers, CancellationToken cancellationToken = default) =>
        _routes.UpdateHeadersAsync(BasePath(appId), endpointId, headers, cancellationToken);

    /// <summary>Sets some custom headers and removes others.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="headers">Headers to set and names to remove.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task PatchHeadersAsync(string appId, string endpointId, EndpointHeadersPatch headers, CancellationToken cancellationToken = default) =>
        _routes.PatchHeadersAsync(BasePath(appId), endpointId, headers, cancellationToken);

    /// <summary>Sends again every message whose delivery to this endpoint failed in a time range.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="recover">The time range.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<RecoverOut> RecoverAsync(string appId, string endpointId, RecoverIn recover, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/recover", recover, HeraldJsonContext.Default.RecoverIn, HeraldJsonContext.Default.RecoverOut, idempotencyKey, cancellationToken);

    /// <summary>Publishes an example message of an event type to this endpoint only.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="example">Which event type and example.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<MessageOut> SendExampleAsync(string appId, string endpointId, EventExampleIn example, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/send-example", example, HeraldJsonContext.Default.EventExampleIn, HeraldJsonContext.Default.MessageOut, idempotencyKey, cancellationToken);

    /// <summary>How many of the endpoint's messages succeeded, are pending or failed.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="options">Time range.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointStats> GetStatsAsync(string appId, string endpointId, EndpointStatsOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            new QueryBuilder($"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/stats").Add("since", options?.Since).Add("until", options?.Until).ToString(),
            HeraldJsonContext.Default.EndpointStats,
            cancellationToken);
    /// <summary>Gets the endpoint's transformation: its JavaScript and whether it runs (docs/DELIVERY.md, "Transformations").</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointTransformationOut> GetTransformationAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _http.GetAsync(TransformationPath(appId, endpointId), HeraldJsonContext.Default.EndpointTransformationOut, cancellationToken);

    /// <summary>Sets the endpoint's transformation code, or turns it on or off; the code must define <c>handler(webhook)</c>.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task PatchTransformationAsync(string appId, string endpointId, EndpointTransformationPatch patch, CancellationToken cancellationToken = default) =>
        _http.PatchAsync(TransformationPath(appId, endpointId), patch, HeraldJsonContext.Default.EndpointTransformationPatch, cancellationToken);

    /// <summary>Removes the endpoint's transformation code and turns it off: webhooks go out as published.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task RemoveTransformationCodeAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _http.PatchAsync(TransformationPath(appId, endpointId), new TransformationRemoval(), HeraldJsonContext.Default.TransformationRemoval, cancellationToken);

    /// <summary>Runs transformation code on a payload as it would run for this endpoint, without sending anything.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="simulation">The code, event type and payload.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="HeraldApiException">422 <c>transformation_failed</c> when the script throws, runs too long or returns something unusable.</exception>
    public Task<TransformationSimulateOut> SimulateTransformationAsync(string appId, string endpointId, TransformationSimulateIn simulation, CancellationToken cancellationToken = default) =>
        _http.PostAsync(TransformationPath(appId, endpointId) + "/simulate", simulation, HeraldJsonContext.Default.TransformationSimulateIn, HeraldJsonContext.Default.TransformationSimulateOut, null, cancellationToken);

    private static string TransformationPath(string appId, string endpointId) => $"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/transformation";
    /// <summary>Resumes a FIFO endpoint's stopped line: the exhausted message stays failed and the next one goes out.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="HeraldApiException">409 <c>not_fifo</c> when the endpoint is not a FIFO endpoint.</exception>
    public Task ResumeFifoAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/fifo/resume", new EmptyBody(), HeraldJsonContext.Default.EmptyBody, null, cancellationToken);

    /// <summary>Runs the endpoint's ownership verification again; deliveries wait until it succeeds.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The endpoint, its verification <c>pending</c> or already decided.</returns>
    /// <exception cref="HeraldApiException">409 when the endpoint has no verification method.</exception>
    public Task<EndpointOut> VerifyAsync(string appId, string endpointId, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"{BasePath(appId)}/{ApiPath.Escape(endpointId)}/verify", new EmptyBody(), HeraldJsonContext.Default.EmptyBody, HeraldJsonContext.Default.EndpointOut, null, cancellationToken);
}
