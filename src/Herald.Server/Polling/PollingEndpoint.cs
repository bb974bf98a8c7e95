namespace Herald.Server.Polling;

/// <summary>
/// A pull subscription of an application: the same event-type and channel filters as a webhook endpoint, but
/// its consumer reads the application's commit-ordered log through the API instead of being called.
/// </summary>
public sealed record PollingEndpoint
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public bool Disabled { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What a log read selects: the endpoint's filters and the request's (all must match).</summary>
public sealed record LogFilter(IReadOnlyList<string>? EndpointEventTypes, IReadOnlyList<string>? EndpointChannels, string? EventType, string? Channel);

/// <summary>
/// A page of the log: the matching messages after a position, and <see cref="Position"/>, the sequence number
/// read through (the position to continue after; it passes non-matching messages too, so they are not read again).
/// </summary>
public sealed record LogPage(IReadOnlyList<Messages.Message> Messages, long Position, bool Done);
