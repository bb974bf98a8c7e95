using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.EventTypes;
using Herald.Server.Idempotency;
using Herald.Server.Messages;
using Herald.Server.Polling;
using Herald.Server.RateLimits;
using Herald.Server.Secrets;
using Herald.Server.Stats;
using Herald.Server.Storage;
using Scalar.AspNetCore;

namespace Herald.Server.Api;

internal static class ApiExtensions
{
    public const string DefaultUrl = "http://localhost:8071";

    /// <summary>JSON, limits, OpenAPI, ids and the clock: what every API feature needs.</summary>
    public static IHostApplicationBuilder AddHeraldApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HeraldJsonContext.Default));
        builder.Services.AddOpenApi(o => o
            .AddDocumentTransformer<BearerSecurityTransformer>()
            .AddSchemaTransformer<PlainNumberSchemaTransformer>()
            .AddOperationTransformer<OperationContractTransformer>()
            .AddDocumentTransformer<ErrorSchemasTransformer>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Ids>();
        builder.Services.AddSingleton<ContentGate>();
        builder.Services.AddHostedService<IdempotencyKeyCleanup>();
        builder.Services.AddSingleton<IdempotencyCompletion>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IdempotencyCompletion>());
        builder.Services.AddOptions<EventTypeOptions>().BindConfiguration(EventTypeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PayloadSchemas>(); // event type schemas, built once per version, checked on publish
        builder.Services.AddOptions<Transformations.TransformationOptions>().BindConfiguration(Transformations.TransformationOptions.Section)
            .ValidateDataAnnotations().Validate(Transformations.TransformationOptions.IsValid, Transformations.TransformationOptions.Rule).ValidateOnStart();
        builder.Services.AddSingleton<Transformations.TransformationSandbox>(); // endpoint handler(webhook) scripts, in Jint
        return builder;
    }

    /// <summary>Listens on port 8071 (as svix-server) unless <c>--urls</c> or <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public static WebApplicationBuilder UseHeraldDefaults(this WebApplicationBuilder builder)
    {
        // Kestrel:Endpoints (e.g. an HTTPS endpoint with its certificate, docs/DEPLOYMENT.md) replaces the default too.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var maxBody = builder.Configuration.GetValue<long?>($"{ApiOptions.Section}:MaxRequestBodyBytes") ?? new ApiOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
        return builder;
    }

    /// <summary>Applies storage migrations and ensures an admin token, before the server takes requests.</summary>
    public static async Task InitializeHeraldAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<IHeraldStore>().MigrateAsync(app.Lifetime.ApplicationStopping);
        await app.SealSecretsAtRestAsync(app.Lifetime.ApplicationStopping);
        await app.EnsureAdminTokenAsync(app.Lifetime.ApplicationStopping);
    }

    public static WebApplication UseHeraldApi(this WebApplication app)
    {
        app.UseHeraldErrorHandling();
        app.UseQueryBindingCheck();
        app.UseHeraldFailedAuthenticationThrottle(); // 429 for an address that failed to authenticate too often
        app.UseAuthentication();
        app.UseHeraldRequestBudgets();              // 429 for a token over its request budget
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseAuthorization();
        return app;
    }

    public static RouteGroupBuilder MapHeraldApi(this WebApplication app)
    {
        // ApiAccess authorizes every route of the group (application scope, admin-only routes, app-portal token limits).
        var api = app.MapGroup("/api/v1").RequireAuthorization().AddEndpointFilter(ApiErrorHandling.Filter).AddEndpointFilter(ApiAccess.Filter);
        api.MapApplications();
        api.MapEventTypes();
        api.MapEventTypeImport();
        api.MapEndpoints();
        api.MapMessages();
        api.MapAttempts();
        api.MapReplay();
        api.MapExpunge();
        api.MapBackgroundTasks();
        api.MapStatistics();
        api.MapOperationalWebhookEndpoints();
        api.MapDestinations();
        api.MapPoller();
        api.MapAuth();
        api.MapWhoami();
        Transformations.TransformationsApi.MapTransformations(api);
        Endpoints.EndpointVerificationApi.MapVerificationCallback(app);
        return api;
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and a browsable reference at <c>/docs</c>.</summary>
    public static WebApplication MapHeraldDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Herald API"));
        return app;
    }
}
