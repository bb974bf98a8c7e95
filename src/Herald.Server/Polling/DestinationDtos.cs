using System.Text.Json;

namespace Herald.Server.Polling;

/// <summary>Body of destination create, upsert and patch (the Svix SDK's DestinationIn); Herald supports <c>type: "pollingEndpoint"</c>.</summary>
public sealed record DestinationIn
{
    /// <summary>Must be `pollingEndpoint` (the only kind Herald has).</summary>
    public string? Type { get; init; }
    /// <summary>A polling endpoint has no configuration: `{}` or absent; anything else is refused with 422.</summary>
    public JsonElement? Config { get; init; }
    /// <summary>Optional unique id (letters, digits, `-`, `_`, `.`; at most 256), usable in place of the id.</summary>
    public string? Uid { get; init; }
    /// <summary>`enabled` (default) or `disabled`.</summary>
    public string? Status { get; init; }

    /// <summary>Svix's push batch size; only its default, 100, is accepted (Herald does not batch).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Svix's push batch wait in seconds; only its default, 0, is accepted.</summary>
    public int? MaxWaitSecs { get; init; }

    /// <summary>Event types it receives; null: all.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Channels it receives; null: all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Free string key–value pairs.</summary>
    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>A polling endpoint: a message log consumers read instead of receiving webhooks.</summary>
public sealed record DestinationOut
{
    /// <summary>Always `pollingEndpoint`.</summary>
    public string Type { get; init; } = DestinationsApi.PollingEndpointType;
    /// <summary>Always empty.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    /// <summary>The polling endpoint's id.</summary>
    public required string Id { get; init; }
    /// <summary>Its optional unique id, usable in place of the id.</summary>
    public string? Uid { get; init; }
    /// <summary>`enabled` or `disabled`.</summary>
    public required string Status { get; init; }

    /// <summary>
    /// Svix requires a string. A polling endpoint has no single read position in Herald (each consumer keeps its
    /// own cursor), so this is the iterator a poll without one starts from: the beginning of the log.
    /// </summary>
    public string CurrentIterator { get; init; } = Iterator.Format(0);

    /// <summary>Svix's push batch size; always its default (Herald does not batch).</summary>
    public int BatchSize { get; init; } = DestinationBatching.DefaultBatchSize;
    /// <summary>Svix's push batch wait; always its default.</summary>
    public int MaxWaitSecs { get; init; } = DestinationBatching.DefaultMaxWaitSecs;
    /// <summary>Always null: a polling endpoint does not fail.</summary>
    public string? FailureReason { get; init; }
    /// <summary>Event types it receives; null: all.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Channels it receives; null: all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Free string key–value pairs.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    /// <summary>Always null: a polling endpoint is not retried.</summary>
    public DateTimeOffset? NextRetryAt { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was last changed.</summary>
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
    /// <summary>The message's id (`msg_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The publisher's own unique id for the message, if it gave one; GET /msg/{msg_id} also finds the message by it.</summary>
    public string? EventId { get; init; }
    /// <summary>The event type the message was published with.</summary>
    public required string EventType { get; init; }
    /// <summary>The JSON payload; `{}` when it was expunged or past its retention.</summary>
    public required Messages.RawJson Payload { get; init; }
    /// <summary>The message's channels; only endpoints subscribed to one of them (or to none) get it.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>The message's tags (filterable in lists).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>When the message was published.</summary>
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
/// <param name="Data">The messages of this page, in commit order.</param>
/// <param name="Iterator">Pass as `iterator` to continue after this page.</param>
/// <param name="Done">True when the log is read to its end.</param>
public sealed record PollingEndpointOut(IReadOnlyList<PollingEndpointMessageOut> Data, string Iterator, bool Done);

/// <summary>Body of consumer seek.</summary>
public sealed record PollingEndpointConsumerSeekIn
{
    /// <summary>The time to move the cursor to (required).</summary>
    public DateTimeOffset? After { get; init; }
}

/// <summary>Where the consumer's cursor now is.</summary>
/// <param name="Iterator">The iterator of the new position.</param>
public sealed record PollingEndpointConsumerSeekOut(string Iterator);

/// <summary>Body of consumer commit.</summary>
public sealed record PollingEndpointConsumerCommitIn
{
    /// <summary>The iterator of the last message processed (required).</summary>
    public string? Iterator { get; init; }
}
