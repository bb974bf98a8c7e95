using System.Text;
using System.Text.Json.Nodes;
using Herald.Server.Messages;
using Herald.Server.Diagnostics;

namespace Herald.Server.Delivery;

/// <summary>
/// Webhooks about Herald itself, for the operator. They are messages of one internal application whose
/// endpoints the operator manages under <c>/api/v1/operational-webhook/endpoint</c>, so they are signed,
/// retried and logged exactly like every other webhook.
/// </summary>
internal sealed partial class OperationalWebhooks(
    MessagePublisher publisher, Storage.IEndpointStore store, Ids ids, TimeProvider time, ILogger<OperationalWebhooks> logger)
{
    private static readonly Storage.PageRequest FirstEndpoints = new(Limit: 250, After: null, Backward: false, Descending: false);

    public const string ApplicationId = "app_herald_operational";

    public static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "endpoint.created", "endpoint.updated", "endpoint.deleted", "endpoint.disabled", "endpoint.enabled",
        "message.attempt.failing", "message.attempt.exhausted", "message.attempt.recovered",
        "background_task.finished", AttemptLogBatcher.EventType, FifoLine.StoppedEventType,
        Endpoints.EndpointVerifier.FailedEventType,
    };

    /// <summary>
    /// Publishes <c>{"type", "timestamp", "data"}</c> when the operator has an enabled operational endpoint (who gets a
    /// message is decided when it is published, and the internal application's messages are not listed anywhere, so
    /// without one the message would be a write for nobody — one per failing delivery during an outage, when writes
    /// are scarcest). Failure to publish is logged, never thrown: it must not fail the caller's work. Callers whose
    /// change is already committed pass <see cref="CancellationToken.None"/>: the operator hears of it even when the
    /// client that made it has gone. Delivery attempts do not call this: they post to <see cref="OperationalWebhookPump"/>.
    /// </summary>
    public async Task PublishAsync(string type, JsonObject data, CancellationToken cancellationToken)
    {
        try
        {
            var endpoints = await store.ListEndpointsAsync(ApplicationId, FirstEndpoints, cancellationToken);
            if (endpoints.Items.Count < FirstEndpoints.Limit && endpoints.Items.All(e => e.Disabled))
            {
                return;
            }

            var now = time.Now();
            var payload = new JsonObject { ["type"] = type, ["timestamp"] = now.ToIso(), ["data"] = data };
            await publisher.PublishAsync(new NewMessage
            {
                Id = ids.New(Ids.Message),
                ApplicationId = ApplicationId,
                EventType = type,
                Payload = Encoding.UTF8.GetBytes(payload.ToJsonString()),
                CreatedAt = now,
            }, cancellationToken: cancellationToken);
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, type, e);
        }
    }

    /// <summary>The enabled operational endpoints whose event types name <paramref name="type"/> (those that take every type are not counted).</summary>
    public async Task<IReadOnlyList<string>> SubscribersAsync(string type, CancellationToken cancellationToken)
    {
        var subscribers = new List<string>();
        string? after = null;
        Storage.Page<Endpoints.HeraldEndpoint> page;
        do
        {
            page = await store.ListEndpointsAsync(ApplicationId, FirstEndpoints with { After = after }, cancellationToken);
            subscribers.AddRange(page.Items.Where(e => !e.Disabled && e.EventTypes?.Contains(type, StringComparer.Ordinal) == true).Select(e => e.Id));
            after = page.Items.Count > 0 ? page.Items[^1].Id : after;
        }
        while (page.HasMore);

        return subscribers;
    }

    /// <summary>
    /// Publishes <c>{"type", "timestamp", "data"}</c> to each of <paramref name="endpointIds"/> alone (one message each,
    /// whatever their filters), e.g. to the subscribers of <c>message.attempt.log</c>. Failure to
    /// publish is logged, never thrown.
    /// </summary>
    public async Task PublishToAsync(IReadOnlyList<string> endpointIds, string type, JsonNode data)
    {
        var now = time.Now();
        var payload = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["timestamp"] = now.ToIso(), ["data"] = data }.ToJsonString());
        foreach (var endpointId in endpointIds)
        {
            try
            {
                await publisher.PublishAsync(new NewMessage
                {
                    Id = ids.New(Ids.Message),
                    ApplicationId = ApplicationId,
                    EventType = type,
                    Payload = payload,
                    CreatedAt = now,
                    TargetEndpointId = endpointId,
                }, cancellationToken: CancellationToken.None);
            }
            catch (Exception e)
            {
                LogPublishFailed(logger, type, e);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.OperationalWebhookFailed, Level = LogLevel.Error, Message = "Could not publish the operational webhook {Type}")]
    private static partial void LogPublishFailed(ILogger logger, string type, Exception exception);
}
