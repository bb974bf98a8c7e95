using System.Text.Json.Nodes;
using Herald.Server.Cluster;
using Herald.Server.BackgroundTasks;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>
/// The three ways of sending messages to one endpoint again, as background tasks. Each sends one-try (manual)
/// deliveries, in batches, and reports <c>{"messagesSent": n}</c> (Svix's documented result) after every batch.
/// <list type="bullet">
/// <item><c>endpoint.recover</c>: messages whose delivery to the endpoint failed for good in the window and that were
/// not since delivered or retried.</item>
/// <item><c>endpoint.replay</c> (replay-missing): messages of the window that were never routed to the endpoint (published
/// before it existed, or while its filters excluded them) and that its current filters accept.</item>
/// <item><c>endpoint.bulk-replay</c>: messages of the window that were routed to the endpoint (successful or failed),
/// narrowed by the request's filters.</item>
/// </list>
/// Running one again after an interruption: recover and replay-missing skip what the first run already sent (it then
/// has a pending or successful delivery); bulk-replay starts over, so a message may be sent once more (at least once,
/// as every webhook).
/// </summary>
internal sealed class EndpointReplayWork(string kind, IDeliveryStore store, IAttemptStore attemptLog, IBackgroundTaskStore tasks, IEndpointStore endpoints, DeliveryQueue queue, DeliveryNode node, TimeProvider time) : IBackgroundTaskWork
{
    private const int BatchSize = 100;

    public string Kind => kind;

    public async Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken)
    {
        var endpointId = (string)input["endpointId"]!;
        var endpoint = await endpoints.GetEndpointAsync(task.ApplicationId!, endpointId, cancellationToken)
            ?? throw new TaskFailedException("The endpoint was deleted.");
        var since = input["since"]!.GetValue<DateTimeOffset>();
        var until = input["until"]?.GetValue<DateTimeOffset>();
        long sent = 0;
        long after = 0;
        if (kind == BackgroundTaskKinds.EndpointRecover)
        {
            var failed = await store.ListFailedMessagesAsync(endpoint.Id, since, until, cancellationToken);
            foreach (var batch in failed.Chunk(BatchSize))
            {
                sent += await SendAsync(endpoint, batch, cancellationToken);
                await progress.ReportAsync(new JsonObject { ["messagesSent"] = sent }, cancellationToken);
            }

            return new JsonObject { ["messagesSent"] = sent };
        }

        var missingOnly = kind == BackgroundTaskKinds.EndpointReplay;
        while (true)
        {
            var candidates = await tasks.ListMessagesForReplayAsync(task.ApplicationId!, endpoint.Id, since, until, after, missingOnly, BatchSize, cancellationToken);
            if (candidates.Count == 0)
            {
                return new JsonObject { ["messagesSent"] = sent };
            }

            var chosen = new List<string>(candidates.Count);
            foreach (var message in candidates)
            {
                if (missingOnly ? Accepts(endpoint, message) : await MatchesAsync(input, endpoint, message, cancellationToken))
                {
                    chosen.Add(message.Id);
                }
            }

            sent += await SendAsync(endpoint, chosen, cancellationToken);
            after = candidates[^1].Sequence;
            await progress.ReportAsync(new JsonObject { ["messagesSent"] = sent }, cancellationToken);
        }
    }

    private async Task<int> SendAsync(HeraldEndpoint endpoint, IReadOnlyList<string> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
        {
            return 0;
        }

        var created = await store.CreateManualDeliveriesAsync(endpoint.Id, messageIds, node.NewLease(), time.Now(), cancellationToken);
        await queue.EnqueueAsync(created, cancellationToken);
        return created.Count;
    }

    /// <summary>The endpoint's current filters, as publishing applies them: event types, then channels (any in common).</summary>
    public static bool Accepts(HeraldEndpoint endpoint, Message message) =>
        (endpoint.EventTypes is null || endpoint.EventTypes.Contains(message.EventType, StringComparer.Ordinal))
        && (endpoint.Channels is null || (message.Channels ?? []).Intersect(endpoint.Channels, StringComparer.Ordinal).Any());

    /// <summary>Bulk-replay's filters (BulkReplayIn): each one given must hold.</summary>
    private async Task<bool> MatchesAsync(JsonObject input, HeraldEndpoint endpoint, Message message, CancellationToken cancellationToken)
    {
        if (input["eventTypes"] is JsonArray types && !types.Any(t => (string?)t == message.EventType))
        {
            return false;
        }

        if ((string?)input["channel"] is { } channel && !(message.Channels ?? []).Contains(channel, StringComparer.Ordinal))
        {
            return false;
        }

        if ((string?)input["tag"] is { } tag && !(message.Tags ?? []).Contains(tag, StringComparer.Ordinal))
        {
            return false;
        }

        if (input["status"]?.GetValue<int>() is { } status)
        {
            var state = (await attemptLog.ListMessageDeliveryStatesAsync(message.Id, cancellationToken)).FirstOrDefault(s => s.EndpointId == endpoint.Id);
            if (state is null || (int)state.Status != status)
            {
                return false;
            }
        }

        if (input["statusCodeClass"]?.GetValue<int>() is { } codeClass)
        {
            var filter = new AttemptFilter(EndpointId: endpoint.Id, MessageId: message.Id, StatusCodeClass: codeClass);
            var attempts = await attemptLog.ListAttemptsAsync(message.ApplicationId, filter, new PageRequest(1, null, Backward: false, Descending: true), cancellationToken);
            if (attempts.Items.Count == 0)
            {
                return false;
            }
        }

        return true;
    }
}
