using System.Text.Json;

namespace Herald.Server.BackgroundTasks;

/// <summary>Svix's BackgroundTaskOut: <c>data</c> is the task's progress while it runs, then its result.</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
/// <param name="Data">Progress while the task runs, then its result; `error` when it failed.</param>
public sealed record BackgroundTaskOut(JsonElement Data, string Id, string Status, string Task, DateTimeOffset UpdatedAt)
{
    public static BackgroundTaskOut From(BackgroundTask task)
    {
        using var data = JsonDocument.Parse(task.Data);
        return new BackgroundTaskOut(data.RootElement.Clone(), task.Id, task.Status, task.Kind, task.UpdatedAt);
    }
}

/// <summary>The 202 answer of a route that started a task (Svix's ReplayOut; RecoverOut, ExpungeAllContentsOut and AggregateEventTypesOut are the same shape).</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
public sealed record ReplayOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt)
{
    public static ReplayOut From(BackgroundTask task) => new(task.Id, task.Status, task.Kind, task.UpdatedAt);
}

/// <summary>The started purge task (Svix's ExpungeAllContentsOut).</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
public sealed record ExpungeAllContentsOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

/// <summary>The started aggregate task (Svix's AggregateEventTypesOut).</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
public sealed record AggregateEventTypesOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

/// <summary>Svix's AppUsageStatsOut: the started task, and the requested applications that were not found.</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
/// <param name="UnresolvedAppIds">Requested application ids or uids that were not found.</param>
public sealed record AppUsageStatsOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt, IReadOnlyList<string> UnresolvedAppIds);

/// <summary>Svix's ReplayIn (replay-missing).</summary>
public sealed record ReplayIn
{
    /// <summary>Start of the window (required).</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>End of the window (exclusive); now when not given.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>Svix's BulkReplayIn: the window, and filters that each narrow which of the endpoint's messages are sent again.</summary>
public sealed record BulkReplayIn
{
    /// <summary>Start of the window (required).</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>End of the window (exclusive); now when not given.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Only messages of these event types.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Only messages on this channel.</summary>
    public string? Channel { get; init; }
    /// <summary>Only messages with this tag.</summary>
    public string? Tag { get; init; }
    /// <summary>Only deliveries in this state (0 success, 1 pending, 2 fail, 3 sending).</summary>
    public int? Status { get; init; }
    /// <summary>Only deliveries whose last answer was in this class (0 none, 100, 200, 300, 400, 500).</summary>
    public int? StatusCodeClass { get; init; }
}

/// <summary>Svix's AppUsageStatsIn.</summary>
public sealed record AppUsageStatsIn
{
    /// <summary>Start of the window (required).</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>End of the window (exclusive, required).</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Applications to count (ids or uids); all when not given.</summary>
    public IReadOnlyList<string>? AppIds { get; init; }
}

/// <summary>Svix's EndpointCountOut.</summary>
/// <param name="Active">Enabled endpoints.</param>
/// <param name="Disabled">Disabled endpoints.</param>
public sealed record EndpointCountOut(long Active, long Disabled);
