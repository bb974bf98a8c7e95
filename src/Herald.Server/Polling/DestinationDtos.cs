using System.Text.Json;

namespace Herald.Server.Polling;

/// <summary>Body of destination create, upsert and patch (the Svix SDK's DestinationIn); Herald supports <c>type: "pollingEndpoint"</c>.</summary>
public sealed record DestinationIn
{
    public string? Type { get; init; }
    public JsonElement? Config { get; init; }
    public string? Uid { get; init; }
    public string? Status { get; init; }

    /// <summary>Svix's push batching; only its default is accepted (see <see cref="DestinationBatching"/>).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Svix's push batching wait; only its default is accepted (see <see cref="DestinationBatching"/>).</summary>
    public int? MaxWaitSecs { get; init; }

    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
}

public sealed record DestinationOut
{
    public string Type { get; init; } = DestinationsApi.PollingEndpointType;
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Status { get; init; }

    /// <summary>
    /// Svix requires a string. A polling endpoint has no single read position in Herald (each consumer keeps its
    /// own cursor), so this is the iterator a poll without one starts from: the beginning of the log.
    /// </summary>
    public string CurrentIterator { get; init; } = Iterator.Format(0);

    public int BatchSize { get; init; } = DestinationBatching.DefaultBatchSize;
    public int MaxWaitSecs { get; init; } = DestinationBatching.DefaultMaxWaitSecs;
    public string? FailureReason { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public DateTimeOffset? NextRetryAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public static DestinationOut From(PollingEndpoint e) => new()
    {
        Id = e.Id,
        Uid = e.Uid,
        Status = e.Disabled ? "disabled" : "enabled",
        EventTypes = e.EventTypes,
        Channels = e.Channels,
        Metadata = e.Metadata,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
    };
}

/// <summary>One message as the poller returns it (Svix's PollingEndpointMessageOut).</summary>
public sealed record PollingEndpointMessageOut
{
    public required string Id { get; init; }
    public string? EventId { get; init; }
    public required string EventType { get; init; }
    public required Messages.RawJson Payload { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public static PollingEndpointMessageOut From(Messages.Message m)
    {
        var message = Messages.MessageOut.From(m, withContent: true);
        return new()
        {
            Id = message.Id,
            EventId = message.EventId,
            EventType = message.EventType,
            Payload = message.Payload,
            Channels = message.Channels,
            Tags = message.Tags,
            Timestamp = message.Timestamp,
        };
    }
}

/// <summary>A page of the poller: messages in commit order, the iterator to continue from, and whether the log is read to its end.</summary>
public sealed record PollingEndpointOut(IReadOnlyList<PollingEndpointMessageOut> Data, string Iterator, bool Done);

public sealed record PollingEndpointConsumerSeekIn
{
    public DateTimeOffset? After { get; init; }
}

public sealed record PollingEndpointConsumerSeekOut(string Iterator);

public sealed record PollingEndpointConsumerCommitIn
{
    public string? Iterator { get; init; }
}
