using System.Text.Json;

namespace Herald.Client;

/// <summary>The delivery state of a message to an endpoint, or the outcome of an attempt.</summary>
public enum MessageStatus
{
    /// <summary>Delivered (a 2xx answer).</summary>
    Success = 0,

    /// <summary>Waiting for its next attempt.</summary>
    Pending = 1,

    /// <summary>Failed (for an attempt: this try; for a delivery: every try).</summary>
    Fail = 2,

    /// <summary>Being attempted now.</summary>
    Sending = 3,

    /// <summary>Canceled (the endpoint was disabled or deleted).</summary>
    Canceled = 4,
}

/// <summary>Why an attempt was made.</summary>
public enum AttemptTrigger
{
    /// <summary>By the retry schedule.</summary>
    Scheduled = 0,

    /// <summary>On request: resend or recover.</summary>
    Manual = 1,
}

/// <summary>One try to deliver a message to an endpoint.</summary>
public sealed record MessageAttemptOut
{
    /// <summary>Herald's id (<c>atmpt_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The message's id.</summary>
    public required string MsgId { get; init; }

    /// <summary>The endpoint's id.</summary>
    public required string EndpointId { get; init; }

    /// <summary>The URL tried.</summary>
    public required string Url { get; init; }

    /// <summary>The start of the endpoint's answer body.</summary>
    public string Response { get; init; } = "";

    /// <summary>The endpoint's HTTP status; 0 when there was no answer.</summary>
    public int ResponseStatusCode { get; init; }

    /// <summary>How long the attempt took, in milliseconds.</summary>
    public long ResponseDurationMs { get; init; }

    /// <summary>How the attempt went.</summary>
    public MessageStatus Status { get; init; }

    /// <summary>The status as text (<c>success</c>, <c>fail</c> …).</summary>
    public string StatusText { get; init; } = "";

    /// <summary>Why it was made.</summary>
    public AttemptTrigger TriggerType { get; init; }

    /// <summary>When it was made (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Why an attempt without an HTTP answer failed (refused address, timeout …). Herald's addition.</summary>
    public string? Error { get; init; }

    /// <summary>The message, when listed with <see cref="AttemptListOptions.WithMsg"/>.</summary>
    public MessageOut? Msg { get; init; }
}

/// <summary>An endpoint a message was delivered to, with the state of that delivery.</summary>
public sealed record MessageEndpointOut
{
    /// <summary>The endpoint's id.</summary>
    public required string Id { get; init; }

    /// <summary>The endpoint's uid.</summary>
    public string? Uid { get; init; }

    /// <summary>The endpoint's URL.</summary>
    public required string Url { get; init; }

    /// <summary>The endpoint's description.</summary>
    public string Description { get; init; } = "";

    /// <summary>The endpoint's throttle rate.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Whether the endpoint is disabled.</summary>
    public bool Disabled { get; init; }

    /// <summary>The endpoint's event type filter.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>The endpoint's channel filter.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>State of the message's delivery to this endpoint.</summary>
    public MessageStatus Status { get; init; }

    /// <summary>The state as text.</summary>
    public string StatusText { get; init; } = "";

    /// <summary>When the next attempt is due, if one is.</summary>
    public DateTimeOffset? NextAttempt { get; init; }

    /// <summary>When the endpoint was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the endpoint last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A message delivered to an endpoint, with the state of that delivery.</summary>
public sealed record EndpointMessageOut
{
    /// <summary>The message's id.</summary>
    public required string Id { get; init; }

    /// <summary>The message's event id.</summary>
    public string? EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string EventType { get; init; }

    /// <summary>The payload (empty without content).</summary>
    public JsonElement Payload { get; init; }

    /// <summary>The message's channels.</summary>
    public IReadOnlyList<string>? Channels { get; init; }

    /// <summary>The message's tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When the message was published.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>State of its delivery to the endpoint.</summary>
    public MessageStatus Status { get; init; }

    /// <summary>The state as text.</summary>
    public string StatusText { get; init; } = "";

    /// <summary>When the next attempt is due, if one is.</summary>
    public DateTimeOffset? NextAttempt { get; init; }
}

/// <summary>Paging and filters of an attempt list.</summary>
public sealed record AttemptListOptions
{
    /// <summary>Items per page, 1 to 250.</summary>
    public int? Limit { get; init; }

    /// <summary>The iterator of a page to continue from.</summary>
    public string? Iterator { get; init; }

    /// <summary>Order (default: newest first).</summary>
    public ListOrder? Order { get; init; }

    /// <summary>Only attempts with this outcome.</summary>
    public MessageStatus? Status { get; init; }

    /// <summary>Only attempts whose answer is in this class: 0 (no answer), 100, 200, 300, 400 or 500.</summary>
    public int? StatusCodeClass { get; init; }

    /// <summary>Only attempts of messages of these event types.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }

    /// <summary>Only attempts of messages on this channel.</summary>
    public string? Channel { get; init; }

    /// <summary>Only attempts before this time.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Only attempts after this time.</summary>
    public DateTimeOffset? After { get; init; }

    /// <summary>Include message payloads (server default: true).</summary>
    public bool? WithContent { get; init; }

    /// <summary>Attach each attempt's message (<see cref="MessageAttemptOut.Msg"/>); attempts by endpoint only.</summary>
    public bool? WithMsg { get; init; }

    /// <summary>Only attempts to this endpoint; attempts by message only.</summary>
    public string? EndpointId { get; init; }
}

/// <summary>Paging and filters of the messages delivered to an endpoint.</summary>
public sealed record EndpointMessageListOptions
{
    /// <summary>Items per page, 1 to 250.</summary>
    public int? Limit { get; init; }

    /// <summary>The iterator of a page to continue from.</summary>
    public string? Iterator { get; init; }

    /// <summary>Order (default: newest first).</summary>
    public ListOrder? Order { get; init; }

    /// <summary>Only messages whose delivery is in this state.</summary>
    public MessageStatus? Status { get; init; }

    /// <summary>Include payloads (server default: true).</summary>
    public bool? WithContent { get; init; }
}
