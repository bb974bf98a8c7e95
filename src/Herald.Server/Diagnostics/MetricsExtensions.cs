using OpenTelemetry.Metrics;

namespace Herald.Server.Diagnostics;

/// <summary>Where metrics go. Bound from the <c>Herald:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Herald:Metrics";

    /// <summary>Serve <c>GET /metrics</c> in Prometheus' text format (no token: scrape it from inside your network).</summary>
    public bool Prometheus { get; set; } = true;
}

internal static class MetricsExtensions
{
    public static IHostApplicationBuilder AddHeraldMetrics(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (options.Prometheus)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(HeraldMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", "System.Net.Http")
                .AddPrometheusExporter());
        }

        return builder;
    }

    /// <summary><c>GET /metrics</c> when enabled; anonymous, like every Prometheus target.</summary>
    public static void MapHeraldMetrics(this WebApplication app)
    {
        if (app.Services.GetService<MeterProvider>() is not null)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        }
    }
}
