using System.Text.Json.Nodes;
using Herald.Server.BackgroundTasks;
using Herald.Server.Storage;

namespace Herald.Server.Messages;

/// <summary>
/// <c>application.purge_content</c> (expunge-all-contents): forgets the payload of every message of the application, in
/// small batches (each its own short transaction, so publishing is never blocked for long), reporting
/// <c>{"messagesPurged": n}</c> as Svix documents. Running it again only finds what is left.
/// </summary>
internal sealed class PurgeContentWork(IBackgroundTaskStore store) : IBackgroundTaskWork
{
    private const int BatchSize = 500;

    public string Kind => BackgroundTaskKinds.PurgeContent;

    public async Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken)
    {
        long purged = 0;
        int count;
        while ((count = await store.ExpungeApplicationContentBatchAsync(task.ApplicationId!, BatchSize, cancellationToken)) > 0)
        {
            purged += count;
            await progress.ReportAsync(new JsonObject { ["messagesPurged"] = purged }, cancellationToken);
        }

        return new JsonObject { ["messagesPurged"] = purged };
    }
}
