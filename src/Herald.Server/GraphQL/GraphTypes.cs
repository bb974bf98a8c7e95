using System.Globalization;
using System.Security.Claims;
using System.Text;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using GraphQL.Types.Relay;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.EventTypes;
using Herald.Server.Messages;
using Herald.Server.Polling;
using Herald.Server.Storage;

namespace Herald.Server.GraphQL;

/// <summary>What resolvers share: the request's store, loaders, caller, content budget.</summary>
internal static class Resolve
{
    public static IHeraldStore Store(this IResolveFieldContext context) => context.RequestServices!.GetRequiredService<IHeraldStore>();

    public static GraphQLLoaders Loaders(this IResolveFieldContext context) => context.RequestServices!.GetRequiredService<GraphQLLoaders>();

    public static ClaimsPrincipal Caller(this IResolveFieldContext context) => context.User ?? new ClaimsPrincipal();

    public static long PageByteBudget(this IResolveFieldContext context) => context.RequestServices!.GetRequiredService<ContentGate>().PageByteBudget;

    /// <summary>The application if it exists and the caller reaches it; null otherwise (as REST's 404: a scoped token cannot learn of others).</summary>
    public static async Task<Application?> ReachableApplicationAsync(this IResolveFieldContext context, string idOrUid)
    {
        var application = await context.Store().GetApplicationAsync(idOrUid, context.CancellationToken);
        return application is not null && context.Caller().CanReach(application.Id) ? application : null;
    }

    /// <summary>The REST message filter (<see cref="MessageFilterQuery.ToFilter"/>, same checks) from the GraphQL arguments.</summary>
    public static MessageFilter MessageFilter(this IResolveFieldContext context, Validator v) => new EndpointMessagesQuery
    {
        EventTypes = context.GetArgument<List<string>?>("eventTypes")?.ToArray(),
        Channel = context.GetArgument<string?>("channel"),
        Tag = context.GetArgument<string?>("tag"),
        Before = context.GetArgument<DateTimeOffset?>("createdBefore"),
        After = context.GetArgument<DateTimeOffset?>("createdAfter"),
    }.ToFilter(v);

    public static AttemptFilter AttemptFilter(this IResolveFieldContext context)
    {
        var v = new Validator();
        var messages = context.MessageFilter(v);
        var statusCodeClass = context.GetArgument<int?>("statusCodeClass");
        if (statusCodeClass is { } c && !DeliveryQueryRules.StatusCodeClass.Accepts(c.ToString(CultureInfo.InvariantCulture)))
        {
            v.Add("statusCodeClass", DeliveryQueryRules.StatusCodeClass.Code, DeliveryQueryRules.StatusCodeClass.Message);
        }

        v.ThrowIfInvalid();
        return new AttemptFilter(null, null, context.GetArgument<MessageStatus?>("status"), statusCodeClass, messages.EventTypes, messages.Channel, messages.Tag, messages.Before, messages.After);
    }

    public static FieldBuilder<TSource, object> MessageFilters<TSource>(this FieldBuilder<TSource, object> field) => field
        .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes", "Only messages of these event types.")
        .Argument<StringGraphType>("channel", "Only messages published on this channel.")
        .Argument<StringGraphType>("tag", "Only messages carrying this tag.")
        .Argument<DateTimeOffsetGraphType>("createdBefore", "Only items created before this instant (REST `before`).")
        .Argument<DateTimeOffsetGraphType>("createdAfter", "Only items created after this instant (REST `after`).");

    public static FieldBuilder<TSource, object> AttemptFilters<TSource>(this FieldBuilder<TSource, object> field) => field
        .MessageFilters()
        .Argument<EnumerationGraphType<MessageStatus>>("status", "Only attempts with this status.")
        .Argument<IntGraphType>("statusCodeClass", "Only attempts whose HTTP status is in this class: 0 (no response), 100, 200, 300, 400 or 500.");

    public static async Task<object?> AttemptsAsync(IResolveFieldContext context, string applicationId, AttemptFilter filter)
    {
        var page = Connections.Page(context, key => Ids.IsValid(Ids.Attempt, key), descendingByDefault: true) with { MaxBytes = context.PageByteBudget() };
        var result = await context.Store().ListAttemptsAsync(applicationId, filter, page, context.CancellationToken);
        return Connections.ToConnection(result, page, a => a.Id);
    }
}

internal sealed class MetadataEntryGraphType : ObjectGraphType<KeyValuePair<string, string>>
{
    public MetadataEntryGraphType()
    {
        Name = "MetadataEntry";
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("value").Resolve(c => c.Source.Value);
    }
}

