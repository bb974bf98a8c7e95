using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

public sealed record MessageAttemptOut
{
    public required string Id { get; init; }
    public required string MsgId { get; init; }
    public required string EndpointId { get; init; }
    public required string Url { get; init; }
    public required string Response { get; init; }
    public required int ResponseStatusCode { get; init; }
    public required long ResponseDurationMs { get; init; }
    public required MessageStatus Status { get; init; }
    public required string StatusText { get; init; }
    public required AttemptTrigger TriggerType { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Herald's addition: why an attempt without an HTTP answer failed (refused address, timeout …).</summary>
    public string? Error { get; init; }
    public MessageOut? Msg { get; init; }

    public static MessageAttemptOut From(AttemptRecord a, MessageOut? msg = null) => new()
    {
        Id = a.Id,
        MsgId = a.MessageId,
        EndpointId = a.EndpointId,
        Url = a.Url,
        Response = a.Response ?? "",
        ResponseStatusCode = a.ResponseStatusCode,
        ResponseDurationMs = a.ResponseDurationMs,
        Status = a.Status,
        StatusText = TextOf(a.Status),
        TriggerType = a.Trigger,
        Timestamp = a.CreatedAt,
        Error = a.Error,
        Msg = msg,
    };

    public static string TextOf(MessageStatus status) => status.ToString().ToLowerInvariant();
}

public sealed record MessageEndpointOut
{
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Url { get; init; }
    public required string Description { get; init; }
    public int? ThrottleRate { get; init; }
    public required bool Disabled { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public required MessageStatus Status { get; init; }
    public required string StatusText { get; init; }
    public DateTimeOffset? NextAttempt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public static MessageEndpointOut From(HeraldEndpoint e, DeliveryState state) => new()
    {
        Id = e.Id,
        Uid = e.Uid,
        Url = e.Url,
        Description = e.Description,
        ThrottleRate = e.ThrottleRate,
        Disabled = e.Disabled,
        EventTypes = e.EventTypes,
        Channels = e.Channels,
        Status = state.Status,
        StatusText = MessageAttemptOut.TextOf(state.Status),
        NextAttempt = state.NextAttempt,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
    };
}

public sealed record EndpointMessageOut
{
    public required string Id { get; init; }
    public string? EventId { get; init; }
    public required string EventType { get; init; }
    public required RawJson Payload { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required MessageStatus Status { get; init; }
    public required string StatusText { get; init; }
    public DateTimeOffset? NextAttempt { get; init; }

    public static EndpointMessageOut From(Message m, DeliveryState state, bool withContent)
    {
        var message = MessageOut.From(m, withContent);
        return new()
        {
            Id = message.Id,
            EventId = message.EventId,
            EventType = message.EventType,
            Payload = message.Payload,
            Channels = message.Channels,
            Tags = message.Tags,
            Timestamp = message.Timestamp,
            Status = state.Status,
            StatusText = MessageAttemptOut.TextOf(state.Status),
            NextAttempt = state.NextAttempt,
        };
    }
}

public sealed record EndpointStats(long Success, long Pending, long Sending, long Fail, long Canceled);

public sealed record RecoverIn
{
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
}

public sealed record RecoverOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

public sealed record EventExampleIn
{
    public string? EventType { get; init; }
    public int? ExampleIndex { get; init; }
}

public sealed record EmptyResponse;
