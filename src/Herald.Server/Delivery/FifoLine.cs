using System.Text.Json.Nodes;
using Herald.Server.Diagnostics;
using Herald.Server.Endpoints;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>
/// FIFO endpoints: each gets its messages strictly in the order of their sequence; a message is not attempted until the
/// one before it succeeded or was exhausted. The order lives in storage, not here (IFifoStore.cs): the claim
/// takes only the head of a running line, so it holds across restarts and across the nodes of a cluster. This class is
/// the dispatcher's side of it: deliveries it did not claim through the scan (a publisher's, a resend's) are checked
/// against the line before they are sent, and the outcome of an attempt moves the line on or stops it.
/// </summary>
internal sealed partial class FifoLine(IFifoStore store, OperationalWebhooks operational, ILogger<FifoLine> logger)
{
    /// <summary>The operational webhook sent when a line stops on an exhausted message.</summary>
    public const string StoppedEventType = "endpoint.fifo.stopped";

    /// <summary>
    /// True when the delivery may be attempted now: its endpoint is not FIFO, or it is the head of a running line. A
    /// delivery behind the head is handed back by the caller; the scan takes it once it is the head.
    /// </summary>
    public async ValueTask<bool> MayAttemptAsync(DeliveryWork work, CancellationToken cancellationToken) =>
        work.Endpoint.Fifo is null || await store.GetFifoHeadAsync(work.Endpoint.Id, cancellationToken) == work.Delivery.Id;

    /// <summary>
    /// After an attempt was recorded (RecordAttemptAsync stopped the line in its transaction when it had to). True when
    /// the line moved on, so the caller scans at once for its next head instead of at the next scan interval.
    /// </summary>
    public async Task<bool> RecordedAsync(DeliveryWork work, MessageStatus status, AttemptRecord attempt)
    {
        if (work.Endpoint.Fifo is not { } fifo || status == MessageStatus.Pending)
        {
            return false;
        }

        if (status != MessageStatus.Fail || fifo.OnExhaustion == FifoExhaustion.Skip)
        {
            return true;
        }

        LogLineStopped(logger, work.Endpoint.Id, work.Message.Id);
        if (work.Delivery.ApplicationId != OperationalWebhooks.ApplicationId)
        {
            await operational.PublishAsync(StoppedEventType, new JsonObject
            {
                ["appId"] = work.Delivery.ApplicationId,
                ["endpointId"] = work.Endpoint.Id,
                ["endpointUid"] = work.Endpoint.Uid,
                ["msgId"] = work.Message.Id,
                ["msgEventId"] = work.Message.EventId,
                ["stoppedAt"] = attempt.CreatedAt.ToIso(),
            }, CancellationToken.None);
        }

        return false;
    }

    /// <summary>The operator resumes a stopped line (the resume route); false when it was not stopped.</summary>
    public async Task<bool> ResumeAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!await store.ResumeFifoLineAsync(endpoint.Id, cancellationToken))
        {
            return false;
        }

        LogLineResumed(logger, endpoint.Id);
        return true;
    }

    [LoggerMessage(EventId = EventIds.FifoLineStopped, Level = LogLevel.Warning,
        Message = "FIFO endpoint {EndpointId} stopped: message {MessageId} exhausted its attempts; the line waits for an operator")]
    private static partial void LogLineStopped(ILogger logger, string endpointId, string messageId);

    [LoggerMessage(EventId = EventIds.FifoLineResumed, Level = LogLevel.Information, Message = "FIFO endpoint {EndpointId} resumed by an operator")]
    private static partial void LogLineResumed(ILogger logger, string endpointId);
}
