using System.ComponentModel;
using Herald.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.EventTypes;

/// <summary>The query of <c>GET /event-type</c>.</summary>
internal sealed record EventTypeListQuery : PageQuery
{
    [FromQuery(Name = "include_archived"), Description("Include archived (deleted but not expunged) event types.")]
    public bool? IncludeArchived { get; init; }

    [FromQuery(Name = "with_content"), Description("Include each event type's schemas.")]
    public bool? WithContent { get; init; }
}
