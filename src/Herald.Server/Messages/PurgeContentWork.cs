using System.Text.Json.Nodes;
using Herald.Server.BackgroundTasks;
using Herald.Server.Storage;

namespace Herald.Server.Messages;

/// <summary>
/// <c>application.purge_content</c> (expunge-all-contents): forgets the payload of every message of the application, in
/// small batches (each its own short transaction, so publishing is never blocked for long), reporting
/// <c>{"messagesPurged": n}</c> as Svix documents. It covers the messages published before it began, walked once in log
/// order (a batch reads at most <see cref="BatchSize"/> of them); running it again only finds what is left.
/// </summary>
internal sealed class PurgeContentWork(IBackgroundTaskStore store) : IBackgroundTaskWork
{
    private const int BatchSize = 500;

    public string Kind => BackgroundTaskKinds.PurgeContent;

    public async Task<JsonObject> RunAsync(BackgroundTask task, JsonObject input, TaskProgress progress, CancellationToken cancellationToken)
    {
        long purged = 0;
        var (after, through) = (0L, (long?)null); // From the log's start to its position when the first batch ran.
        ContentExpungeBatch batch;
        do
        {
            batch = await store.ExpungeApplicationContentBatchAsync(task.ApplicationId!, after, through, BatchSize, cancellationToken);
            (after, through) = (batch.LastWalked, batch.Through);
            if (batch.Expunged > 0)
            {
                purged += batch.Expunged;
                await progress.ReportAsync(new JsonObject { ["messagesPurged"] = purged }, cancellationToken);
            }
        }
        while (!batch.IsLast);

        return new JsonObject { ["messagesPurged"] = purged };
    }
}
