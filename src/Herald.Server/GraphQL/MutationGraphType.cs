using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Types;
using Herald.Server.Cluster;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Retention;
using Microsoft.Extensions.Options;

namespace Herald.Server.GraphQL;

/// <summary>
/// The writes, each running the REST route's own domain code (validation, conflicts, operational webhooks). A
/// read-only token gets <c>READ_ONLY_TOKEN</c>, an app-portal token limited to some capabilities <c>FORBIDDEN</c>.
/// Idempotency: send the request with an <c>Idempotency-Key</c> header, handled exactly as for REST (the same middleware).
/// </summary>
internal sealed class MutationGraphType : ObjectGraphType
{
    public MutationGraphType()
    {
        Name = "Mutation";
        Field<NonNullGraphType<BooleanGraphType>>("resendMessage")
            .Description("Send a message to an endpoint once more (as POST …/msg/{msg_id}/endpoint/{endpoint_id}/resend); true once queued.")
            .Argument<NonNullGraphType<IdGraphType>>("appId")
            .Argument<NonNullGraphType<IdGraphType>>("messageId")
            .Argument<NonNullGraphType<IdGraphType>>("endpointId")
            .ResolveAsync(async c =>
            {
                var endpoint = await WritableEndpointAsync(c);
                var services = c.RequestServices!;
                await ReplayApi.ResendMessageAsync(endpoint, c.GetArgument<string>("messageId"), c.Store(), c.Store(), services.GetRequiredService<DeliveryQueue>(),
                    services.GetRequiredService<DeliveryNode>(), services.GetRequiredService<TimeProvider>(), c.CancellationToken);
                return true;
            });

        Field<NonNullGraphType<BackgroundTaskGraphType>>("recoverEndpoint")
            .Description("Send again every message whose delivery to this endpoint failed in [since, until) (as POST …/endpoint/{endpoint_id}/recover).")
            .Argument<NonNullGraphType<IdGraphType>>("appId")
            .Argument<NonNullGraphType<IdGraphType>>("endpointId")
            .Argument<NonNullGraphType<DateTimeOffsetGraphType>>("since")
            .Argument<DateTimeOffsetGraphType>("until")
            .ResolveAsync(async c =>
            {
                var endpoint = await WritableEndpointAsync(c);
                return await ReplayApi.StartRecoverAsync(endpoint, c.GetArgument<DateTimeOffset?>("since"), c.GetArgument<DateTimeOffset?>("until"),
                    c.RequestServices!.GetRequiredService<BackgroundTaskQueue>());
            });

        Field<NonNullGraphType<EndpointGraphType>>("createEndpoint")
            .Description("Create an endpoint (as POST /api/v1/app/{app_id}/endpoint: same fields, rules and errors).")
            .Argument<NonNullGraphType<IdGraphType>>("appId")
            .Argument<NonNullGraphType<EndpointInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var application = await WritableApplicationAsync(c);
                using var body = InputAsBody(c, HeraldJsonContext.Api.EndpointIn);
                var s = c.RequestServices!;
                return await EndpointsApi.CreateEndpointAsync(application.Id, body, c.Store(), c.Store(), s.GetRequiredService<Ids>(), s.GetRequiredService<TimeProvider>(),
                    s.GetRequiredService<IOptions<DeliveryOptions>>(), s.GetRequiredService<OperationalWebhooks>(), c.CancellationToken);
            });

        Field<NonNullGraphType<EndpointGraphType>>("updateEndpoint")
            .Description("Change the given fields of an endpoint (as PATCH …/endpoint/{endpoint_id}: fields left out stay; null clears).")
            .Argument<NonNullGraphType<IdGraphType>>("appId")
            .Argument<NonNullGraphType<IdGraphType>>("endpointId")
            .Argument<NonNullGraphType<EndpointInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var endpoint = await WritableEndpointAsync(c);
                using var body = InputAsBody(c, HeraldJsonContext.Api.EndpointIn);
                var s = c.RequestServices!;
                return await EndpointsApi.PatchEndpointAsync(endpoint, body, c.Store(), c.Store(), c.Store(), s.GetRequiredService<TimeProvider>(),
                    s.GetRequiredService<IOptions<DeliveryOptions>>(), s.GetRequiredService<OperationalWebhooks>(), c.CancellationToken);
            });

        Field<NonNullGraphType<MessageGraphType>>("publishMessage")
            .Description("Publish a message (as POST /api/v1/app/{app_id}/msg: same rules; the payload is JSON text of an object).")
            .Argument<NonNullGraphType<IdGraphType>>("appId")
            .Argument<NonNullGraphType<MessageInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var application = await WritableApplicationAsync(c);
                using var body = InputAsBody(c, HeraldJsonContext.Api.MessageIn);
                var s = c.RequestServices!;
                return await MessagesApi.PublishAsync(application.Id, new CurrentApplication(application), body, c.Caller(), c.Store(), c.Store(), s.GetRequiredService<Ids>(),
                    s.GetRequiredService<TimeProvider>(), s.GetRequiredService<MessagePublisher>(), s.GetRequiredService<IOptions<RetentionOptions>>(),
                    s.GetRequiredService<EventTypes.PayloadSchemas>(), c.CancellationToken);
            });
    }

    /// <summary>
    /// The <c>input</c> argument as the JSON body the REST route reads (the same field names; metadata entries become an
    /// object, a JSON-text payload its JSON), so the route's own parsing and validation run on it. Only the fields the
    /// request gave are present, which is what a patch needs.
    /// </summary>
    public static JsonBody<T> InputAsBody<T>(IResolveFieldContext c, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var input = c.GetArgument<Dictionary<string, object?>>("input") ?? [];
        var body = new JsonObject();
        foreach (var (name, value) in input)
        {
            body[name] = name switch
            {
                "metadata" when value is IEnumerable<object?> entries => new JsonObject(entries.OfType<IDictionary<string, object?>>()
                    .Select(e => KeyValuePair.Create((string)e["key"]!, (JsonNode?)JsonValue.Create((string?)e["value"])))),
                "payload" when value is string json => ParsePayload(json),
                _ => ToNode(value),
            };
        }

        return JsonBody.Parse(System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()), type);
    }

    private static JsonNode? ParsePayload(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw GraphQLErrors.Invalid("input.payload: must be JSON text (" + e.Message + ").");
        }
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        DateTimeOffset time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(new DateTimeOffset(time).ToString("O", CultureInfo.InvariantCulture)),
        IDictionary<string, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToNode(p.Value)))),
        IEnumerable<object?> list => new JsonArray([.. list.Select(ToNode)]),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>The caller may write to the application: not read-only, not limited to some capabilities, and reaches it.</summary>
    public static async Task<Applications.Application> WritableApplicationAsync(IResolveFieldContext c)
    {
        var caller = c.Caller();
        if (caller.IsReadOnly())
        {
            throw GraphQLErrors.ReadOnly();
        }

        if (caller.Capabilities() is not null)
        {
            throw GraphQLErrors.Forbidden("Mutations need a token with every capability; this app-portal token was given only some.");
        }

        return await c.ReachableApplicationAsync(c.GetArgument<string>("appId")) ?? throw GraphQLErrors.NotFound("Application");
    }

    private static async Task<HeraldEndpoint> WritableEndpointAsync(IResolveFieldContext c)
    {
        var application = await WritableApplicationAsync(c);
        return await c.Store().GetEndpointAsync(application.Id, c.GetArgument<string>("endpointId"), c.CancellationToken) ?? throw GraphQLErrors.NotFound("Endpoint");
    }
}

