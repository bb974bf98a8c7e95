namespace Herald.Server.Messages;

/// <summary>One published event. <see cref="Sequence"/> is its place in the application's commit-ordered log.</summary>
public sealed record Message
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }
    public required long Sequence { get; init; }
    public string? EventId { get; init; }
    public required string EventType { get; init; }

    /// <summary>The payload exactly as published (UTF-8 JSON), or null once expunged.</summary>
    public byte[]? Payload { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>No webhook of this message is attempted before this time (null: sent at once).</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    /// <summary>When the retention job forgets the payload (null: kept until expunged; rows from before retention existed).</summary>
    public DateTimeOffset? PayloadExpiresAt { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the span that published it (null outside a trace); attempts' spans link to it.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A message as the publisher sends it, before storage gives it a sequence number.</summary>
public sealed record NewMessage
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }
    public string? EventId { get; init; }
    public required string EventType { get; init; }
    public required byte[] Payload { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Scheduled delivery: its deliveries are due at this time instead of at once (null: at once).</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    /// <summary>When the payload expires (the retention job expunges it then).</summary>
    public DateTimeOffset? PayloadExpiresAt { get; init; }

    /// <summary>Deliver to this endpoint only, whatever its filters (send-example); null fans out normally.</summary>
    public string? TargetEndpointId { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the publish span, stored with the message (null outside a trace).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The message as stored, numbered <paramref name="sequence"/> in its application.</summary>
    public Message Numbered(long sequence) => new()
    {
        Id = Id,
        ApplicationId = ApplicationId,
        Sequence = sequence,
        EventId = EventId,
        EventType = EventType,
        Payload = Payload,
        Channels = Channels,
        Tags = Tags,
        CreatedAt = CreatedAt,
        DeliverAt = DeliverAt,
        PayloadExpiresAt = PayloadExpiresAt,
        TraceParent = TraceParent,
    };
}

/// <summary>Filters of the message list. Null means "any".</summary>
public sealed record MessageFilter(
    IReadOnlyList<string>? EventTypes = null,
    string? Channel = null,
    string? Tag = null,
    DateTimeOffset? Before = null,
    DateTimeOffset? After = null);
