using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Storage;

namespace Herald.Server.Messages;

/// <summary>
/// Forgetting payloads in bulk: the payloads of listed messages (answered at once), or of every message of an
/// application (a background task). Metadata, attempts and the order of the log stay; a message without its payload
/// cannot be resent or replayed, and its pending deliveries are canceled, as with single expunge.
/// </summary>
internal static class ExpungeApi
{
    /// <summary>Svix documents no bound; Herald answers within the request, so it takes at most this many ids at once.</summary>
    public const int MaxBulkIds = 1000;

    public static RouteGroupBuilder MapExpunge(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/msg").WithTags("Messages");
        group.MapPost("/bulk-expunge", BulkExpungeAsync).Accepts<BulkExpungeContentsIn>("application/json")
            .WithSummary("Delete the payloads of the given messages.")
            .WithDescription($"ids: message ids or eventIds of this application (at most {MaxBulkIds}). results says, per id as given, expunged or not-found. "
                + "A message can't be resent or replayed once its payload is deleted.");
        group.MapPost("/expunge-all-contents", ExpungeAllAsync)
            .WithSummary("Delete every message payload of the application (a background task).")
            .WithDescription("Starts an application.purge_content task; when finished its data.messagesPurged says how many payloads were deleted. "
                + "Messages published after the task ends keep theirs.");
        return group;
    }

    private static async Task<Ok<BulkExpungeContentsOut>> BulkExpungeAsync(CurrentApplication app, HttpContext context, IMessageStore store)
    {
        var application = app.Value;
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.BulkExpungeContentsIn, context.RequestAborted);
        var ids = body.Value.Ids ?? [];
        var v = new Validator();
        if (ids.Count > MaxBulkIds)
        {
            v.Add("body.ids", "too_many", $"may hold at most {MaxBulkIds} ids; send several requests.");
        }

        for (var i = 0; i < ids.Count && i < MaxBulkIds; i++)
        {
            v.Identifier($"body.ids.{i}", ids[i], required: true);
        }

        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            v.Add("body.ids", "not_unique", "must not repeat an id.");
        }

        v.ThrowIfInvalid();
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var message = await store.GetMessageAsync(application.Id, id, context.RequestAborted);
            results[id] = message is not null && await store.ExpungeMessageContentAsync(application.Id, message.Id, CancellationToken.None)
                ? "expunged"
                : "not-found";
        }

        return TypedResults.Ok(new BulkExpungeContentsOut(results));
    }

    private static async Task<Accepted<ExpungeAllContentsOut>> ExpungeAllAsync(CurrentApplication app, HttpContext context, IMessageStore store, BackgroundTaskQueue tasks)
    {
        var application = app.Value;
        var task = await tasks.StartAsync(BackgroundTaskKinds.PurgeContent, application.Id, new JsonObject(), CancellationToken.None);
        return TypedResults.Accepted((string?)null, new ExpungeAllContentsOut(task.Id, task.Status, task.Kind, task.UpdatedAt));
    }
}

/// <summary>Svix's BulkExpungeContentsIn.</summary>
public sealed record BulkExpungeContentsIn
{
    /// <summary>Message ids or eventIds of this application whose payloads to delete.</summary>
    public IReadOnlyList<string>? Ids { get; init; }
}

/// <summary>Svix's BulkExpungeContentsOut: per id as given, <c>expunged</c> or <c>not-found</c>.</summary>
/// <param name="Results">Per id as given: `expunged` or `not-found`.</param>
public sealed record BulkExpungeContentsOut(IReadOnlyDictionary<string, string> Results);