internal sealed class BackgroundTaskGraphType : ObjectGraphType<BackgroundTask>
{
    public BackgroundTaskGraphType()
    {
        Name = "BackgroundTask";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("kind").Description("e.g. endpoint.recover").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("status").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

internal sealed class MetadataEntryInputGraphType : InputObjectGraphType
{
    public MetadataEntryInputGraphType()
    {
        Name = "MetadataEntryInput";
        Field<NonNullGraphType<StringGraphType>>("key");
        Field<NonNullGraphType<StringGraphType>>("value");
    }
}

internal sealed class EndpointInputGraphType : InputObjectGraphType
{
    public EndpointInputGraphType()
    {
        Name = "EndpointInput";
        Description = "The fields of REST's EndpointIn. For createEndpoint `url` is required; for updateEndpoint only the fields given change.";
        Field<StringGraphType>("url");
        Field<StringGraphType>("description");
        Field<StringGraphType>("uid");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("channels");
        Field<IntGraphType>("throttleRate");
        Field<BooleanGraphType>("disabled");
        Field<ListGraphType<NonNullGraphType<MetadataEntryInputGraphType>>>("metadata");
        Field<IntGraphType>("timeoutSeconds");
        Field<IntGraphType>("version");
        Field<StringGraphType>("secret").Description("The signing secret (whsec_…); generated when left out. Create only.");
    }
}

internal sealed class MessageInputGraphType : InputObjectGraphType
{
    public MessageInputGraphType()
    {
        Name = "MessageInput";
        Description = "The fields of REST's MessageIn.";
        Field<NonNullGraphType<StringGraphType>>("eventType");
        Field<NonNullGraphType<StringGraphType>>("payload").Description("The payload: JSON text of an object.");
        Field<StringGraphType>("eventId");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("channels");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("tags");
        Field<DateTimeOffsetGraphType>("deliverAt");
    }
}
