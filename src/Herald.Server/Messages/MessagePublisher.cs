using Herald.Server.Cluster;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Diagnostics;
using Herald.Server.Polling;
using Herald.Server.Retention;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Messages;

/// <summary>
/// Publishing, in one place: commit the message with its fan-out, then hand the new deliveries to the
/// dispatcher and wake the pull readers (long-polls, streams) waiting on the application's log.
/// </summary>
internal sealed class MessagePublisher(
    IMessageStore store, DeliveryQueue queue, DeliveryNode node, MessageLogSignal signal, IOptions<RetentionOptions> retention)
{
    /// <summary>
    /// Commits <paramref name="message"/> and hands its deliveries over. Storage is asked to commit whatever
    /// <paramref name="cancellationToken"/> says (a caller's disconnect must not leave the outcome unknown); the token is
    /// forwarded to the hand-over, which never strands a committed delivery either (<see cref="DeliveryQueue.EnqueueAsync"/>).
    /// </summary>
    public async Task<Message> PublishAsync(NewMessage message, Application? createApplication = null, CancellationToken cancellationToken = default)
    {
        // Every message expires (operational webhooks and examples too), else the retention job could never delete it.
        using var activity = HeraldTracing.StartPublish(message.ApplicationId, message.Id, message.EventType);
        message = message with
        {
            PayloadExpiresAt = message.PayloadExpiresAt ?? message.CreatedAt + retention.Value.DefaultPayloadRetention,
            TraceParent = message.TraceParent ?? HeraldTracing.TraceParent(activity), // the attempts' spans link to it
        };
        // Once storage has been asked to commit, the caller's disconnect must not leave the outcome unknown.
        PublishedMessage published;
        try
        {
            published = await store.PublishMessageAsync(message, createApplication, queue.ForPublish(node.NewLease()), CancellationToken.None);
        }
        catch (Exception e)
        {
            HeraldTracing.Failed(activity, e);
            throw;
        }

        activity?.SetTag("herald.deliveries", published.Deliveries.Count);
        HeraldMetrics.MessagePublished();
        signal.Notify(published.Message.ApplicationId);
        await queue.EnqueueAsync(published.Deliveries, cancellationToken);
        return published.Message;
    }
}
