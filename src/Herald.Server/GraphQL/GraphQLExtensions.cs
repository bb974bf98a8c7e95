using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Herald.Server.GraphQL;

internal static class GraphQLExtensions
{
    /// <summary>The GraphQL schema, its executor and serializer (graphql-dotnet), its options and data loaders.</summary>
    public static IHostApplicationBuilder AddHeraldGraphQL(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphQLOptions>().BindConfiguration(GraphQLOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddGraphQL(b => b
            .AddSchema<HeraldSchema>()
            .AddGraphTypes(typeof(HeraldSchema).Assembly)
            .AddSystemTextJson()
            .AddErrorInfoProvider(o => o.ExposeExceptionDetails = false));
        builder.Services.AddScoped<GraphQLLoaders>();
        builder.Services.AddSingleton<GraphQLHttpEndpoint>();
        builder.Services.AddSingleton<GraphQLWebSocketEndpoint>();
        builder.Services.AddSingleton<SubscriptionConnections>();
        builder.Services.AddSingleton<SubscriptionStreams>();
        return builder;
    }

    /// <summary><c>POST /graphql</c> and <c>GET /graphql</c> (queries only), GraphQL over HTTP, behind the REST API's bearer tokens.</summary>
    public static WebApplication MapHeraldGraphQL(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<GraphQLOptions>>().Value.Enabled)
        {
            return app;
        }

        var endpoint = app.Services.GetRequiredService<GraphQLHttpEndpoint>();
        var webSocket = app.Services.GetRequiredService<GraphQLWebSocketEndpoint>();
        app.UseWebSockets();
        app.MapPost(GraphQLHttpEndpoint.Path, endpoint.HandleAsync).RequireAuthorization().ExcludeFromDescription();
        // GET carries three things: the WebSocket upgrade (whose token may come in connection_init, so it is checked
        // there), the playground for a browser (a static page; its requests carry the token), and queries, which need one.
        app.MapGet(GraphQLHttpEndpoint.Path, async context =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                await webSocket.HandleAsync(context);
            }
            else if (GraphQLPlayground.WantsPage(context.Request))
            {
                await GraphQLPlayground.WritePageAsync(context);
            }
            else if (context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync();
            }
            else
            {
                await endpoint.HandleAsync(context);
            }
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(GraphQLPlayground.Path, GraphQLPlayground.WritePageAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(GraphQLPlayground.Path + "/{asset}", GraphQLPlayground.WriteAssetAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The validation rules of a request: graphql-dotnet's own, the depth and cost limits, and no introspection when it is off.</summary>
    public static IEnumerable<IValidationRule> ValidationRules(GraphQLOptions options)
    {
        // Introspection costs nothing: its size is the schema's, not the data's (the standard introspection query
        // would otherwise "cost" ~700 000 by the list multipliers). Every other field keeps graphql-dotnet's estimate.
        var fallback = new ComplexityOptions().DefaultComplexityImpactDelegate;
        IEnumerable<IValidationRule> rules = DocumentValidator.CoreRules.Append(new ComplexityValidationRule(new ComplexityOptions
        {
            MaxDepth = options.MaxDepth,
            MaxComplexity = options.MaxComplexity,
            DefaultComplexityImpactDelegate = context =>
                context.ParentType.Name.StartsWith("__", StringComparison.Ordinal) || context.FieldDefinition.Name.StartsWith("__", StringComparison.Ordinal)
                    ? new FieldComplexityResult(0, 1)
                    : fallback(context),
        }));
        return options.Introspection ? rules : rules.Append(NoIntrospectionValidationRule.Instance);
    }

    /// <summary>Errors of Herald's shared (REST) code become GraphQL errors with their code; others are logged and hidden.</summary>
    public static Func<UnhandledExceptionContext, Task> ErrorHandler(ILogger logger) => context =>
    {
        switch (context.OriginalException)
        {
            case Api.ApiException e:
                context.Exception = GraphQLErrors.From(e);
                break;
            case StorageConflictException e:
                context.Exception = new ExecutionError(e.Message) { Code = "CONFLICT" };
                break;
            case OperationCanceledException:
                break;
            default:
                GraphQLLog.ResolverFailed(logger, context.OriginalException, context.FieldContext?.FieldDefinition.Name ?? "(none)");
                context.ErrorMessage = "Herald could not resolve this field; the server log says why.";
                break;
        }

        return Task.CompletedTask;
    };
}

internal static partial class GraphQLLog
{
    [LoggerMessage(EventId = EventIds.GraphQLFieldFailed, Level = LogLevel.Error, Message = "GraphQL field {Field} failed")]
    public static partial void ResolverFailed(ILogger logger, Exception exception, string field);
}
