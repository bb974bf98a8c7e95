using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Retention;

/// <summary>
/// Forgets what is past its retention, every <see cref="RetentionOptions.Interval"/>: first expired payloads (their
/// messages then answer with <c>{}</c>, like an expunged one, and their unsent deliveries are canceled), then attempts,
/// messages whose payload is gone, and ended background tasks, older than <see cref="RetentionOptions.HistoryRetention"/>.
/// Each batch is its own short transaction, so publishing goes on between them (on SQLite the single writer takes the waiting publishes
/// between two batches). Runs on every node of a cluster; batches of different nodes skip each other's rows.
/// </summary>
internal sealed partial class RetentionJob(IRetentionStore store, TimeProvider time, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger)
    : BackgroundService
{
    private readonly RetentionOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// One pass: every expired payload, then every row past the history retention (attempts, messages, ended
    /// background tasks), batch by batch. What it did is counted on the Herald meter even when it stops half-way.
    /// </summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var before = now - _options.HistoryRetention;
        long payloads = 0, attempts = 0, messages = 0, tasks = 0;
        var succeeded = false;
        try
        {
            int done;
            do
            {
                done = await store.ExpirePayloadsAsync(now, _options.BatchSize, cancellationToken);
                payloads += done;
            }
            while (done > 0);

            HistoryDeleted deleted;
            do
            {
                deleted = await store.DeleteHistoryAsync(before, _options.BatchSize, cancellationToken);
                attempts += deleted.Attempts;
                messages += deleted.Messages;
            }
            while (deleted.Total > 0);

            do
            {
                done = await store.DeleteFinishedBackgroundTasksAsync(before, _options.BatchSize, cancellationToken);
                tasks += done;
            }
            while (done > 0);

            succeeded = true;
        }
        finally
        {
            HeraldMetrics.RetentionRun(payloads, attempts, messages, tasks, time.GetElapsedTime(started), succeeded);
        }

        if (payloads + attempts + messages + tasks > 0)
        {
            LogPurged(logger, payloads, attempts, messages, tasks);
        }
    }

    [LoggerMessage(EventId = EventIds.RetentionPurged, Level = LogLevel.Information,
        Message = "Retention: expunged {Payloads} expired payloads; deleted {Attempts} old attempts, {Messages} old messages and {Tasks} ended background tasks")]
    private static partial void LogPurged(ILogger logger, long payloads, long attempts, long messages, long tasks);

    [LoggerMessage(EventId = EventIds.RetentionFailed, Level = LogLevel.Warning, Message = "Retention pass failed; it is tried again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
