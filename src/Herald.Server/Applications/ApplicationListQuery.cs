using System.ComponentModel;
using Herald.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Applications;

/// <summary>The query of <c>GET /app</c>: Svix's <c>exclude_apps_with_*</c> filters (see <see cref="ApplicationFilter"/>).</summary>
internal sealed record ApplicationListQuery : PageQuery
{
    [FromQuery(Name = "exclude_apps_with_no_endpoints"), Description("Leave out applications that have no endpoints.")]
    public bool? ExcludeAppsWithNoEndpoints { get; init; }

    [FromQuery(Name = "exclude_apps_with_disabled_endpoints"), Description("Leave out applications whose endpoints are all disabled.")]
    public bool? ExcludeAppsWithDisabledEndpoints { get; init; }

    [FromQuery(Name = "exclude_apps_with_svix_play_endpoints"), Description("Leave out applications whose endpoints all point at Svix Play (https://play.svix.com/).")]
    public bool? ExcludeAppsWithSvixPlayEndpoints { get; init; }
}
