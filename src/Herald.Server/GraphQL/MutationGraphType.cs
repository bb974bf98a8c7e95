using GraphQL;
using GraphQL.Types;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;

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
                await ReplayApi.ResendMessageAsync(endpoint, c.GetArgument<string>("messageId"), c.Store(), services.GetRequiredService<DeliveryQueue>(),
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
    }

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
