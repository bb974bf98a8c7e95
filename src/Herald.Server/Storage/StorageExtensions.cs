using Herald.Server.Cluster;
using Herald.Server.Secrets;
using Herald.Server.Storage.Postgres;
using Herald.Server.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

internal static class StorageExtensions
{
    public static IHostApplicationBuilder AddHeraldStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddHeraldSecrets();  // endpoint secrets and headers are sealed with the main key before they are stored
        // The engine is chosen when the store is first resolved, after configuration is complete (tests add settings late).
        // PostgreSQL's data source and notifier are host services (resolved only when PostgreSQL is chosen): Npgsql logs
        // through the host, and the host runs and stops the notifier's loop.
        builder.Services.AddNpgsqlDataSource("", (services, dataSource) => dataSource.ConnectionStringBuilder.ConnectionString =
            PostgresStore.WithDefaults(services.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString!));
        builder.Services.AddSingleton<PostgresNotifier>();
        builder.Services.AddSingleton<PostgresReadCaches>();
        // AddSingleton, not AddHostedService: the latter keys on the factory's return type, which is IHostedService here.
        builder.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<IOptions<StorageOptions>>().Value.IsPostgres
            ? services.GetRequiredService<PostgresNotifier>()
            : new NothingToRun());
        builder.Services.AddSingleton<IHeraldStore>(services => services.GetRequiredService<IOptions<StorageOptions>>().Value.IsPostgres
            ? ActivatorUtilities.CreateInstance<PostgresStore>(services)
            : ActivatorUtilities.CreateInstance<SqliteStore>(services));
        // Each consumer takes only the part of the store it uses; every part is the one store.
        AddPart<ITokenStore>(builder.Services);
        AddPart<IIdempotencyStore>(builder.Services);
        AddPart<IApplicationStore>(builder.Services);
        AddPart<IEventTypeStore>(builder.Services);
        AddPart<IEndpointStore>(builder.Services);
        AddPart<IMessageStore>(builder.Services);
        AddPart<IApiKeyStore>(builder.Services);
        AddPart<IAttemptStore>(builder.Services);
        AddPart<IBackgroundTaskStore>(builder.Services);
        AddPart<IClusterStore>(builder.Services);
        AddPart<IDeliveryStore>(builder.Services);
        AddPart<IFifoStore>(builder.Services);
        AddPart<IHealthStore>(builder.Services);
        AddPart<IPollingStore>(builder.Services);
        AddPart<IRetentionStore>(builder.Services);
        AddPart<ISecretStore>(builder.Services);
        AddPart<IStatsStore>(builder.Services);
        AddPart<IVerificationStore>(builder.Services);
        // Wake-ups between nodes: LISTEN/NOTIFY on PostgreSQL; SQLite serves one node, which wakes itself in memory.
        builder.Services.AddSingleton<IClusterSignal>(services => services.GetRequiredService<IOptions<StorageOptions>>().Value.IsPostgres
            ? ActivatorUtilities.CreateInstance<PostgresClusterSignal>(services)
            : new InProcessClusterSignal());
        builder.Services.AddHostedService(services => services.GetRequiredService<IClusterSignal>());
        return builder;
    }

    private static void AddPart<TPart>(IServiceCollection services)
        where TPart : class =>
        services.AddSingleton<TPart>(services => (TPart)services.GetRequiredService<IHeraldStore>());
}

/// <summary>The hosted service of a component the chosen engine does not have.</summary>
internal sealed class NothingToRun : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
