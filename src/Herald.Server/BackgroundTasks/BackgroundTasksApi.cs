using Herald.Server.Api;
using Herald.Server.Auth;
using System.ComponentModel;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.BackgroundTasks;

/// <summary>
/// <c>/background-task</c>: the tasks that recover, replay, purge and statistics routes started, with their status and
/// result. Admin only, as in Svix (an organisation-level resource, outside <c>/app/{app_id}</c>), so an application
/// token can never see another application's tasks.
/// </summary>
internal static class BackgroundTasksApi
{
    public static RouteGroupBuilder MapBackgroundTasks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/background-task").WithTags("Background tasks")
            .AddEndpointFilter((context, next) =>
            {
                context.HttpContext.User.RequireAdmin();
                return next(context);
            });
        group.MapGet("/", ListAsync)
            .WithSummary("List background tasks.")
            .WithDescription("Newest first unless order=ascending. Filters: status (running, finished, failed) and task (a Svix task type). Admin only.");
        group.MapGet("/{task_id}", GetAsync)
            .WithSummary("Get a background task.")
            .WithDescription("Its status and data: progress while it runs, then its result (or data.error when it failed). Admin only.");
        return group;
    }

    private static async Task<Ok<ListResponse<BackgroundTaskOut>>> ListAsync([AsParameters] BackgroundTaskListQuery query, HttpContext context, IBackgroundTaskStore store)
    {
        var (status, task) = (query.Status, query.Task);
        var v = new Validator();
        if (status is not null && !BackgroundTaskStatuses.All.Contains(status))
        {
            v.Add("query.status", "invalid_value", "must be running, finished or failed.");
        }

        if (task is not null && !BackgroundTaskKinds.SvixTypes.Contains(task))
        {
            v.Add("query.task", "invalid_value", $"must be one of: {string.Join(", ", BackgroundTaskKinds.SvixTypes.Order(StringComparer.Ordinal))}.");
        }

        v.ThrowIfInvalid();
        var page = Paging.Parse(query, key => Ids.IsValid(BackgroundTaskQueue.IdPrefix, key), descendingByDefault: true);
        var result = await store.ListBackgroundTasksAsync(new BackgroundTaskFilter(status, task), page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, t => t.Id, BackgroundTaskOut.From));
    }

    private static async Task<Ok<BackgroundTaskOut>> GetAsync(string task_id, HttpContext context, IBackgroundTaskStore store) =>
        TypedResults.Ok(BackgroundTaskOut.From(
            await store.GetBackgroundTaskAsync(task_id, context.RequestAborted) ?? throw ApiException.NotFound("Background task")));
}

/// <summary>The query of <c>GET /background-task</c>: the page, and Svix's two filters.</summary>
internal sealed record BackgroundTaskListQuery : PageQuery
{
    [FromQuery(Name = "status"), Description("Only tasks in this status: `running`, `finished` or `failed`.")]
    public string? Status { get; init; }

    [FromQuery(Name = "task"), Description("Only tasks of this Svix task type (e.g. `endpoint.recover`, `endpoint.replay`).")]
    public string? Task { get; init; }
}
