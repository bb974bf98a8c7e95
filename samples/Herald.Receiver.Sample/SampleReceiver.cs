using System.Threading.Channels;
using Herald.Receiver.AspNetCore;

namespace Herald.Receiver.Sample;

/// <summary>A webhook receiver for Herald: verifies, dedupes, acknowledges at once and processes in the background.</summary>
public static class SampleReceiver
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Bounded: if Herald delivers faster than we process, requests wait (and Herald retries on timeout)
        // instead of memory growing without limit.
        builder.Services.AddSingleton(Channel.CreateBounded<OrderEvent>(100));
        builder.Services.AddSingleton<ProcessedOrders>();
        builder.Services.AddHostedService<OrderProcessor>();

        var app = builder.Build();

        // The endpoint's signing secret (whsec_...), from configuration: appsettings, environment
        // (Webhooks__Secret) or the command line. Several, comma-separated, while rotating.
        var secrets = app.Configuration["Webhooks:Secret"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? throw new InvalidOperationException("Set Webhooks:Secret to the endpoint's signing secret.");

        app.MapWebhook<OrderEvent>("/webhooks", new WebhookEndpointOptions { Secrets = secrets }, async (delivery, cancellationToken) =>
        {
            // Acknowledge fast: hand off and return; OrderProcessor does the slow work.
            var queue = app.Services.GetRequiredService<Channel<OrderEvent>>();
            await queue.Writer.WriteAsync(delivery.Payload with { MessageId = delivery.MessageId }, cancellationToken);
        });

        return app;
    }
}
