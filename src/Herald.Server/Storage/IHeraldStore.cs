using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.EventTypes;
using Herald.Server.Idempotency;
using Herald.Server.Messages;

namespace Herald.Server.Storage;

/// <summary>
/// Everything Herald keeps. One interface, one implementation per engine (SQLite and PostgreSQL):
/// nothing above it knows which engine runs. Each method is one transaction; the ones that must be
/// atomic together (an endpoint and its first secret, a message and its place in the app's ordered log)
/// are single methods. Uniqueness violations surface as <see cref="StorageConflictException"/>.
/// </summary>
public partial interface IHeraldStore
{
    /// <summary>Applies pending versioned migrations. Called once at start-up, before requests are served.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // Tokens
    Task<bool> AnyAdminTokenAsync(CancellationToken cancellationToken);
    Task AddTokenAsync(ApiToken token, CancellationToken cancellationToken);
    Task<ApiToken?> FindTokenAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Makes the token expire at <paramref name="at"/> (or keeps its earlier expiry); false when there is no such token.</summary>
    Task<bool> ExpireTokenAsync(string tokenId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The same for every token of the application, or only those of <paramref name="sessionIds"/>; returns how many.</summary>
    Task<int> ExpireApplicationTokensAsync(string applicationId, IReadOnlyCollection<string>? sessionIds, DateTimeOffset at, CancellationToken cancellationToken);

    // Idempotency
    /// <summary>
    /// Claims the key for <paramref name="pending"/>: returns null when this request now owns it, or the record
    /// already there (running or completed). A record created before <paramref name="expiredBefore"/> is replaced.
    /// </summary>
    Task<IdempotencyRecord?> TryBeginIdempotentRequestAsync(IdempotencyRecord pending, DateTimeOffset expiredBefore, CancellationToken cancellationToken);
    Task CompleteIdempotentRequestAsync(IdempotencyRecord completed, CancellationToken cancellationToken);
    Task AbandonIdempotentRequestAsync(string caller, string key, CancellationToken cancellationToken);
    Task<int> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);

    // Applications
    Task<Application?> GetApplicationAsync(string idOrUid, CancellationToken cancellationToken);
    Task<Page<Application>> ListApplicationsAsync(ApplicationFilter filter, PageRequest page, CancellationToken cancellationToken);
    Task CreateApplicationAsync(Application application, CancellationToken cancellationToken);
    Task UpdateApplicationAsync(Application application, CancellationToken cancellationToken);
    Task<bool> DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken);

    // Event types
    Task<EventType?> GetEventTypeAsync(string name, CancellationToken cancellationToken);
    Task<Page<EventType>> ListEventTypesAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> FindMissingEventTypesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);
    Task CreateEventTypeAsync(EventType eventType, CancellationToken cancellationToken);
    Task UpdateEventTypeAsync(EventType eventType, CancellationToken cancellationToken);
    Task<bool> DeleteEventTypeAsync(string name, CancellationToken cancellationToken);

    // Endpoints
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

    // Messages
    /// <summary>
    /// In one transaction: stores a message, gives it the next number of its application's commit-ordered
    /// sequence, and writes one delivery per enabled endpoint whose event types and channels match (or only to
    /// <see cref="NewMessage.TargetEndpointId"/>), leased to <paramref name="lease"/> so the caller sends them at
    /// once. When <paramref name="createApplication"/> is set, the application is created in the same transaction.
    /// A scheduled message (<see cref="NewMessage.DeliverAt"/>) gets its deliveries due at that time and leased to
    /// nobody, and none is returned: only a storage scan at or after that time starts them, on whichever node.
    /// </summary>
    Task<PublishedMessage> PublishMessageAsync(NewMessage message, Application? createApplication, DeliveryLease lease, CancellationToken cancellationToken);
    Task<Message?> GetMessageAsync(string applicationId, string idOrEventId, CancellationToken cancellationToken);
    Task<Page<Message>> ListMessagesAsync(string applicationId, MessageFilter filter, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Forgets a message's payload and cancels its pending deliveries (they could only send something else).</summary>
    Task<bool> ExpungeMessageContentAsync(string applicationId, string messageId, CancellationToken cancellationToken);
}
