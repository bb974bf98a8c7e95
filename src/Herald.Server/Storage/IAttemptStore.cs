using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage;

/// <summary>Filters of the attempt log. Null means "any".</summary>
public sealed record AttemptFilter(
    string? EndpointId = null,
    string? MessageId = null,
    MessageStatus? Status = null,
    int? StatusCodeClass = null,
    IReadOnlyList<string>? EventTypes = null,
    string? Channel = null,
    string? Tag = null,
    DateTimeOffset? Before = null,
    DateTimeOffset? After = null);

/// <summary>Where a message stands for one endpoint: success if any delivery succeeded, else pending, else failed.</summary>
public sealed record DeliveryState(string EndpointId, MessageStatus Status, DateTimeOffset? NextAttempt);

/// <summary>Messages of an endpoint by the state of their delivery.</summary>
public sealed record DeliveryCounts(long Success, long Pending, long Sending, long Fail, long Canceled);

/// <summary>Reading the delivery log: attempts, and the state of each (message, endpoint) pair.</summary>
public interface IAttemptStore
{
    Task<Page<AttemptRecord>> ListAttemptsAsync(string applicationId, AttemptFilter filter, PageRequest page, CancellationToken cancellationToken);

    Task<AttemptRecord?> GetAttemptAsync(string applicationId, string attemptId, CancellationToken cancellationToken);

    /// <summary>Forgets the stored response body of an attempt (it may hold data the receiver should not have echoed).</summary>
    Task<bool> ExpungeAttemptResponseAsync(string applicationId, string attemptId, CancellationToken cancellationToken);

    /// <summary>The endpoints a message was (or is being) delivered to, with the state of each.</summary>
    Task<IReadOnlyList<DeliveryState>> ListMessageDeliveryStatesAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Messages delivered (or being delivered) to one endpoint, newest first, with their state; <paramref name="filter"/> applies to the messages.</summary>
    Task<Page<(Message Message, DeliveryState State)>> ListEndpointMessagesAsync(
        string endpointId, MessageStatus? status, MessageFilter filter, PageRequest page, CancellationToken cancellationToken);

    Task<DeliveryCounts> CountEndpointDeliveriesAsync(string endpointId, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken);
}
