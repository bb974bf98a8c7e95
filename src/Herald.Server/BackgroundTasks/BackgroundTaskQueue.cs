using System.Text.Json.Nodes;
using Herald.Server.Storage;

namespace Herald.Server.BackgroundTasks;

/// <summary>
/// Starts background tasks: the row is stored (status <c>running</c>) before the API answers 202, then this process's
/// <see cref="BackgroundTaskRunner"/> is woken to claim and run it. The row is the work: a task whose process dies is
/// claimed again (see the runner), so nothing here is kept only in memory.
/// </summary>
internal sealed class BackgroundTaskQueue(IBackgroundTaskStore store, Ids ids, TimeProvider time)
{
    public const string IdPrefix = "qtask_";

    private readonly SemaphoreSlim _wake = new(0);

    public async Task<BackgroundTask> StartAsync(string kind, string? applicationId, JsonObject input, CancellationToken cancellationToken)
    {
        var now = time.Now();
        var task = new BackgroundTask
        {
            Id = ids.New(IdPrefix),
            ApplicationId = applicationId,
            Kind = kind,
            Status = BackgroundTaskStatuses.Running,
            Input = input.ToJsonString(),
            Data = "{}",
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateBackgroundTaskAsync(task, cancellationToken);
        Wake();
        return task;
    }

    /// <summary>Asks the runner to look for claimable tasks now.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Waits until <see cref="Wake"/> is called or <paramref name="cancellationToken"/> is canceled.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _wake.WaitAsync(cancellationToken);
        // Several wake-ups that arrived while the runner was busy are served by one look.
        while (_wake.CurrentCount > 0 && _wake.Wait(0, CancellationToken.None))
        {
        }
    }
}
