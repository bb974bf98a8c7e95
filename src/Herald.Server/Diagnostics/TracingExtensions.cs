using System.Diagnostics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Herald.Server.Diagnostics;

/// <summary>OpenTelemetry traces. Bound from the <c>Herald:Tracing</c> section.</summary>
public sealed class TracingOptions
{
    public const string Section = "Herald:Tracing";

    /// <summary>
    /// Whether spans are recorded and exported. Unset (the default): on when an OTLP endpoint is configured, here or
    /// with the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) variable.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Where spans go over OTLP (e.g. <c>http://collector:4317</c> for gRPC). Unset: the standard <c>OTEL_EXPORTER_OTLP_*</c>
    /// variables decide (endpoint, protocol, headers), as for any OpenTelemetry SDK.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>
    /// Whether webhooks carry the W3C <c>traceparent</c> header of their attempt's span, so a receiver that traces
    /// joins the trace. Off by default: Svix sends none, and a receiver belongs to someone else.
    /// </summary>
    public bool PropagateToWebhooks { get; set; }
}

internal static class TracingExtensions
{
    /// <summary>Traces when enabled (<see cref="TracingOptions.Enabled"/>): Herald's spans with ASP.NET Core's, HttpClient's and Npgsql's.</summary>
    public static IHostApplicationBuilder AddHeraldTracing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TracingOptions>().BindConfiguration(TracingOptions.Section).ValidateOnStart();
        var options = builder.Configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new TracingOptions();
        var otlp = options.OtlpEndpoint is not null
            || !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        if (!(options.Enabled ?? otlp))
        {
            return builder;
        }

        // W3C trace context only, so HttpClient's own handler propagates it and each handler's ActivityHeadersPropagator
        // decides: the SDK's default (trace context + baggage) made the HttpClient instrumentation inject traceparent into
        // every request itself, webhooks included, whatever WebhookSender's handler says (Herald:Tracing:PropagateToWebhooks).
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("herald", serviceVersion: typeof(TracingExtensions).Assembly.GetName().Version?.ToString(3)))
            .WithTracing(tracing =>
            {
                tracing.AddSource(HeraldTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore =>
                    {
                        aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/health");
                        // A query string may carry a token (an iterator, a portal link): no span keeps it.
                        aspNetCore.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.query", null);
                        aspNetCore.EnrichWithHttpResponse = (activity, _) => activity.SetTag("url.query", null);
                    })
                    .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = RedactUrl)
                    .AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter(exporter =>
                    {
                        if (options.OtlpEndpoint is { } endpoint)
                        {
                            exporter.Endpoint = endpoint;
                        }
                    });
                }
            });
        return builder;
    }

    /// <summary>
    /// Receiver URLs often carry a credential in their path (<c>hooks.slack.com/services/T…/B…/secret</c>) or query:
    /// an outgoing span keeps the scheme, host and port only.
    /// </summary>
    private static void RedactUrl(Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            activity.SetTag("url.full", $"{uri.Scheme}://{uri.Authority}/");
            activity.SetTag("url.path", null);
            activity.SetTag("url.query", null);
        }
    }
}
