using Herald.Server.Delivery;
using Herald.Server.Messages;
using Herald.Server.Stats;

namespace Herald.Server.BackgroundTasks;

internal static class BackgroundTasksExtensions
{
    /// <summary>The task queue, the runner, and the work of every task kind Herald runs.</summary>
    public static IHostApplicationBuilder AddHeraldBackgroundTasks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BackgroundTaskQueue>();
        foreach (var kind in new[] { BackgroundTaskKinds.EndpointRecover, BackgroundTaskKinds.EndpointReplay, BackgroundTaskKinds.EndpointBulkReplay })
        {
            builder.Services.AddSingleton<IBackgroundTaskWork>(sp => ActivatorUtilities.CreateInstance<EndpointReplayWork>(sp, kind));
        }

        builder.Services.AddSingleton<IBackgroundTaskWork, PurgeContentWork>();
        builder.Services.AddSingleton<IBackgroundTaskWork, ApplicationStatsWork>();
        builder.Services.AddSingleton<IBackgroundTaskWork, EventTypeAggregateWork>();
        builder.Services.AddHostedService<BackgroundTaskRunner>();
        return builder;
    }
}