internal sealed class ApplicationGraphType : ObjectGraphType<Application>
{
    public ApplicationGraphType()
    {
        Name = "Application";
        Description = "A consumer of webhooks (tenant); everything else belongs to one application.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<StringGraphType>("uid").Resolve(c => c.Source.Uid);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<IntGraphType>("throttleRate").Resolve(c => c.Source.ThrottleRate);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetadataEntryGraphType>>>>("metadata").Resolve(c => c.Source.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);

        Field<NonNullGraphType<ConnectionType<EndpointGraphType, EdgeType<EndpointGraphType>>>>("endpoints")
            .Description("The application's webhook endpoints, oldest first.").Paged()
            .ResolveAsync(async c =>
            {
                var page = Connections.Page(c, key => Ids.IsValid(Ids.Endpoint, key), descendingByDefault: false);
                var result = await c.Store().ListEndpointsAsync(c.Source.Id, page, c.CancellationToken);
                foreach (var endpoint in result.Items)
                {
                    c.Loaders().Endpoints.Prime((endpoint.ApplicationId, endpoint.Id), endpoint);
                }

                return Connections.ToConnection(result, page, e => e.Id);
            });
        Field<EndpointGraphType>("endpoint").Description("One endpoint by id or uid; null when there is none.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Store().GetEndpointAsync(c.Source.Id, c.GetArgument<string>("id"), c.CancellationToken));

        Field<NonNullGraphType<ConnectionType<MessageGraphType, EdgeType<MessageGraphType>>>>("messages")
            .Description("The application's messages, newest first.").Paged().MessageFilters()
            .ResolveAsync(async c =>
            {
                var v = new Validator();
                var filter = c.MessageFilter(v);
                v.ThrowIfInvalid();
                var page = Connections.Page(c, key => Ids.IsValid(Ids.Message, key), descendingByDefault: true) with { MaxBytes = c.PageByteBudget() };
                var result = await c.Store().ListMessagesAsync(c.Source.Id, filter, page, c.CancellationToken);
                foreach (var message in result.Items)
                {
                    c.Loaders().Messages.Prime((message.ApplicationId, message.Id), message);
                }

                return Connections.ToConnection(result, page, m => m.Id);
            });
        Field<MessageGraphType>("message").Description("One message by id or eventId; null when there is none.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Store().GetMessageAsync(c.Source.Id, c.GetArgument<string>("id"), c.CancellationToken));

        Field<NonNullGraphType<ConnectionType<AttemptGraphType, EdgeType<AttemptGraphType>>>>("attempts")
            .Description("Delivery attempts to any of the application's endpoints, newest first.").Paged().AttemptFilters()
            .ResolveAsync(c => Resolve.AttemptsAsync(c, c.Source.Id, c.AttemptFilter()));
        Field<AttemptGraphType>("attempt").Description("One attempt by id; null when there is none.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Store().GetAttemptAsync(c.Source.Id, c.GetArgument<string>("id"), c.CancellationToken));

        Field<NonNullGraphType<ConnectionType<PollingEndpointGraphType, EdgeType<PollingEndpointGraphType>>>>("pollingEndpoints")
            .Description("The application's polling endpoints (sinks read through the poller API), oldest first.").Paged()
            .ResolveAsync(async c =>
            {
                var page = Connections.Page(c, key => Ids.IsValid(DestinationsApi.IdPrefix, key), descendingByDefault: false);
                var result = await c.Store().ListPollingEndpointsAsync(c.Source.Id, page, c.CancellationToken);
                return Connections.ToConnection(result, page, e => e.Id);
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EventTypeAttemptStatsGraphType>>>>("attemptStats")
            .Description("Per event type: attempts that succeeded and failed in [since, until), and deliveries canceled (as GET /stats/app/{app_id}/attempt).")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("since")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("until")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes")
            .ResolveAsync(async c =>
            {
                var since = c.GetArgument<DateTimeOffset>("since");
                var until = c.GetArgument<DateTimeOffset>("until");
                var eventTypes = c.GetArgument<List<string>?>("eventTypes");
                var v = new Validator().Names("eventTypes", eventTypes, 256);
                if (until <= since)
                {
                    v.Add("until", "invalid_value", "must be after since.");
                }

                v.ThrowIfInvalid();
                var counts = await c.Store().CountAttemptOutcomesAsync(c.Source.Id, since, until, eventTypes is { Count: > 0 } ? eventTypes : null, bucket: null, c.CancellationToken);
                return counts.GroupBy(n => n.EventType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new AttemptOutcomeCount(0, g.Key, g.Sum(n => n.Success), g.Sum(n => n.Failure), g.Sum(n => n.Canceled)));
            });
    }
}

internal sealed class EventTypeAttemptStatsGraphType : ObjectGraphType<AttemptOutcomeCount>
{
    public EventTypeAttemptStatsGraphType()
    {
        Name = "EventTypeAttemptStats";
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.EventType);
        Field<NonNullGraphType<LongGraphType>>("success").Resolve(c => c.Source.Success);
        Field<NonNullGraphType<LongGraphType>>("failure").Resolve(c => c.Source.Failure);
        Field<NonNullGraphType<LongGraphType>>("canceled").Resolve(c => c.Source.Canceled);
    }
}

internal sealed class DeliveryCountsGraphType : ObjectGraphType<DeliveryCounts>
{
    public DeliveryCountsGraphType()
    {
        Name = "DeliveryCounts";
        Description = "Messages of an endpoint by the state of their delivery.";
        Field<NonNullGraphType<LongGraphType>>("success").Resolve(c => c.Source.Success);
        Field<NonNullGraphType<LongGraphType>>("pending").Resolve(c => c.Source.Pending);
        Field<NonNullGraphType<LongGraphType>>("sending").Resolve(c => c.Source.Sending);
        Field<NonNullGraphType<LongGraphType>>("fail").Resolve(c => c.Source.Fail);
        Field<NonNullGraphType<LongGraphType>>("canceled").Resolve(c => c.Source.Canceled);
    }
}

internal sealed class EndpointGraphType : ObjectGraphType<HeraldEndpoint>
{
    public EndpointGraphType()
    {
        Name = "Endpoint";
        Description = "A webhook endpoint of an application. Its secret and headers are not exposed here (REST has them).";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<StringGraphType>("uid").Resolve(c => c.Source.Uid);
        Field<NonNullGraphType<StringGraphType>>("url").Resolve(c => c.Source.Url);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes").Description("The event types it receives; null: all.").Resolve(c => c.Source.EventTypes);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("channels").Description("The channels it receives; null: all.").Resolve(c => c.Source.Channels);
        Field<IntGraphType>("throttleRate").Resolve(c => c.Source.ThrottleRate);
        Field<NonNullGraphType<IntGraphType>>("version").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<BooleanGraphType>>("disabled").Resolve(c => c.Source.Disabled);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetadataEntryGraphType>>>>("metadata").Resolve(c => c.Source.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
        Field<IntGraphType>("timeoutSeconds").Resolve(c => c.Source.Timeout is { } t ? (int)t.TotalSeconds : null);
        Field<DateTimeOffsetGraphType>("failingSince").Description("Since when every attempt has failed; null while healthy.").Resolve(c => c.Source.FailingSince);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<ApplicationGraphType>>("application").Resolve(c => c.Loaders().Applications.Load(c.Source.ApplicationId));
        Field<NonNullGraphType<ConnectionType<AttemptGraphType, EdgeType<AttemptGraphType>>>>("attempts")
            .Description("Attempts to this endpoint, newest first (as GET /attempt/endpoint/{endpoint_id}).").Paged().AttemptFilters()
            .ResolveAsync(c => Resolve.AttemptsAsync(c, c.Source.ApplicationId, c.AttemptFilter() with { EndpointId = c.Source.Id }));
        Field<NonNullGraphType<DeliveryCountsGraphType>>("deliveryCounts")
            .Description("Its messages by delivery state, optionally within [since, until) (as GET /endpoint/{endpoint_id}/stats).")
            .Argument<DateTimeOffsetGraphType>("since")
            .Argument<DateTimeOffsetGraphType>("until")
            .ResolveAsync(async c => await c.Store().CountEndpointDeliveriesAsync(
                c.Source.Id, c.GetArgument<DateTimeOffset?>("since"), c.GetArgument<DateTimeOffset?>("until"), c.CancellationToken));
    }
}

internal sealed class MessageDeliveryGraphType : ObjectGraphType<(string ApplicationId, DeliveryState State)>
{
    public MessageDeliveryGraphType()
    {
        Name = "MessageDelivery";
        Description = "Where a message stands for one endpoint it was routed to.";
        Field<NonNullGraphType<IdGraphType>>("endpointId").Resolve(c => c.Source.State.EndpointId);
        Field<EndpointGraphType>("endpoint").Description("Null once the endpoint is deleted.").Resolve(c => c.Loaders().Endpoints.Load((c.Source.ApplicationId, c.Source.State.EndpointId)));
        Field<NonNullGraphType<EnumerationGraphType<MessageStatus>>>("status").Resolve(c => c.Source.State.Status);
        Field<DateTimeOffsetGraphType>("nextAttempt").Resolve(c => c.Source.State.NextAttempt);
    }
}

internal sealed class MessageGraphType : ObjectGraphType<Message>
{
    public MessageGraphType()
    {
        Name = "Message";
        Description = "A published event.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<StringGraphType>("eventId").Resolve(c => c.Source.EventId);
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.EventType);
        Field<StringGraphType>("payload").Description("The payload as JSON text, exactly as published; null once expunged or expired.")
            .Resolve(c => c.Source.Payload is { } p ? Encoding.UTF8.GetString(p) : null);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("channels").Resolve(c => c.Source.Channels);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("tags").Resolve(c => c.Source.Tags);
        Field<NonNullGraphType<LongGraphType>>("sequence").Description("Its place in the application's commit-ordered log (what subscriptions and the poller resume from).").Resolve(c => c.Source.Sequence);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("deliverAt").Resolve(c => c.Source.DeliverAt);
        Field<NonNullGraphType<ApplicationGraphType>>("application").Resolve(c => c.Loaders().Applications.Load(c.Source.ApplicationId));
        Field<NonNullGraphType<ConnectionType<AttemptGraphType, EdgeType<AttemptGraphType>>>>("attempts")
            .Description("Attempts of this message, newest first (as GET /attempt/msg/{msg_id}).").Paged().AttemptFilters()
            .Argument<IdGraphType>("endpointId", "Only attempts to this endpoint (id).")
            .ResolveAsync(c => Resolve.AttemptsAsync(c, c.Source.ApplicationId, c.AttemptFilter() with { MessageId = c.Source.Id, EndpointId = c.GetArgument<string?>("endpointId") }));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MessageDeliveryGraphType>>>>("deliveries")
            .Description("The endpoints the message was routed to, with the state of each (as GET /msg/{msg_id}/endpoint).")
            .ResolveAsync(async c => (await c.Store().ListMessageDeliveryStatesAsync(c.Source.Id, c.CancellationToken))
                .OrderBy(s => s.EndpointId, StringComparer.Ordinal).Select(s => (c.Source.ApplicationId, s)).ToList());
    }
}

internal sealed class AttemptGraphType : ObjectGraphType<AttemptRecord>
{
    public AttemptGraphType()
    {
        Name = "Attempt";
        Description = "One try to deliver a message to an endpoint.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("url").Resolve(c => c.Source.Url);
        Field<NonNullGraphType<EnumerationGraphType<MessageStatus>>>("status").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<EnumerationGraphType<AttemptTrigger>>>("trigger").Resolve(c => c.Source.Trigger);
        Field<NonNullGraphType<IntGraphType>>("responseStatusCode").Description("0 when there was no response.").Resolve(c => c.Source.ResponseStatusCode);
        Field<StringGraphType>("response").Description("The stored response body.").Resolve(c => c.Source.Response);
        Field<NonNullGraphType<LongGraphType>>("responseDurationMs").Resolve(c => c.Source.ResponseDurationMs);
        Field<StringGraphType>("error").Description("Why there was no response (timeout, refused…).").Resolve(c => c.Source.Error);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<IdGraphType>>("messageId").Resolve(c => c.Source.MessageId);
        Field<NonNullGraphType<IdGraphType>>("endpointId").Resolve(c => c.Source.EndpointId);
        Field<MessageGraphType>("message").Resolve(c => c.Loaders().Messages.Load((c.Source.ApplicationId, c.Source.MessageId)));
        Field<EndpointGraphType>("endpoint").Description("Null once the endpoint is deleted.").Resolve(c => c.Loaders().Endpoints.Load((c.Source.ApplicationId, c.Source.EndpointId)));
    }
}

internal sealed class EventTypeGraphType : ObjectGraphType<EventType>
{
    public EventTypeGraphType()
    {
        Name = "EventType";
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<BooleanGraphType>>("archived").Resolve(c => c.Source.Archived);
        Field<NonNullGraphType<BooleanGraphType>>("deprecated").Resolve(c => c.Source.Deprecated);
        Field<StringGraphType>("schemas").Description("Versioned JSON schemas as JSON text (`{\"1\": {...}}`).").Resolve(c => c.Source.Schemas);
        Field<StringGraphType>("groupName").Resolve(c => c.Source.GroupName);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("featureFlags").Resolve(c => c.Source.FeatureFlags);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

internal sealed class PollingEndpointGraphType : ObjectGraphType<PollingEndpoint>
{
    public PollingEndpointGraphType()
    {
        Name = "PollingEndpoint";
        Description = "A pull subscription (sink): its consumers read the application's log through the poller API.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<StringGraphType>("uid").Resolve(c => c.Source.Uid);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes").Resolve(c => c.Source.EventTypes);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("channels").Resolve(c => c.Source.Channels);
        Field<NonNullGraphType<BooleanGraphType>>("disabled").Resolve(c => c.Source.Disabled);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetadataEntryGraphType>>>>("metadata").Resolve(c => c.Source.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<ApplicationGraphType>>("application").Resolve(c => c.Loaders().Applications.Load(c.Source.ApplicationId));
    }
}
