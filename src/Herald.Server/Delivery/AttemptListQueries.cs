using System.ComponentModel;
using System.Globalization;
using Herald.Server.Api;
using Herald.Server.Messages;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Delivery;

/// <summary>Svix's status filters and <c>expanded_statuses</c>, shared by the attempt lists and an endpoint's message list.</summary>
internal abstract record DeliveryFilterQuery : MessageFilterQuery
{
    [FromQuery(Name = "status"), Description("Only this status: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled.")]
    public MessageStatus? Status { get; init; }

    [FromQuery(Name = "with_content"), Description("Include the content (attempt response bodies, message payloads); default true as Svix's server, Svix's v2 SDKs send false.")]
    public bool? WithContent { get; init; }

    [FromQuery(Name = "expanded_statuses"), Description("Show canceled (4) as such; without it a canceled status reads as success (0), as Svix does for older clients.")]
    public bool? ExpandedStatuses { get; init; }

    /// <summary>The status a client sees: canceled reads as success unless it asked for the expanded set (Svix's backward compatibility).</summary>
    public MessageStatus Shown(MessageStatus status) => status == MessageStatus.Canceled && ExpandedStatuses != true ? MessageStatus.Success : status;
}

/// <summary>The attempt filters common to both attempt lists.</summary>
internal abstract record AttemptFilterQuery : DeliveryFilterQuery
{
    [FromQuery(Name = "status_code_class"), Description("Only attempts whose HTTP status is in this class: 0 (no response), 100, 200, 300, 400 or 500.")]
    public int? StatusCodeClass { get; init; }
}

/// <summary>The query of <c>GET /app/{app_id}/attempt/endpoint/{endpoint_id}</c>.</summary>
internal sealed record AttemptsByEndpointQuery : AttemptFilterQuery
{
    [FromQuery(Name = "with_msg"), Description("Include each attempt's message (never its payload, as in Svix).")]
    public bool? WithMsg { get; init; }
}

/// <summary>The query of <c>GET /app/{app_id}/attempt/msg/{msg_id}</c>.</summary>
internal sealed record AttemptsByMessageQuery : AttemptFilterQuery
{
    [FromQuery(Name = "endpoint_id"), Description("Only attempts to this endpoint (id or uid).")]
    public string? EndpointId { get; init; }
}

/// <summary>The query of <c>GET /app/{app_id}/endpoint/{endpoint_id}/msg</c>.</summary>
internal sealed record EndpointMessagesQuery : DeliveryFilterQuery;

/// <summary>The raw-text rules of the typed delivery filters, applied before binding (see <see cref="QueryBindingCheck"/>).</summary>
internal static class DeliveryQueryRules
{
    public static readonly QueryRule Status = new("invalid_value", "must be 0 (success), 1 (pending), 2 (fail), 3 (sending) or 4 (canceled).",
        text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && Enum.IsDefined((MessageStatus)n));

    public static readonly QueryRule StatusCodeClass = new("invalid_value", "must be 0 (no response), 100, 200, 300, 400 or 500.",
        text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is 0 or 100 or 200 or 300 or 400 or 500);
}
