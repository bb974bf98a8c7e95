using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Health;

/// <summary>
/// The answer of the health and readiness routes: <c>stopping</c> once the host is shutting down (so load balancers
/// stop routing here before it stops serving), else the outcome of a write probe (<see cref="IHealthStore.ProbeWriteAsync"/>):
/// <c>ok</c>, <c>storage_full</c> or <c>storage_unavailable</c>. Probes are shared: at most one runs at a time and one
/// starts at most every <see cref="ProbeInterval"/>; callers in between get the last outcome, so a load balancer
/// polling hard costs the database one tiny write a second. A probe that fails is run again at the next check after
/// the interval, so health turns 200 again by itself once storage recovers.
/// </summary>
internal sealed partial class HealthCheck(IHealthStore store, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<HealthCheck> logger)
{
    public const string Ok = "ok";
    public const string Stopping = "stopping";
    public const string StorageFull = "storage_full";
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>The least time between the starts of two probes.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>A probe that takes longer counts as <c>storage_unavailable</c> (a load balancer's check times out at a few seconds).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private Task<string>? _probe;
    private DateTimeOffset _probeStarted;
    private string _last = Ok;

    /// <summary>The status to report now; never throws for a storage failure.</summary>
    public async Task<string> StatusAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Stopping;
        }

        Task<string> probe;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_probe is null || (_probe.IsCompleted && now - _probeStarted >= ProbeInterval))
            {
                _probeStarted = now;
                _probe = ProbeAsync(now);
            }

            probe = _probe;
        }

        // The probe is shared: one caller giving up does not cancel it for the others.
        return await probe.WaitAsync(cancellationToken);
    }

    private async Task<string> ProbeAsync(DateTimeOffset now)
    {
        string status;
        Exception? failure = null;
        try
        {
            await store.ProbeWriteAsync(now, lifetime.ApplicationStopping).WaitAsync(ProbeTimeout, time);
            status = Ok;
        }
#pragma warning disable CA1031 // Any failure of the probe means this node should not take writes; it is logged below.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
            status = StorageFailure.Classify(e) == StorageFailureKind.Full ? StorageFull : StorageUnavailable;
        }

        var previous = Interlocked.Exchange(ref _last, status);
        if (status != previous)
        {
            if (failure is null)
            {
                LogRecovered(logger, previous);
            }
            else
            {
                LogProbeFailed(logger, status, failure);
            }
        }

        return status;
    }

    [LoggerMessage(EventId = EventIds.HealthProbeFailed, Level = LogLevel.Warning, Message = "Health: the storage write probe failed; reporting {Status} until a probe succeeds")]
    private static partial void LogProbeFailed(ILogger logger, string status, Exception exception);

    [LoggerMessage(EventId = EventIds.HealthProbeRecovered, Level = LogLevel.Information, Message = "Health: the storage write probe succeeds again (was {Previous})")]
    private static partial void LogRecovered(ILogger logger, string previous);
}
