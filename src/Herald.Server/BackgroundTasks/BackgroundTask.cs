namespace Herald.Server.BackgroundTasks;

/// <summary>
/// A durable piece of work the API started and answered for at once (202): recover, replay, purge, statistics.
/// <see cref="Input"/> is what it was asked to do and <see cref="Data"/> what it reports (its progress, then its
/// result), both JSON objects. A task is <c>running</c> until it ends <c>finished</c> or <c>failed</c>.
/// </summary>
public sealed record BackgroundTask
{
    public required string Id { get; init; }

    /// <summary>The application it works on; null for organisation-wide work (statistics).</summary>
    public string? ApplicationId { get; init; }

    /// <summary>Svix's task type, e.g. <c>endpoint.recover</c> (see <see cref="BackgroundTaskKinds"/>).</summary>
    public required string Kind { get; init; }

    public required string Status { get; init; }
    public required string Input { get; init; }
    public required string Data { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What <c>GET /background-task</c> filters on (null: any).</summary>
public sealed record BackgroundTaskFilter(string? Status = null, string? Kind = null);

/// <summary>Svix's <c>BackgroundTaskStatus</c>.</summary>
public static class BackgroundTaskStatuses
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Running, Finished, Failed };
}

/// <summary>Svix's <c>BackgroundTaskType</c> values; Herald runs the ones it has routes for.</summary>
public static class BackgroundTaskKinds
{
    public const string EndpointRecover = "endpoint.recover";
    public const string EndpointReplay = "endpoint.replay";
    public const string EndpointBulkReplay = "endpoint.bulk-replay";
    public const string PurgeContent = "application.purge_content";
    public const string ApplicationStats = "application.stats";
    public const string EventTypeAggregate = "event-type.aggregate";

    /// <summary>Every value of Svix's enum (a list filter may name any of them; the ones Herald never creates match nothing).</summary>
    public static readonly IReadOnlySet<string> SvixTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        EndpointReplay, EndpointRecover, ApplicationStats, "message.broadcast", "sdk.generate", EventTypeAggregate, PurgeContent, EndpointBulkReplay,
    };
}
