using Herald.Server.Diagnostics;

namespace Herald.Server.Delivery;

/// <summary>
/// The graceful stop (SIGTERM, Ctrl-C). The generic host stops hosted services in the reverse order of their
/// registration, and the web server is registered last (at <c>WebApplicationBuilder.Build</c>), so it would stop
/// listening first and refuse publishes for the whole drain. The drain therefore runs in
/// <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host calls on every such service before any
/// <c>StopAsync</c>: the server still accepts publishes while in-flight sends finish.
/// </summary>
/// <remarks>
/// In order: readiness goes 503 (<see cref="IHostApplicationLifetime.ApplicationStopping"/>); no new work is claimed,
/// and deliveries of messages published from now on are handed back to storage at once instead of being started;
/// sends under way get up to <see cref="DeliveryOptions.DrainTimeout"/> to finish and be recorded; sends still running
/// then are cut off; every delivery this node still holds is handed back. The host's
/// <see cref="HostOptions.ShutdownTimeout"/> is raised above the drain (DeliveryExtensions), so it never cuts the
/// drain short.
/// </remarks>
internal sealed partial class DeliveryDispatcher
{
    private readonly CancellationTokenSource _intake = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly Lock _drainLock = new();
    private Task? _drain;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        // On SIGTERM the lifetime has already fired ApplicationStopping; a host stopped in code (StopAsync) fires it only
        // after StoppingAsync. Firing it here (it fires once) makes readiness answer 503 before the drain either way.
        lifetime.StopApplication();
        return DrainAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task DrainAsync(CancellationToken cancellationToken)
    {
        lock (_drainLock)
        {
            return _drain ??= DrainOnceAsync(cancellationToken);
        }
    }

    private async Task DrainOnceAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        queue.Close();
        _intake.Cancel();
        if (ExecuteTask is { } loops)
        {
            // Claims no more once this returns: from here on, _running only shrinks. (A start-up failure was reported already.)
            await loops.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        LogDraining(logger, _running.Count, _options.DrainTimeout);
        var attempts = Task.WhenAll(_running.Keys);
        await Task.WhenAny(attempts, Task.Delay(_options.DrainTimeout, time, cancellationToken));
        var cutOff = _running.Count;
        _abandon.Cancel(); // Sends still running, and outcomes still waiting for storage, end now.
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _trigger.Dispose();

        try
        {
            await store.ReleaseLeasesAsync(node.Owner, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogHandBackFailed(logger, e); // They come back when their leases run out (SQLite: at the next start).
        }

        LogDrained(logger, time.GetElapsedTime(startedAt), cutOff);
    }

    [LoggerMessage(EventId = EventIds.Draining, Level = LogLevel.Information,
        Message = "Stopping: draining {Attempts} attempt(s) under way (up to {DrainTimeout}); new messages are stored and left for the next start")]
    private static partial void LogDraining(ILogger logger, int attempts, TimeSpan drainTimeout);

    [LoggerMessage(EventId = EventIds.Drained, Level = LogLevel.Information,
        Message = "Drained in {Duration}; {CutOff} send(s) still running were cut off and handed back with the rest")]
    private static partial void LogDrained(ILogger logger, TimeSpan duration, int cutOff);

    [LoggerMessage(EventId = EventIds.DrainHandBackFailed, Level = LogLevel.Warning,
        Message = "Could not hand back the deliveries this node holds; they are taken again when their leases run out")]
    private static partial void LogHandBackFailed(ILogger logger, Exception exception);
}
