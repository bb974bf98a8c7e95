using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Retention;

/// <summary>
/// Forgets what is past its retention, every <see cref="RetentionOptions.Interval"/>: first expired payloads (their
/// messages then answer with <c>{}</c>, like an expunged one, and their unsent deliveries are canceled), then attempts,
/// and messages whose payload is gone, older than <see cref="RetentionOptions.HistoryRetention"/>. Each batch is its
/// own short transaction, so publishing goes on between them (on SQLite the single writer takes the waiting publishes
/// between two batches). Runs on every node of a cluster; batches of different nodes skip each other's rows.
/// </summary>
internal sealed partial class RetentionJob(IHeraldStore store, TimeProvider time, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger)
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

    /// <summary>One pass: every expired payload and every row past the history retention, batch by batch.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var payloads = 0;
        int done;
        do
        {
            done = await store.ExpirePayloadsAsync(now, _options.BatchSize, cancellationToken);
            payloads += done;
        }
        while (done > 0);

        var rows = 0;
        do
        {
            done = await store.DeleteHistoryAsync(now - _options.HistoryRetention, _options.BatchSize, cancellationToken);
            rows += done;
        }
        while (done > 0);

        if (payloads + rows > 0)
        {
            LogPurged(logger, payloads, rows);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Retention: expunged {Payloads} expired payloads, deleted {Rows} old attempts and messages")]
    private static partial void LogPurged(ILogger logger, int payloads, int rows);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Retention pass failed; it is tried again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
