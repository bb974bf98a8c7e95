using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Polling;

/// <summary>What every poller read takes: position, and the endpoint's filters narrowed.</summary>
internal abstract record PollerReadQuery
{
    [FromQuery(Name = "iterator"), Description("Continue after this position (the `iterator` of a prior answer).")]
    public string? Iterator { get; init; }

    [FromQuery(Name = "event_type"), Description("Only messages of this event type (narrows the polling endpoint's own filter).")]
    public string? EventType { get; init; }

    [FromQuery(Name = "channel"), Description("Only messages on this channel (narrows the polling endpoint's own filter).")]
    public string? Channel { get; init; }
}

/// <summary>The query of <c>GET /app/{app_id}/poller/{sink_id}</c>.</summary>
internal sealed record PollQuery : PollerReadQuery
{
    [FromQuery(Name = "limit"), Description("How many messages to return: 1 to 250, default 50.")]
    public int? Limit { get; init; }

    [FromQuery(Name = "after"), Description("Without an iterator, start with the first message after this instant (ISO 8601).")]
    public DateTimeOffset? After { get; init; }

    [FromQuery(Name = "wait"), Description("Herald's addition: hold the request until a message arrives, up to this long (30s, 500ms; at most 60 s).")]
    public string? Wait { get; init; }
}

/// <summary>
/// The query of <c>GET /app/{app_id}/poller/{sink_id}/stream</c>: no wait (the stream stays open) and no limit (it sends every
/// message); Last-Event-ID wins over iterator.
/// </summary>
internal sealed record StreamQuery : PollerReadQuery
{
    [FromQuery(Name = "after"), Description("Without an iterator or Last-Event-ID, start with the first message after this instant (ISO 8601).")]
    public DateTimeOffset? After { get; init; }
}

/// <summary>The query of <c>GET /app/{app_id}/poller/{sink_id}/consumer/{consumer_id}</c>; its iterator is committed first.</summary>
internal sealed record ConsumerPollQuery : PollerReadQuery
{
    [FromQuery(Name = "limit"), Description("How many messages to return: 1 to 250, default 50.")]
    public int? Limit { get; init; }

    [FromQuery(Name = "wait"), Description("Herald's addition: hold the request until a message arrives, up to this long (30s, 500ms; at most 60 s).")]
    public string? Wait { get; init; }
}
