using System.Globalization;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// What every start says, once the server listens: the URLs, the storage in use and where its data lives (one
/// Information line, so it lands in JSON logs too); in dev mode, a Warning that the server is not for production.
/// </summary>
internal sealed partial class StartBanner(
    IServer server, IOptions<StorageOptions> storage, IOptions<Delivery.DeliveryOptions> delivery, IConfiguration configuration, ILogger<StartBanner> logger)
    : IHostedLifecycleService
{
    /// <summary>Set once a Herald host in this process has started; before that, failures are start-up failures.</summary>
    public static bool Started { get; private set; }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        Started = true;
        var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } addresses ? string.Join(", ", addresses) : "(no HTTP listener)";
        LogStarted(logger, Version, urls, Describe(storage.Value));
        if (DevMode.IsOn(configuration))
        {
            var schedule = delivery.Value.RetrySchedule ?? [.. Delivery.DeliveryOptions.DefaultRetrySchedule];
            LogDevMode(logger, string.Join(", ", schedule.Select(Format)));
        }

        return Task.CompletedTask;
    }

    public static string Version => typeof(StartBanner).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>"SQLite at /var/lib/herald/herald.db", or "PostgreSQL database herald on db:5432" (never the password).</summary>
    public static string Describe(StorageOptions storage)
    {
        if (!storage.IsPostgres)
        {
            return $"SQLite at {Path.Combine(Path.GetFullPath(storage.DataDirectory), "herald.db")}";
        }

        var connection = new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString);
        return $"PostgreSQL database {connection.Database ?? connection.Username ?? "(default)"} on {connection.Host}:{connection.Port}";
    }

    private static string Format(TimeSpan delay) => delay switch
    {
        { TotalSeconds: < 60 } => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0.###} s"),
        { TotalMinutes: < 60 } => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalMinutes:0.###} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{delay.TotalHours:0.###} h"),
    };

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.Started, Level = LogLevel.Information, Message = "Herald {Version} is listening on {Urls}; storage: {Storage}")]
    private static partial void LogStarted(ILogger logger, string version, string urls, string storage);

    [LoggerMessage(EventId = EventIds.DevMode, Level = LogLevel.Warning,
        Message = "DEV MODE: NOT FOR PRODUCTION. Loopback and private receivers are allowed, failed deliveries are retried after {RetrySchedule}, and every attempt is logged (--dev / Herald:Dev)")]
    private static partial void LogDevMode(ILogger logger, string retrySchedule);
}
