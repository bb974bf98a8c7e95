using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Client;

/// <summary>Whether a polling endpoint can be read.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PollingEndpointStatus>))]
public enum PollingEndpointStatus
{
    /// <summary>Readable.</summary>
    [JsonStringEnumMemberName("enabled")]
    Enabled,

    /// <summary>Reads are refused (409).</summary>
    [JsonStringEnumMemberName("disabled")]
    Disabled,
}

/// <summary>
/// A polling endpoint to create or replace: the application's messages (with the same filters as a webhook
/// endpoint) read through the poller instead of being pushed. On the wire, a destination of type <c>pollingEndpoint</c>.
/// </summary>
public sealed record PollingEndpointIn
{
    /// <summary>The destination type; Herald has polling endpoints only.</summary>
    public string Type => "pollingEndpoint";

    /// <summary>Your own id for it (the <c>sinkId</c> of the poller routes accepts it).</summary>
    public string? Uid { get; init; }

    /// <summary>Enabled unless set to <see cref="PollingEndpointStatus.Disabled"/>.</summary>
    public PollingEndpointStatus? Status { get; init; }

    /// <summary>Only messages of these event types (all when null).</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Only messages on one of these channels (all when null).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Free-form string pairs.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Fields of a polling endpoint to change; those left null stay as they are. Empty lists clear the filters.</summary>
public sealed record PollingEndpointPatch
{
    /// <summary>New uid.</summary>
    public string? Uid { get; init; }

    /// <summary>Enable or disable.</summary>
    public PollingEndpointStatus? Status { get; init; }

    /// <summary>New event type filter.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>New channel filter.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>New metadata (replaces all of it).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A polling endpoint as the server has it.</summary>
public sealed record PollingEndpointOut
{
    /// <summary>Herald's id (<c>sink_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The destination type (<c>pollingEndpoint</c>).</summary>
    public string Type { get; init; } = "pollingEndpoint";

    /// <summary>Your id, if you gave one.</summary>
    public string? Uid { get; init; }

    /// <summary>Enabled or disabled.</summary>
    public PollingEndpointStatus Status { get; init; }

    /// <summary>Event type filter (null: all).</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Channel filter (null: all).</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Free-form string pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed (UTC).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A page of the poller: messages in commit order, where to continue, and whether the log is read to its end.</summary>
public sealed record PollerPage
{
    /// <summary>The messages, in the application's commit order.</summary>
    public required IReadOnlyList<PolledMessage> Data { get; init; }

    /// <summary>Pass to the next read (or commit it) to continue after this page.</summary>
    public required string Iterator { get; init; }

    /// <summary>True when there was nothing more to read.</summary>
    public bool Done { get; init; }
}

/// <summary>A message read from a polling endpoint.</summary>
public sealed record PolledMessage
{
    /// <summary>Herald's id (<c>msg_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Your id for the event, if you gave one.</summary>
    public string? EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string EventType { get; init; }

    /// <summary>The payload.</summary>
    public JsonElement Payload { get; init; }

    /// <summary>Channels the message is on.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When it was published (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// From <see cref="PollerApi.StreamAsync(string, string, string?, CancellationToken)"/> only: the event id of this
    /// message (its iterator). Keep it and pass it as <c>lastEventId</c> to resume right after this message. Null in a
    /// <see cref="PollerPage"/>, whose <see cref="PollerPage.Iterator"/> is the one to keep.
    /// </summary>
    [JsonIgnore]
    public string? StreamId { get; init; }

    /// <summary>The payload as <typeparamref name="TPayload"/>.</summary>
    /// <typeparam name="TPayload">The payload's type.</typeparam>
    /// <param name="typeInfo">Its JSON contract.</param>
    public TPayload? GetPayload<TPayload>(JsonTypeInfo<TPayload> typeInfo) => Payload.Deserialize(typeInfo);
}

/// <summary>Where and what a poller read starts and filters, and how long it may wait.</summary>
public sealed record PollOptions
{
    /// <summary>Continue after this iterator (from the start of the log, or from <see cref="After"/>, without one). Ignored by the stream when a last event id is given.</summary>
    public string? Iterator { get; init; }

    /// <summary>Messages per page, 1 to 250 (not used by the stream).</summary>
    public int? Limit { get; init; }

    /// <summary>Only messages of this event type (within the polling endpoint's own filter).</summary>
    public string? EventType { get; init; }

    /// <summary>Only messages on this channel.</summary>
    public string? Channel { get; init; }

    /// <summary>Without an iterator, start with the first message published after this time.</summary>
    public DateTimeOffset? After { get; init; }

    /// <summary>Long-poll: when nothing is new, hold the request up to this long (at most 60 s) for a message to commit. Not used by the stream.</summary>
    public TimeSpan? Wait { get; init; }
}

/// <summary>A consumer's cursor after a seek.</summary>
/// <param name="Iterator">The position the consumer's next read continues after.</param>
public sealed record PollerSeekOut(string Iterator);

/// <summary>Body of a consumer commit.</summary>
internal sealed record PollerCommitIn(string Iterator);

/// <summary>Body of a consumer seek.</summary>
internal sealed record PollerSeekIn(DateTimeOffset After);
