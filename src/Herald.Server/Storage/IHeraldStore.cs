namespace Herald.Server.Storage;

/// <summary>
/// Everything Herald keeps: the parts per feature (<see cref="IMessageStore"/>, <see cref="IDeliveryStore"/>, …), each
/// registered on its own so a consumer takes only the part it uses, and one implementation per engine (SQLite and
/// PostgreSQL): nothing above it knows which engine runs. Each method is one transaction; the ones that must be
/// atomic together (an endpoint and its first secret, a message and its place in the app's ordered log)
/// are single methods. Uniqueness violations surface as <see cref="StorageConflictException"/>.
/// </summary>
public interface IHeraldStore :
    ITokenStore, IIdempotencyStore, IApplicationStore, IEventTypeStore, IEndpointStore, IMessageStore,
    IApiKeyStore, IAttemptStore, IBackgroundTaskStore, IClusterStore, IDeliveryStore, IFifoStore, IHealthStore,
    IPollingStore, IRetentionStore, ISecretStore, IStatsStore, IVerificationStore
{
    /// <summary>Applies pending versioned migrations. Called once at start-up, before requests are served.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);
}
