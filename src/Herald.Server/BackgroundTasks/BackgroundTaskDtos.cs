using System.Text.Json;

namespace Herald.Server.BackgroundTasks;

/// <summary>Svix's BackgroundTaskOut: <c>data</c> is the task's progress while it runs, then its result.</summary>
public sealed record BackgroundTaskOut(JsonElement Data, string Id, string Status, string Task, DateTimeOffset UpdatedAt)
{
    public static BackgroundTaskOut From(BackgroundTask task)
    {
        using var data = JsonDocument.Parse(task.Data);
        return new BackgroundTaskOut(data.RootElement.Clone(), task.Id, task.Status, task.Kind, task.UpdatedAt);
    }
}

/// <summary>The 202 answer of a route that started a task (Svix's ReplayOut; RecoverOut, ExpungeAllContentsOut and AggregateEventTypesOut are the same shape).</summary>
public sealed record ReplayOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt)
{
    public static ReplayOut From(BackgroundTask task) => new(task.Id, task.Status, task.Kind, task.UpdatedAt);
}

public sealed record ExpungeAllContentsOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

public sealed record AggregateEventTypesOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

/// <summary>Svix's AppUsageStatsOut: the started task, and the requested applications that were not found.</summary>
public sealed record AppUsageStatsOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt, IReadOnlyList<string> UnresolvedAppIds);

/// <summary>Svix's ReplayIn (replay-missing).</summary>
public sealed record ReplayIn
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
}

/// <summary>Svix's BulkReplayIn: the window, and filters that each narrow which of the endpoint's messages are sent again.</summary>
public sealed record BulkReplayIn
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public string? Channel { get; init; }
    public string? Tag { get; init; }
    public int? Status { get; init; }
    public int? StatusCodeClass { get; init; }
}

/// <summary>Svix's AppUsageStatsIn.</summary>
public sealed record AppUsageStatsIn
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyList<string>? AppIds { get; init; }
}

/// <summary>Svix's EndpointCountOut.</summary>
public sealed record EndpointCountOut(long Active, long Disabled);
