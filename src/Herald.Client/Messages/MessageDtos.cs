using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Client;

/// <summary>A message to publish: an event of a type, with a JSON object payload, for the application's endpoints.</summary>
public sealed record MessageIn
{
    /// <summary>The event type, e.g. <c>order.created</c> (required).</summary>
    public required string EventType { get; init; }

    /// <summary>The payload: any JSON object. See <see cref="Create{TPayload}"/> to publish a typed payload.</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>Your id for the event; unique per application, and usable to get the message back.</summary>
    public string? EventId { get; init; }

    /// <summary>Channels the message is on (endpoints can filter on them).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Tags to find the message by.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When set and the path names an application uid that does not exist yet, the application is created with this.</summary>
    public ApplicationIn? Application { get; init; }

    /// <summary>A message whose payload is <paramref name="payload"/>, serialized with a source-generated <paramref name="typeInfo"/>.</summary>
    /// <typeparam name="TPayload">The payload's type; it must serialize to a JSON object.</typeparam>
    /// <param name="eventType">The event type.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="typeInfo">Its JSON contract, e.g. <c>MyJsonContext.Default.OrderCreated</c>.</param>
    public static MessageIn Create<TPayload>(string eventType, TPayload payload, JsonTypeInfo<TPayload> typeInfo) => new()
    {
        EventType = eventType,
        Payload = JsonSerializer.SerializeToElement(payload, typeInfo),
    };
}

/// <summary>A message as the server has it.</summary>
public sealed record MessageOut
{
    /// <summary>Herald's id (<c>msg_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Your id for the event, if you gave one.</summary>
    public string? EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string EventType { get; init; }

    /// <summary>The payload; an empty object when read without content or after it was expunged.</summary>
    public JsonElement Payload { get; init; }

    /// <summary>Channels the message is on.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When it was published (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The payload as <typeparamref name="TPayload"/>.</summary>
    /// <typeparam name="TPayload">The payload's type.</typeparam>
    /// <param name="typeInfo">Its JSON contract.</param>
    public TPayload? GetPayload<TPayload>(JsonTypeInfo<TPayload> typeInfo) => Payload.Deserialize(typeInfo);
}

/// <summary>Paging and filters of an application's message list.</summary>
public sealed record MessageListOptions
{
    /// <summary>Items per page, 1 to 250.</summary>
    public int? Limit { get; init; }

    /// <summary>The iterator of a page to continue from.</summary>
    public string? Iterator { get; init; }

    /// <summary>Order (default: newest first).</summary>
    public ListOrder? Order { get; init; }

    /// <summary>Only messages of these event types.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Only messages on this channel.</summary>
    public string? Channel { get; init; }

    /// <summary>Only messages with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Only messages published before this time.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Only messages published after this time.</summary>
    public DateTimeOffset? After { get; init; }

    /// <summary>Include payloads (the server's default: true).</summary>
    public bool? WithContent { get; init; }
}
