using System.Threading.Channels;

namespace Herald.Receiver.Sample;

/// <summary>Processes verified events after the webhook has been acknowledged.</summary>
internal sealed partial class InvoiceProcessor(Channel<InvoicePaid> queue, ProcessedInvoices processed, ILogger<InvoiceProcessor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var invoice in queue.Reader.ReadAllAsync(stoppingToken))
        {
            processed.Add(invoice);
            LogProcessed(invoice.InvoiceId, invoice.Amount, invoice.MessageId);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Invoice {InvoiceId} paid: {Amount} ({MessageId})")]
    private partial void LogProcessed(string invoiceId, long amount, string? messageId);
}
