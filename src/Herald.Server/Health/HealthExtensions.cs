namespace Herald.Server.Health;

internal static class HealthExtensions
{
    /// <summary>The shared, rate-limited storage write probe behind <c>/api/v1/health</c> and <c>/api/v1/health/ready</c>.</summary>
    public static IHostApplicationBuilder AddHeraldHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealthCheck>();
        return builder;
    }
}
