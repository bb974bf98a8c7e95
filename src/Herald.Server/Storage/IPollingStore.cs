using Herald.Server.Polling;

namespace Herald.Server.Storage;

/// <summary>The pull side: polling endpoints, reading an application's log by sequence, and consumer cursors.</summary>
public interface IPollingStore
{
    Task<PollingEndpoint?> GetPollingEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken);
    Task<Page<PollingEndpoint>> ListPollingEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken);
    Task CreatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken);
    Task UpdatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken);
    Task<bool> DeletePollingEndpointAsync(string applicationId, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> messages of the application with sequence above <paramref name="after"/> that
    /// match <paramref name="filter"/>, in sequence (commit) order, read from one consistent snapshot. The page ends
    /// early (not done) before the message whose payload would take it past <paramref name="maxBytes"/>; it always holds
    /// at least one message.
    /// </summary>
    Task<LogPage> ReadLogAsync(string applicationId, long after, LogFilter filter, int limit, long maxBytes, CancellationToken cancellationToken);

    /// <summary>The sequence number of the last message of the application created at or before <paramref name="time"/> (0 if none).</summary>
    Task<long> LogPositionAtAsync(string applicationId, DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>The committed position of a consumer, or null before its first commit.</summary>
    Task<long?> GetConsumerPositionAsync(string sinkId, string consumerId, CancellationToken cancellationToken);

    Task SetConsumerPositionAsync(string sinkId, string consumerId, long position, DateTimeOffset now, CancellationToken cancellationToken);
}
