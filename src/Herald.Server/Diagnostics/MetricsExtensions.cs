using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Metrics;

namespace Herald.Server.Diagnostics;

/// <summary>Where metrics go and who may read them. Bound from the <c>Herald:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Herald:Metrics";

    /// <summary>Serve <c>GET /metrics</c> in Prometheus' text format.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// A token for the scraper, sent as <c>Authorization: Bearer …</c> (Prometheus' <c>authorization</c> setting); it
    /// opens <c>/metrics</c> and nothing else. Admin tokens open it too. At least 24 characters.
    /// </summary>
    [MinLength(24, ErrorMessage = "Herald:Metrics:Token must be at least 24 characters long.")]
    public string? Token { get; set; }

    /// <summary>
    /// Whether <c>/metrics</c> answers without a token. Unset (the default): only while Herald listens on loopback
    /// alone and the request was not relayed by a proxy; true: always (a scrape network you trust); false: never.
    /// </summary>
    public bool? AllowAnonymous { get; set; }
}

internal static class MetricsExtensions
{
    public const string Path = "/metrics";

    /// <summary>
    /// The tags kept on System.Net.Http's instruments. Their other tags (<c>server.address</c>, <c>server.port</c>,
    /// <c>network.peer.address</c>) name each receiver: they told anyone who could scrape where every customer's
    /// endpoint is, and added series without bound (300 endpoints: 514 → 11,015 series).
    /// </summary>
    private static readonly string[] HttpClientTags =
        ["http.request.method", "http.response.status_code", "error.type", "url.scheme", "network.protocol.version", "http.connection.state"];

    public static IHostApplicationBuilder AddHeraldMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (options.Prometheus)
        {
            builder.Services.AddSingleton<MetricsAccess>();
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(HeraldMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", "System.Net.Http")
                .AddView(instrument => instrument.Meter.Name == "System.Net.Http" ? new MetricStreamConfiguration { TagKeys = HttpClientTags } : null)
                .AddPrometheusExporter());
        }

        return builder;
    }

    /// <summary><c>GET /metrics</c> when enabled, behind <see cref="MetricsAccess"/>.</summary>
    public static void MapHeraldMetrics(this WebApplication app)
    {
        if (app.Services.GetService<MeterProvider>() is not null)
        {
            var access = app.Services.GetRequiredService<MetricsAccess>();
            app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(access.InvokeAsync), optionsName: null)
                .AllowAnonymous();
        }
    }
}
