using System.Text.Json.Nodes;
using Herald.Server.Cluster;
using Herald.Server.Delivery;
using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.BackgroundTasks;

/// <summary>
/// Runs background tasks. It claims <c>running</c> tasks nobody holds with a lease (as deliveries are claimed, so on
/// PostgreSQL one node runs each), runs up to <see cref="MaxConcurrent"/> at a time, extends the lease at every progress
/// report and records the end (<c>finished</c>, or <c>failed</c> with the reason in <c>data.error</c>), then publishes the
/// <c>background_task.finished</c> operational webhook.
/// <para>
/// A task interrupted by a stop or a crash is resumed, not failed: every kind is safe to run again from the start
/// (<see cref="IBackgroundTaskWork"/>). On SQLite the leases of the previous process are released at start-up; on
/// PostgreSQL they expire and any node's next look claims the task.
/// </para>
/// </summary>
internal sealed partial class BackgroundTaskRunner(
    IBackgroundTaskStore store,
    BackgroundTaskQueue queue,
    DeliveryNode node,
    IEnumerable<IBackgroundTaskWork> works,
    OperationalWebhooks operational,
    TimeProvider time,
    ILogger<BackgroundTaskRunner> logger) : BackgroundService
{
    public const int MaxConcurrent = 4;

    /// <summary>How often to look for tasks whose lease expired (another node died) when nothing wakes the runner.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, IBackgroundTaskWork> _works = works.ToDictionary(w => w.Kind, StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await store.RecoverBackgroundTasksAfterRestartAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            _running.RemoveWhere(t => t.IsCompleted);
            if (_running.Count < MaxConcurrent)
            {
                try
                {
                    var claimed = await store.ClaimBackgroundTasksAsync(node.NewLease(), time.GetUtcNow(), MaxConcurrent - _running.Count, stoppingToken);
                    foreach (var task in claimed)
                    {
                        _running.Add(RunAsync(task, stoppingToken));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogClaimFailed(logger, e);
                }
            }

            using var poll = new CancellationTokenSource(PollInterval, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, stoppingToken);
            try
            {
                await queue.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }

        // A stop lets running tasks notice the token; whatever they did not finish is resumed by the next process.
        await Task.WhenAll(_running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(BackgroundTask task, CancellationToken stoppingToken)
    {
        await Task.Yield();
        string status;
        JsonObject data;
        var progressData = new JsonObject();
        try
        {
            var input = JsonNode.Parse(task.Input)?.AsObject() ?? new JsonObject();
            var progress = new TaskProgress(async (report, ct) =>
            {
                progressData = report;
                if (!await store.UpdateBackgroundTaskAsync(task.Id, node.NewLease(), BackgroundTaskStatuses.Running, report.ToJsonString(), time.Now(), ct))
                {
                    throw new TaskLeaseLostException();
                }
            });
            data = _works.TryGetValue(task.Kind, out var work)
                ? await work.RunAsync(task, input, progress, stoppingToken)
                : throw new TaskFailedException($"This server cannot run '{task.Kind}' tasks.");
            status = BackgroundTaskStatuses.Finished;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // resumed by the next process
        }
        catch (TaskLeaseLostException)
        {
            LogLeaseLost(logger, task.Id);
            return;
        }
        catch (Exception e)
        {
            if (e is not TaskFailedException)
            {
                LogTaskFailed(logger, task.Id, task.Kind, e);
            }

            data = progressData.DeepClone().AsObject();
            data["error"] = e is TaskFailedException ? e.Message : "The task failed on an internal error; see the server's log.";
            status = BackgroundTaskStatuses.Failed;
        }

        try
        {
            if (await store.UpdateBackgroundTaskAsync(task.Id, node.NewLease(), status, data.ToJsonString(), time.Now(), CancellationToken.None))
            {
                await operational.PublishAsync("background_task.finished", new JsonObject
                {
                    ["taskId"] = task.Id,
                    ["task"] = task.Kind,
                    ["status"] = status,
                    ["data"] = data.DeepClone(),
                }, CancellationToken.None); // The task's end is committed: the operator hears of it even while stopping.
            }
        }
        catch (Exception e)
        {
            LogTaskFailed(logger, task.Id, task.Kind, e);
        }
        finally
        {
            queue.Wake(); // a slot is free: look for more
        }
    }

    [LoggerMessage(EventId = EventIds.BackgroundTaskClaimFailed, Level = LogLevel.Error, Message = "Could not claim background tasks")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.BackgroundTaskFailed, Level = LogLevel.Error, Message = "Background task {TaskId} ({Kind}) failed")]
    private static partial void LogTaskFailed(ILogger logger, string taskId, string kind, Exception exception);

    [LoggerMessage(EventId = EventIds.BackgroundTaskLeaseLost, Level = LogLevel.Warning, Message = "Background task {TaskId} stopped: it was deleted with its application, or claimed by another process after its lease expired")]
    private static partial void LogLeaseLost(ILogger logger, string taskId);
}
