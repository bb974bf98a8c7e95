using System.Text.Json.Nodes;
using Herald.Server.BackgroundTasks;
using Herald.Server.Storage;

namespace Herald.Server.Stats;

/// <summary>
/// <c>application.stats</c>: per application, how many message destinations (deliveries: one per message and endpoint it
/// was routed to) were created in [since, until). Result: <c>{"appStats": [{"messageDestinations", "appId", "appUid"}]}</c>.
/// </summary>
internal sealed class ApplicationStatsWork(IBackgroundTaskStore store, IApplicationStore applications) : IBackgroundTaskWork
{
    public string Kind => BackgroundTaskKinds.ApplicationStats;

    public async Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken)
    {
        var counts = await store.CountDeliveriesByApplicationAsync(
            input["since"]!.GetValue<DateTimeOffset>(), input["until"]!.GetValue<DateTimeOffset>(), cancellationToken);
        var wanted = input["appIds"] is JsonArray ids ? ids.Select(i => (string)i!).ToHashSet(StringComparer.Ordinal) : null;
        var stats = new JsonArray();
        await foreach (var application in StatisticsApi.AllApplicationsAsync(applications, cancellationToken))
        {
            if (wanted is null || wanted.Contains(application.Id))
            {
                stats.Add(new JsonObject
                {
                    ["messageDestinations"] = counts.GetValueOrDefault(application.Id),
                    ["appId"] = application.Id,
                    ["appUid"] = application.Uid,
                });
            }
        }

        return new JsonObject { ["appStats"] = stats };
    }
}

/// <summary>
/// <c>event-type.aggregate</c>: per application, the event types its endpoints subscribe to by name, and whether one of
/// them takes every event type. Result (Svix's documented shape): <c>{"event_types": [{"appId",
/// "explicitlySubscribedEventTypes", "hasCatchAllEndpoint"}]}</c>.
/// </summary>
internal sealed class EventTypeAggregateWork(IEndpointStore store, IApplicationStore applications) : IBackgroundTaskWork
{
    public string Kind => BackgroundTaskKinds.EventTypeAggregate;

    public async Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken)
    {
        var result = new JsonArray();
        await foreach (var application in StatisticsApi.AllApplicationsAsync(applications, cancellationToken))
        {
            var named = new SortedSet<string>(StringComparer.Ordinal);
            var catchAll = false;
            string? after = null;
            Page<Endpoints.HeraldEndpoint> page;
            do
            {
                page = await store.ListEndpointsAsync(application.Id, new PageRequest(250, after, Backward: false, Descending: false), cancellationToken);
                foreach (var endpoint in page.Items)
                {
                    catchAll |= endpoint.EventTypes is null;
                    named.UnionWith(endpoint.EventTypes ?? []);
                }

                after = page.Items.Count > 0 ? page.Items[^1].Id : after;
            }
            while (page.HasMore);

            result.Add(new JsonObject
            {
                ["appId"] = application.Id,
                ["explicitlySubscribedEventTypes"] = new JsonArray([.. named.Select(n => (JsonNode)n)]),
                ["hasCatchAllEndpoint"] = catchAll,
            });
        }

        return new JsonObject { ["event_types"] = result };
    }
}
