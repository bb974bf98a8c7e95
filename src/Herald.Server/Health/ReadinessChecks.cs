using System.Text.Json;
using Herald.Server.Delivery;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Server.Health;

/// <summary>Storage takes writes: the shared, rate-limited write probe behind <c>/api/v1/health</c> (<see cref="HealthCheck"/>).</summary>
internal sealed class StorageHealthCheck(HealthCheck probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await probe.StatusAsync(cancellationToken);
        return status == HealthCheck.Ok ? HealthCheckResult.Healthy(status) : HealthCheckResult.Unhealthy(status);
    }
}

/// <summary>
/// Every migration this build knows is applied. Once true it stays true (a newer node may add migrations; this one's
/// remain applied), so only checks before that reach the database.
/// </summary>
internal sealed class MigrationsHealthCheck(IHealthStore store) : IHealthCheck
{
    private volatile bool _applied;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_applied)
        {
            try
            {
                _applied = await store.MigrationsAppliedAsync(cancellationToken);
            }
#pragma warning disable CA1031 // Storage that cannot answer is not ready; the storage check logs the outage.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                return HealthCheckResult.Unhealthy("unknown");
            }
        }

        return _applied ? HealthCheckResult.Healthy("applied") : HealthCheckResult.Unhealthy("pending");
    }
}

/// <summary>The delivery dispatcher's loop runs: started, and neither stopped nor crashed.</summary>
internal sealed class DispatcherHealthCheck(IEnumerable<IHostedService> services) : IHealthCheck
{
    private readonly DeliveryDispatcher? _dispatcher = services.OfType<DeliveryDispatcher>().FirstOrDefault();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_dispatcher?.ExecuteTask switch
        {
            null => HealthCheckResult.Unhealthy("not_started"),
            { IsCompleted: true } => HealthCheckResult.Unhealthy("stopped"),
            _ => HealthCheckResult.Healthy("running"),
        });
}

internal static class ReadinessRoutes
{
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";
    public const string ReadyTag = "ready";

    /// <summary>
    /// <c>/health/live</c>: 200 while the process serves HTTP (no check: a restart cannot fix storage or a receiver);
    /// <c>/health/ready</c>: 200 while storage takes writes, migrations are applied and the dispatcher runs, else 503.
    /// Both answer <c>{"status": "Healthy", "checks": {"storage": "Healthy", …}}</c> without a token.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(Live, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks(Ready, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous();
        return app;
    }

    // Statuses and the checks' own short descriptions only: never an exception's message (it may name hosts or SQL).
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("detail", entry.Description);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
