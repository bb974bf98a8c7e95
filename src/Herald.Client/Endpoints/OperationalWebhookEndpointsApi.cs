using Herald.Client.Http;

namespace Herald.Client;

/// <summary>The operator's endpoints for webhooks about Herald itself (<c>/api/v1/operational-webhook/endpoint</c>; admin token): <c>endpoint.created</c>, <c>message.attempt.exhausted</c> and the like.</summary>
public sealed class OperationalWebhookEndpointsApi
{
    private const string BasePath = ApiPath.Root + "operational-webhook/endpoint";
    private readonly EndpointRoutes _routes;

    internal OperationalWebhookEndpointsApi(HeraldHttp http) => _routes = new EndpointRoutes(http);

    /// <summary>One page of endpoints, oldest first.</summary>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ListResponse<EndpointOut>> ListAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        _routes.ListAsync(BasePath, options, cancellationToken);

    /// <summary>Every endpoint, page after page.</summary>
    /// <param name="options">Paging.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public IAsyncEnumerable<EndpointOut> ListAllAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        Pages.WalkAsync(options?.Iterator, (iterator, ct) => _routes.ListAsync(BasePath, (options ?? new()) with { Iterator = iterator }, ct), cancellationToken);

    /// <summary>Creates an endpoint.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> CreateAsync(EndpointIn endpoint, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _routes.CreateAsync(BasePath, endpoint, idempotencyKey, cancellationToken);

    /// <summary>Gets an endpoint by id or uid.</summary>
    /// <param name="endpointId">Id (<c>ep_…</c>) or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> GetAsync(string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetAsync(BasePath, endpointId, cancellationToken);

    /// <summary>Replaces an endpoint, or creates it with <paramref name="endpointId"/> as its uid.</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="endpoint">The whole endpoint; fields left null are reset.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> UpsertAsync(string endpointId, EndpointIn endpoint, CancellationToken cancellationToken = default) =>
        _routes.UpsertAsync(BasePath, endpointId, endpoint, cancellationToken);

    /// <summary>Changes some fields of an endpoint (the secret changes through <see cref="RotateSecretAsync"/>).</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointOut> PatchAsync(string endpointId, EndpointPatch patch, CancellationToken cancellationToken = default) =>
        _routes.PatchAsync(BasePath, endpointId, patch, cancellationToken);

    /// <summary>Deletes an endpoint.</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task DeleteAsync(string endpointId, CancellationToken cancellationToken = default) =>
        _routes.DeleteAsync(BasePath, endpointId, cancellationToken);

    /// <summary>Gets the endpoint's current signing secret.</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointSecretOut> GetSecretAsync(string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetSecretAsync(BasePath, endpointId, cancellationToken);

    /// <summary>Rotates the signing secret; the previous one stays valid for the grace period (default 24 h).</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="rotation">The new key and grace period; both generated or defaulted when null.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task RotateSecretAsync(string endpointId, EndpointSecretRotateIn? rotation = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _routes.RotateSecretAsync(BasePath, endpointId, rotation, idempotencyKey, cancellationToken);

    /// <summary>Gets the endpoint's custom headers (values of sensitive ones withheld).</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<EndpointHeadersOut> GetHeadersAsync(string endpointId, CancellationToken cancellationToken = default) =>
        _routes.GetHeadersAsync(BasePath, endpointId, cancellationToken);

    /// <summary>Replaces the endpoint's custom headers.</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="headers">All the headers.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task UpdateHeadersAsync(string endpointId, EndpointHeadersIn headers, CancellationToken cancellationToken = default) =>
        _routes.UpdateHeadersAsync(BasePath, endpointId, headers, cancellationToken);

    /// <summary>Sets some custom headers and removes others.</summary>
    /// <param name="endpointId">Id or uid.</param>
    /// <param name="headers">Headers to set and names to remove.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task PatchHeadersAsync(string endpointId, EndpointHeadersPatch headers, CancellationToken cancellationToken = default) =>
        _routes.PatchHeadersAsync(BasePath, endpointId, headers, cancellationToken);
}
