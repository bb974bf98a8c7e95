using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Herald.Server.BackgroundTasks;
using Herald.Server.Common;
using Herald.Server.Diagnostics;
using Herald.Server.Retention;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Retention;

/// <summary>
/// The retention job forgets background tasks that ended longer ago than the history retention, keeps running and
/// recent ones, and reports each pass on the Herald meter. The pass under test has a 1-day history retention; the
/// server's own retention job (90 days) never touches these rows.
/// </summary>
public sealed class RetentionJobTests : IDisposable
{
    private static readonly TimeSpan HistoryRetention = TimeSpan.FromDays(1);
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task Pass_DeletesTasksThatEndedBeforeTheHistoryRetention_KeepsRunningAndRecentOnes_AndCountsIt()
    {
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var ids = _herald.Services.GetRequiredService<Ids>();
        var serverNow = _herald.Time!.GetUtcNow();
        var clock = new FakeTimeProvider(serverNow);
        async Task<string> TaskAsync(string status, DateTimeOffset updatedAt)
        {
            var task = new BackgroundTask
            {
                Id = ids.New(BackgroundTaskQueue.IdPrefix),
                Kind = BackgroundTaskKinds.ApplicationStats,
                Status = status,
                Input = "{}",
                Data = "{}",
                CreatedAt = updatedAt - TimeSpan.FromMinutes(1),
                UpdatedAt = updatedAt,
            };
            await store.CreateBackgroundTaskAsync(task, CancellationToken.None);
            return task.Id;
        }

        // Ended 2 days ago: past the 1-day retention; and 1 hour ago: within it.
        var finishedLongAgo = await TaskAsync(BackgroundTaskStatuses.Finished, serverNow - TimeSpan.FromDays(2));
        var failedLongAgo = await TaskAsync(BackgroundTaskStatuses.Failed, serverNow - TimeSpan.FromDays(2));
        var finishedRecently = await TaskAsync(BackgroundTaskStatuses.Finished, serverNow - TimeSpan.FromHours(1));
        // Running, last updated 2 days ago (held by another node, so this server's runner leaves it alone; were it
        // to run it anyway, it would end now, within the retention, and still be kept).
        var stillRunning = await TaskAsync(BackgroundTaskStatuses.Running, serverNow - TimeSpan.FromDays(2));
        await store.ClaimBackgroundTasksAsync(new Herald.Server.Delivery.DeliveryLease("another-node", serverNow.AddYears(1)), serverNow, 10, CancellationToken.None);
        var job = new RetentionJob(store, clock, Options.Create(new RetentionOptions { HistoryRetention = HistoryRetention }), NullLogger<RetentionJob>.Instance);

        var measurements = await MeasureAsync(() => job.RunOnceAsync(CancellationToken.None));

        Assert.Null(await store.GetBackgroundTaskAsync(finishedLongAgo, CancellationToken.None));
        Assert.Null(await store.GetBackgroundTaskAsync(failedLongAgo, CancellationToken.None));
        Assert.NotNull(await store.GetBackgroundTaskAsync(finishedRecently, CancellationToken.None));
        Assert.NotNull(await store.GetBackgroundTaskAsync(stillRunning, CancellationToken.None));
        Assert.Equal(2, measurements.Where(m => m.Name == "herald.retention.background_tasks.deleted").Sum(m => m.Value));
        foreach (var counter in new[] { "herald.retention.payloads.expunged", "herald.retention.attempts.deleted", "herald.retention.messages.deleted" })
        {
            Assert.Contains(measurements, m => m.Name == counter);
        }

        var run = Assert.Single(measurements, m => m.Name == "herald.retention.run.duration");
        Assert.Equal("success", run.Outcome);
        // Tasks just stored are nothing to delete a second time.
        Assert.Equal(0, (await MeasureAsync(() => job.RunOnceAsync(CancellationToken.None))).Where(m => m.Name == "herald.retention.background_tasks.deleted").Sum(m => m.Value));
    }

    /// <summary>
    /// The retention measurements <paramref name="action"/> records. The meter is process-wide and other tests run
    /// retention passes at the same time, so only measurements made in this flow (an AsyncLocal) are kept.
    /// </summary>
    private static async Task<List<(string Name, double Value, string? Outcome)>> MeasureAsync(Func<Task> action)
    {
        var mine = new AsyncLocal<bool>();
        var measured = new ConcurrentQueue<(string Name, double Value, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HeraldMetrics.MeterName && instrument.Name.StartsWith("herald.retention.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (mine.Value)
            {
                string? outcome = null;
                foreach (var tag in tags)
                {
                    outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                }

                measured.Enqueue((instrument.Name, value, outcome));
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        mine.Value = true;
        await action();
        mine.Value = false;
        return [.. measured];
    }
}
