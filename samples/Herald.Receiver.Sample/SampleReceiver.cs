using System.Threading.Channels;
using Herald.Receiver.AspNetCore;

namespace Herald.Receiver.Sample;

/// <summary>
/// A webhook receiver for Herald: verifies, dedupes, acknowledges at once and processes in the background. It receives the
/// README walk-through's <c>invoice.paid</c> events at <c>/webhooks</c>.
/// </summary>
public static class SampleReceiver
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Bounded: if Herald delivers faster than we process, requests wait (and Herald retries on timeout)
        // instead of memory growing without limit.
        builder.Services.AddSingleton(Channel.CreateBounded<InvoicePaid>(100));
        builder.Services.AddSingleton<ProcessedInvoices>();
        builder.Services.AddHostedService<InvoiceProcessor>();

        var app = builder.Build();

        // The endpoint's signing secret (whsec_...), from configuration: appsettings, environment
        // (Webhooks__Secret) or the command line. Several, comma-separated, while rotating.
        var secrets = app.Configuration["Webhooks:Secret"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? throw new InvalidOperationException("Set Webhooks:Secret to the endpoint's signing secret.");

        app.MapWebhook<InvoicePaid>("/webhooks", new WebhookEndpointOptions { Secrets = secrets }, async (delivery, cancellationToken) =>
        {
            // Acknowledge fast: hand off and return; InvoiceProcessor does the slow work.
            var queue = app.Services.GetRequiredService<Channel<InvoicePaid>>();
            await queue.Writer.WriteAsync(delivery.Payload with { MessageId = delivery.MessageId }, cancellationToken);
        });

        return app;
    }
}
