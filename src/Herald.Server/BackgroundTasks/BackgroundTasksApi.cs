using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

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

    private static async Task<Ok<ListResponse<BackgroundTaskOut>>> ListAsync(HttpContext context, IHeraldStore store, string? status, string? task)
    {
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
        var page = Paging.Parse(context.Request, key => Ids.IsValid(BackgroundTaskQueue.IdPrefix, key), descendingByDefault: true);
        var result = await store.ListBackgroundTasksAsync(new BackgroundTaskFilter(status, task), page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, t => t.Id, BackgroundTaskOut.From));
    }

    private static async Task<Ok<BackgroundTaskOut>> GetAsync(string task_id, HttpContext context, IHeraldStore store) =>
        TypedResults.Ok(BackgroundTaskOut.From(
            await store.GetBackgroundTaskAsync(task_id, context.RequestAborted) ?? throw ApiException.NotFound("Background task")));
}
