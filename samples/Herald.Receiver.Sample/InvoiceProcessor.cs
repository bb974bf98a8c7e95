using System.Threading.Channels;

namespace Herald.Receiver.Sample;

/// <summary>Processes verified events after the webhook has been acknowledged.</summary>
internal sealed partial class OrderProcessor(Channel<OrderEvent> queue, ProcessedOrders processed, ILogger<OrderProcessor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var orderEvent in queue.Reader.ReadAllAsync(stoppingToken))
        {
            processed.Add(orderEvent);
            LogProcessed(orderEvent.Type, orderEvent.MessageId);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Processed {EventType} ({MessageId})")]
    private partial void LogProcessed(string eventType, string? messageId);
}
