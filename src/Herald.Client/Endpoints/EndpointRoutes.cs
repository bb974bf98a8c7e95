using Herald.Client.Http;

namespace Herald.Client;

/// <summary>The routes an application's endpoints and the operator's operational-webhook endpoints share, under a base path.</summary>
internal sealed class EndpointRoutes(HeraldHttp http)
{
    private static string One(string basePath, string endpointId) => $"{basePath}/{ApiPath.Escape(endpointId)}";

    public Task<ListResponse<EndpointOut>> ListAsync(string basePath, ListOptions? options, CancellationToken cancellationToken) =>
        http.GetAsync(new QueryBuilder(basePath).Add(options).ToString(), HeraldJsonContext.Default.ListResponseEndpointOut, cancellationToken);

    public Task<EndpointOut> CreateAsync(string basePath, EndpointIn endpoint, string? idempotencyKey, CancellationToken cancellationToken) =>
        http.PostAsync(basePath, endpoint, HeraldJsonContext.Default.EndpointIn, HeraldJsonContext.Default.EndpointOut, idempotencyKey, cancellationToken);

    public Task<EndpointOut> GetAsync(string basePath, string endpointId, CancellationToken cancellationToken) =>
        http.GetAsync(One(basePath, endpointId), HeraldJsonContext.Default.EndpointOut, cancellationToken);

    public Task<EndpointOut> UpsertAsync(string basePath, string endpointId, EndpointIn endpoint, CancellationToken cancellationToken) =>
        http.PutAsync(One(basePath, endpointId), endpoint, HeraldJsonContext.Default.EndpointIn, HeraldJsonContext.Default.EndpointOut, cancellationToken);

    public Task<EndpointOut> PatchAsync(string basePath, string endpointId, EndpointPatch patch, CancellationToken cancellationToken) =>
        http.PatchAsync(One(basePath, endpointId), patch, HeraldJsonContext.Default.EndpointPatch, HeraldJsonContext.Default.EndpointOut, cancellationToken);

    public Task DeleteAsync(string basePath, string endpointId, CancellationToken cancellationToken) =>
        http.DeleteAsync(One(basePath, endpointId), cancellationToken);

    public Task<EndpointSecretOut> GetSecretAsync(string basePath, string endpointId, CancellationToken cancellationToken) =>
        http.GetAsync(One(basePath, endpointId) + "/secret", HeraldJsonContext.Default.EndpointSecretOut, cancellationToken);

    public Task RotateSecretAsync(string basePath, string endpointId, EndpointSecretRotateIn? rotation, string? idempotencyKey, CancellationToken cancellationToken) =>
        http.PostAsync(One(basePath, endpointId) + "/secret/rotate", rotation ?? new EndpointSecretRotateIn(), HeraldJsonContext.Default.EndpointSecretRotateIn, idempotencyKey, cancellationToken);

    public Task<EndpointHeadersOut> GetHeadersAsync(string basePath, string endpointId, CancellationToken cancellationToken) =>
        http.GetAsync(One(basePath, endpointId) + "/headers", HeraldJsonContext.Default.EndpointHeadersOut, cancellationToken);

    public Task UpdateHeadersAsync(string basePath, string endpointId, EndpointHeadersIn headers, CancellationToken cancellationToken) =>
        http.PutAsync(One(basePath, endpointId) + "/headers", headers, HeraldJsonContext.Default.EndpointHeadersIn, cancellationToken);

    public Task PatchHeadersAsync(string basePath, string endpointId, EndpointHeadersPatch headers, CancellationToken cancellationToken) =>
        http.PatchAsync(One(basePath, endpointId) + "/headers", headers, HeraldJsonContext.Default.EndpointHeadersPatch, cancellationToken);
}
