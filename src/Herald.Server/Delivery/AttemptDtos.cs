using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>One delivery attempt of a message to an endpoint.</summary>
public sealed record MessageAttemptOut
{
    /// <summary>The attempt's id (`atmpt_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The message's id.</summary>
    public required string MsgId { get; init; }
    /// <summary>The endpoint's id.</summary>
    public required string EndpointId { get; init; }
    /// <summary>The URL the attempt was sent to.</summary>
    public required string Url { get; init; }
    /// <summary>The response body; empty when there was none or it was expunged.</summary>
    public required string Response { get; init; }
    /// <summary>The HTTP status of the answer; 0 when none came.</summary>
    public required int ResponseStatusCode { get; init; }
    /// <summary>How long the attempt took, in milliseconds.</summary>
    public required long ResponseDurationMs { get; init; }
    /// <summary>Delivery state as in Svix: 0 success, 1 pending, 2 fail, 3 sending; 4 canceled (payload expunged or expired before an attempt) only with expanded_statuses=true, else shown as 0.</summary>
    public required MessageStatus Status { get; init; }
    /// <summary>`status` as text: success, pending, fail or sending.</summary>
    public required string StatusText { get; init; }
    /// <summary>0: scheduled (a retry or the first try); 1: manual (a resend or replay).</summary>
    public required AttemptTrigger TriggerType { get; init; }
    /// <summary>When the attempt was made.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Herald's addition: why an attempt without an HTTP answer failed (refused address, timeout …).</summary>
    public string? Error { get; init; }
    /// <summary>The message, when asked for with with_msg=true.</summary>
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

/// <summary>An endpoint a message was routed to, with the state of its delivery.</summary>
public sealed record MessageEndpointOut
{
    /// <summary>The endpoint's id (`ep_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The endpoint's optional unique id, usable in place of its id.</summary>
    public string? Uid { get; init; }
    /// <summary>Where webhooks are POSTed.</summary>
    public required string Url { get; init; }
    /// <summary>Free text; empty when none was given.</summary>
    public required string Description { get; init; }
    /// <summary>At most this many webhooks per second to this endpoint; null: no limit.</summary>
    public int? ThrottleRate { get; init; }
    /// <summary>True when the endpoint receives nothing.</summary>
    public required bool Disabled { get; init; }
    /// <summary>Event types the endpoint receives; null: all.</summary>
    public IReadOnlyList<string>? EventTypes { get; init; }
    /// <summary>Channels the endpoint receives; null: all.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>Delivery state as in Svix: 0 success, 1 pending, 2 fail, 3 sending; 4 canceled (payload expunged or expired before an attempt) only with expanded_statuses=true, else shown as 0.</summary>
    public required MessageStatus Status { get; init; }
    /// <summary>`status` as text: success, pending, fail or sending.</summary>
    public required string StatusText { get; init; }
    /// <summary>When the next attempt is due; null when none is.</summary>
    public DateTimeOffset? NextAttempt { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was last changed.</summary>
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

/// <summary>A message routed to an endpoint, with the state of its delivery there.</summary>
public sealed record EndpointMessageOut
{
    /// <summary>The message's id (`msg_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The publisher's own unique id for the message, if it gave one; GET /msg/{msg_id} also finds the message by it.</summary>
    public string? EventId { get; init; }
    /// <summary>The event type the message was published with.</summary>
    public required string EventType { get; init; }
    /// <summary>The JSON payload; `{}` when it was expunged, past its retention, or not asked for (`with_content=false`).</summary>
    public required RawJson Payload { get; init; }
    /// <summary>The message's channels; only endpoints subscribed to one of them (or to none) get it.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>The message's tags (filterable in lists).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>When the message was published.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>Delivery state as in Svix: 0 success, 1 pending, 2 fail, 3 sending; 4 canceled (payload expunged or expired before an attempt) only with expanded_statuses=true, else shown as 0.</summary>
    public required MessageStatus Status { get; init; }
    /// <summary>`status` as text: success, pending, fail or sending.</summary>
    public required string StatusText { get; init; }
    /// <summary>When the next attempt is due; null when none is.</summary>
    public DateTimeOffset? NextAttempt { get; init; }
    /// <summary>When the message was scheduled for (`deliverAt` of publish); null when it was sent at once.</summary>
    public DateTimeOffset? DeliverAt { get; init; }

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
            DeliverAt = message.DeliverAt,
        };
    }
}

/// <summary>Counts of the endpoint's deliveries by state.</summary>
/// <param name="Success">Delivered.</param>
/// <param name="Pending">Waiting for an attempt or a retry.</param>
/// <param name="Sending">Being attempted now.</param>
/// <param name="Fail">Failed for good.</param>
/// <param name="Canceled">Canceled before an attempt (the payload was expunged or expired).</param>
public sealed record EndpointStats(long Success, long Pending, long Sending, long Fail, long Canceled)
{
    /// <summary>
    /// Attempts this node may have in flight to the endpoint now: its adaptive concurrency limit (Herald's own field,
    /// see DELIVERY.md). It grows while the endpoint answers quickly and halves on timeouts, 5xx and 429.
    /// </summary>
    public int? ConcurrencyLimit { get; init; }
}

/// <summary>Body of endpoint recover.</summary>
public sealed record RecoverIn
{
    /// <summary>Start of the window (required): failed deliveries from this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>End of the window (exclusive); now when not given.</summary>
    public DateTimeOffset? Until { get; init; }
}

/// <summary>The started recover task (Svix's RecoverOut).</summary>
/// <param name="Id">The task's id (`qtask_…`); read its progress with GET /background-task/{task_id}.</param>
/// <param name="Status">`running`, `finished` or `failed`.</param>
/// <param name="Task">The task type, as Svix names it (e.g. `endpoint.replay`).</param>
/// <param name="UpdatedAt">When the task last changed.</param>
public sealed record RecoverOut(string Id, string Status, string Task, DateTimeOffset UpdatedAt);

/// <summary>Body of send-example.</summary>
public sealed record EventExampleIn
{
    /// <summary>The event type whose example to send (required).</summary>
    public string? EventType { get; init; }
    /// <summary>Which example of its schema to send, 0–1000 (default 0).</summary>
    public int? ExampleIndex { get; init; }
}

public sealed record EmptyResponse;
