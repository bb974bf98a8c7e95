using Herald.Server.Endpoints;

namespace Herald.Server.Storage;

/// <summary>Endpoints, their transformations and their signing keys.</summary>
public interface IEndpointStore
{
    Task<HeraldEndpoint?> GetEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken);
    Task<Page<HeraldEndpoint>> ListEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken);
    Task CreateEndpointAsync(HeraldEndpoint endpoint, EndpointSecretKey secret, CancellationToken cancellationToken);
    Task UpdateEndpointAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken);
    Task<bool> DeleteEndpointAsync(string applicationId, string endpointId, CancellationToken cancellationToken);

    /// <summary>Sets the endpoint's transformation (code, enabled, when); false when the endpoint is gone. Nothing else of it changes.</summary>
    Task<bool> SetEndpointTransformationAsync(string endpointId, EndpointTransformation transformation, CancellationToken cancellationToken);

    /// <summary>The endpoint's signing keys that are valid at <paramref name="now"/>, newest first.</summary>
    Task<IReadOnlyList<EndpointSecretKey>> GetEndpointSecretsAsync(string endpointId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="newKey"/> current; the keys valid until now stay valid until <paramref name="previousValidUntil"/>.</summary>
    Task RotateEndpointSecretAsync(string endpointId, EndpointSecretKey newKey, DateTimeOffset previousValidUntil, CancellationToken cancellationToken);
}
