using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Idempotency;

/// <summary>Deletes idempotency keys older than their 24 h lifetime, once an hour.</summary>
internal sealed partial class IdempotencyKeyCleanup(IIdempotencyStore store, TimeProvider time, ILogger<IdempotencyKeyCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var deleted = await store.DeleteExpiredIdempotencyKeysAsync(time.GetUtcNow() - IdempotencyMiddleware.Lifetime, stoppingToken);
                LogCleaned(logger, deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = EventIds.IdempotencyKeysCleaned, Level = LogLevel.Debug, Message = "Deleted {Count} expired idempotency keys")]
    private static partial void LogCleaned(ILogger logger, int count);

    [LoggerMessage(EventId = EventIds.IdempotencyCleanupFailed, Level = LogLevel.Warning, Message = "Could not delete expired idempotency keys")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
