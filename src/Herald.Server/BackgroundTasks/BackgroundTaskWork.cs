using System.Text.Json.Nodes;

namespace Herald.Server.BackgroundTasks;

/// <summary>
/// The work of one task kind. It must be safe to run again from the start after an interruption (a task whose process
/// died is claimed and run again): every kind skips what an earlier run already did, or repeats only idempotent writes.
/// </summary>
internal interface IBackgroundTaskWork
{
    string Kind { get; }

    /// <summary>Does the work, reporting progress through <paramref name="progress"/>; returns the task's final <c>data</c>.</summary>
    Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken);
}

/// <summary>A running task's progress report: stores <c>data</c> and extends the task's lease; throws when the lease was lost.</summary>
internal sealed class TaskProgress(Func<JsonObject, CancellationToken, Task> report)
{
    public Task ReportAsync(JsonObject data, CancellationToken cancellationToken) => report(data, cancellationToken);
}

/// <summary>The task's lease passed to another process (this one stalled past it): the other one finishes the work.</summary>
internal sealed class TaskLeaseLostException() : Exception("The background task's lease was lost.");

/// <summary>The task cannot be done (its endpoint or application is gone): it ends <c>failed</c> with this reason.</summary>
internal sealed class TaskFailedException(string reason) : Exception(reason);
