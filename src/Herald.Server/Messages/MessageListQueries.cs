using System.ComponentModel;
using Herald.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Messages;

/// <summary>The message filters Svix offers on every list of messages or attempts: event types, channel, tag, time window.</summary>
internal abstract record MessageFilterQuery : PageQuery
{
    [FromQuery(Name = "event_types"), Description("Only messages of these event types (repeat the parameter or separate with commas).")]
    public string[]? EventTypes { get; init; }

    [FromQuery(Name = "channel"), Description("Only messages published on this channel.")]
    public string? Channel { get; init; }

    [FromQuery(Name = "tag"), Description("Only messages carrying this tag.")]
    public string? Tag { get; init; }

    [FromQuery(Name = "before"), Description("Only items created before this instant (ISO 8601 date-time).")]
    public DateTimeOffset? Before { get; init; }

    [FromQuery(Name = "after"), Description("Only items created after this instant (ISO 8601 date-time).")]
    public DateTimeOffset? After { get; init; }

    /// <summary>The filter, after checking the names; problems go to <paramref name="v"/>.</summary>
    public MessageFilter ToFilter(Validator v)
    {
        // The SDK joins arrays with commas; repeated parameters work too.
        var eventTypes = (EventTypes ?? []).SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var channel = Channel is { Length: > 0 } ? Channel : null;
        var tag = Tag is { Length: > 0 } ? Tag : null;
        v.Names("query.event_types", eventTypes, 256)
            .Channels("query.channel", channel is null ? null : [channel])
            .Identifier("query.tag", tag);
        return new MessageFilter(eventTypes.Count > 0 ? eventTypes : null, channel, tag, Before, After);
    }
}

/// <summary>The query of <c>GET /app/{app_id}/msg</c>.</summary>
internal sealed record MessageListQuery : MessageFilterQuery
{
    [FromQuery(Name = "with_content"), Description("Include each message's payload (default true, as Svix's server; Svix's v2 SDKs send false).")]
    public bool? WithContent { get; init; }
}
