using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Messages;

namespace Herald.Server.Storage;

/// <summary>Messages: publishing (with its deliveries, in one transaction), reading and expunging.</summary>
public interface IMessageStore
{
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
