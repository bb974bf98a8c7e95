namespace Herald.Server.Health;

internal static class HealthExtensions
{
    /// <summary>
    /// The shared, rate-limited storage write probe behind <c>/api/v1/health</c> and <c>/api/v1/health/ready</c>, and
    /// ASP.NET Core health checks behind <c>/health/live</c> and <c>/health/ready</c> (<see cref="ReadinessRoutes"/>).
    /// </summary>
    public static IHostApplicationBuilder AddHeraldHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadinessRoutes.ReadyTag])
            .AddCheck<MigrationsHealthCheck>("migrations", tags: [ReadinessRoutes.ReadyTag])
            .AddCheck<DispatcherHealthCheck>("dispatcher", tags: [ReadinessRoutes.ReadyTag]);
        builder.Services.AddSingleton<MigrationsHealthCheck>();
        builder.Services.AddSingleton<DispatcherHealthCheck>();
        return builder;
    }
}
