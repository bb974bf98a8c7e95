using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;

namespace Herald.Server.GraphQL;

/// <summary>Herald's GraphQL schema (printed to docs/schema.graphql by GraphQLSchemaTests).</summary>
internal sealed class HeraldSchema : Schema
{
    public HeraldSchema(IServiceProvider services) : base(services)
    {
        Query = services.GetRequiredService<QueryGraphType>();
        Mutation = services.GetRequiredService<MutationGraphType>();
        Subscription = services.GetRequiredService<SubscriptionGraphType>();
    }
}

internal sealed class QueryGraphType : ObjectGraphType
{
    public QueryGraphType()
    {
        Name = "Query";
        Field<ApplicationGraphType>("application")
            .Description("One application by id or uid; null when there is none or the token does not reach it.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.ReachableApplicationAsync(c.GetArgument<string>("id")));

        Field<NonNullGraphType<ConnectionType<ApplicationGraphType, EdgeType<ApplicationGraphType>>>>("applications")
            .Description("Applications, oldest first (as GET /api/v1/app); an application-scoped token sees only its own.").Paged()
            .Argument<BooleanGraphType>("excludeAppsWithNoEndpoints")
            .Argument<BooleanGraphType>("excludeAppsWithDisabledEndpoints")
            .Argument<BooleanGraphType>("excludeAppsWithSvixPlayEndpoints")
            .ResolveAsync(async c =>
            {
                var page = Connections.Page(c, key => Ids.IsValid(Ids.Application, key), descendingByDefault: false);
                if (c.Caller().ScopedApplicationId() is { } scoped)
                {
                    var own = await c.Store().GetApplicationAsync(scoped, c.CancellationToken);
                    var items = own is not null && page.After is null ? new[] { own } : [];
                    return Connections.ToConnection(new Storage.Page<Application>(items, false), page, a => a.Id);
                }

                var filter = new ApplicationFilter(
                    c.GetArgument<bool?>("excludeAppsWithNoEndpoints") == true,
                    c.GetArgument<bool?>("excludeAppsWithDisabledEndpoints") == true,
                    c.GetArgument<bool?>("excludeAppsWithSvixPlayEndpoints") == true);
                var result = await c.Store().ListApplicationsAsync(filter, page, c.CancellationToken);
                foreach (var application in result.Items)
                {
                    c.Loaders().Applications.Prime(application.Id, application);
                }

                return Connections.ToConnection(result, page, a => a.Id);
            });

        Field<NonNullGraphType<ConnectionType<EventTypeGraphType, EdgeType<EventTypeGraphType>>>>("eventTypes")
            .Description("Event types by name (as GET /api/v1/event-type).").Paged()
            .Argument<BooleanGraphType>("includeArchived", "Include archived event types (default false).")
            .ResolveAsync(async c =>
            {
                var page = Connections.Page(c, key => Validator.IdentifierPattern().IsMatch(key), descendingByDefault: false);
                var result = await c.Store().ListEventTypesAsync(page, c.GetArgument<bool?>("includeArchived") == true, c.CancellationToken);
                return Connections.ToConnection(result, page, e => e.Name);
            });

        Field<EventTypeGraphType>("eventType").Description("One event type by name; null when there is none.")
            .Argument<NonNullGraphType<StringGraphType>>("name")
            .ResolveAsync(async c => await c.Store().GetEventTypeAsync(c.GetArgument<string>("name"), c.CancellationToken));
    }
}
