using System.Text;
using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Messages;

namespace Herald.Server.Delivery;

/// <summary>
/// Webhooks about Herald itself, for the operator. They are messages of one internal application whose
/// endpoints the operator manages under <c>/api/v1/operational-webhook/endpoint</c>, so they are signed,
/// retried and logged exactly like every other webhook.
/// </summary>
internal sealed partial class OperationalWebhooks(
    MessagePublisher publisher, Storage.IHeraldStore store, Ids ids, TimeProvider time, ILogger<OperationalWebhooks> logger)
{
    private static readonly Storage.PageRequest FirstEndpoints = new(Limit: 250, After: null, Backward: false, Descending: false);

    public const string ApplicationId = "app_herald_operational";

    public static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "endpoint.created", "endpoint.updated", "endpoint.deleted", "endpoint.disabled", "endpoint.enabled",
        "message.attempt.failing", "message.attempt.exhausted", "message.attempt.recovered",
        "background_task.finished",
    };

    /// <summary>
    /// Publishes <c>{"type", "timestamp", "data"}</c> when the operator has an enabled operational endpoint (who gets a
    /// message is decided when it is published, and the internal application's messages are not listed anywhere, so
    /// without one the message would be a write for nobody — one per failing delivery during an outage, when writes
    /// are scarcest). Failure to publish is logged, never thrown: it must not fail the caller's work.
    /// </summary>
    public async Task PublishAsync(string type, JsonObject data)
    {
        try
        {
            var endpoints = await store.ListEndpointsAsync(ApplicationId, FirstEndpoints, CancellationToken.None);
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
            });
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, type, e);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Could not publish the operational webhook {Type}")]
    private static partial void LogPublishFailed(ILogger logger, string type, Exception exception);
}
