using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Storage;

namespace Herald.Server.Stats;

/// <summary>
/// <c>/stats/usage/…</c>: organisation-wide aggregates, computed as background tasks whose <c>data</c> carries the
/// result (as in Svix: poll <c>GET /background-task/{id}</c>), and <c>/stats/…</c> counts answered at once. Admin only
/// (<see cref="AdminOnly"/>, so an application token gets 403 before its body is read).
/// </summary>
internal static class StatisticsApi
{
    /// <summary>Svix limits an app-stats window; Herald counts from its own tables, so any window up to a year is accepted.</summary>
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    public static RouteGroupBuilder MapStatistics(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/stats/usage").WithTags("Statistics").RequireAdmin();
        group.MapPost("/app", AggregateAppStatsAsync).Accepts<AppUsageStatsIn>("application/json")
            .WithSummary("Count message destinations per application (a background task).")
            .WithDescription("Starts an application.stats task that counts, per application, the deliveries (message × endpoint) created in [since, until). "
                + "appIds narrows it to some applications (ids or uids); those not found are listed in unresolvedAppIds, and a 422 answers when none is found.");
        group.MapPut("/event-types", AggregateEventTypesAsync)
            .WithSummary("List the event types each application's endpoints subscribe to (a background task).")
            .WithDescription("Starts an event-type.aggregate task; its data.event_types lists, per application, the event types named by its endpoints and whether one endpoint takes every type.");
        var stats = api.MapGroup("/stats").WithTags("Statistics").RequireAdmin();
        stats.MapGet("/endpoint/count", CountEndpointsAsync)
            .WithSummary("Count the enabled and disabled endpoints of every application.")
            .WithDescription("active: enabled endpoints; disabled: the others. exclude_svix_play (default true, as Svix documents) leaves out endpoints whose host is play.svix.com. Admin only.");
        api.MapAttemptStatistics(stats);
        return group;
    }

    private static async Task<Ok<EndpointCountOut>> CountEndpointsAsync(IBackgroundTaskStore store, HttpContext context, [Description("true (default) leaves out endpoints whose URL host is play.svix.com; false counts them.")] bool? exclude_svix_play)
    {
        var (active, disabled) = await store.CountEndpointsAsync(exclude_svix_play == false ? null : "play.svix.com", context.RequestAborted);
        return TypedResults.Ok(new EndpointCountOut(active, disabled));
    }

    private static async Task<Accepted<AppUsageStatsOut>> AggregateAppStatsAsync(HttpContext context, IApplicationStore store, BackgroundTaskQueue tasks)
    {
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.AppUsageStatsIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (v.Required("body.since", input.Since) & v.Required("body.until", input.Until))
        {
            if (input.Until <= input.Since)
            {
                v.Add("body.until", "invalid_value", "must be after since.");
            }
            else if (input.Until - input.Since > MaxWindow)
            {
                v.Add("body.until", "out_of_range", "the window may span at most 366 days.");
            }
        }

        v.ThrowIfInvalid();
        var resolved = new List<string>();
        var unresolved = new List<string>();
        foreach (var idOrUid in (input.AppIds ?? []).Distinct(StringComparer.Ordinal))
        {
            if (await store.GetApplicationAsync(idOrUid, context.RequestAborted) is { } application)
            {
                resolved.Add(application.Id);
            }
            else
            {
                unresolved.Add(idOrUid);
            }
        }

        if (input.AppIds is { Count: > 0 } && resolved.Count == 0)
        {
            throw ApiException.Invalid("body.appIds", "not_found", "none of these applications exists.");
        }

        var task = await tasks.StartAsync(BackgroundTaskKinds.ApplicationStats, null, new JsonObject
        {
            ["since"] = input.Since!.Value,
            ["until"] = input.Until!.Value,
            ["appIds"] = input.AppIds is null ? null : new JsonArray([.. resolved.Select(id => (JsonNode)id)]),
        }, CancellationToken.None);
        return TypedResults.Accepted((string?)null, new AppUsageStatsOut(task.Id, task.Status, task.Kind, task.UpdatedAt, unresolved));
    }

    private static async Task<Accepted<AggregateEventTypesOut>> AggregateEventTypesAsync(BackgroundTaskQueue tasks)
    {
        var task = await tasks.StartAsync(BackgroundTaskKinds.EventTypeAggregate, null, new JsonObject(), CancellationToken.None);
        return TypedResults.Accepted((string?)null, new AggregateEventTypesOut(task.Id, task.Status, task.Kind, task.UpdatedAt));
    }

    /// <summary>Every customer application, page by page.</summary>
    public static async IAsyncEnumerable<Application> AllApplicationsAsync(IApplicationStore store, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        Page<Application> page;
        do
        {
            page = await store.ListApplicationsAsync(new ApplicationFilter(), new PageRequest(250, after, Backward: false, Descending: false), cancellationToken);
            foreach (var application in page.Items)
            {
                yield return application;
            }

            after = page.Items.Count > 0 ? page.Items[^1].Id : after;
        }
        while (page.HasMore);
    }
}
