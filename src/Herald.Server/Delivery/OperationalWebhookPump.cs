using System.Text.Json.Nodes;
using System.Threading.Channels;
using Herald.Server.Diagnostics;

namespace Herald.Server.Delivery;

/// <summary>
/// Publishes the operational webhooks that delivery attempts raise (failing, exhausted, recovered, endpoint disabled)
/// off the attempt's path: an attempt posts the event to a small bounded channel and goes on; this service publishes
/// it (<see cref="OperationalWebhooks.PublishAsync"/>: a message commit of its own). When the channel is full the
/// attempt waits for room, so no event is dropped while the service keeps up. On stop it is stopped after the
/// dispatcher's drain (registered before it) and publishes what the drain left in the channel.
/// </summary>
internal sealed partial class OperationalWebhookPump(OperationalWebhooks operational, ILogger<OperationalWebhookPump> logger) : BackgroundService
{
    /// <summary>Events waiting to be published before a posting attempt waits for room.</summary>
    public const int Capacity = 256;

    private readonly Channel<(string Type, JsonObject Data)> _channel = Channel.CreateBounded<(string Type, JsonObject Data)>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>
    /// Queues an event for publishing; waits while the channel is full. Dropped and logged only when
    /// <paramref name="cancellationToken"/> ends the wait (the drain's grace ended) or the service has stopped.
    /// </summary>
    public async ValueTask PostAsync(string type, JsonObject data, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync((type, data), cancellationToken);
        }
        catch (Exception e) when (e is ChannelClosedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogDropped(logger, type);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (type, data) in _channel.Reader.ReadAllAsync(stoppingToken))
            {
                // Not the stopping token: an event taken from the channel is published (it logs its own failure).
                await operational.PublishAsync(type, data, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync publishes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out var left))
        {
            await operational.PublishAsync(left.Type, left.Data, cancellationToken);
        }
    }

    [LoggerMessage(EventId = EventIds.OperationalWebhookDropped, Level = LogLevel.Warning, Message = "The operational webhook {Type} was dropped: Herald was stopping")]
    private static partial void LogDropped(ILogger logger, string type);
}
