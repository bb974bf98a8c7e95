namespace Herald.Server.Storage;

/// <summary>What the health and readiness probes ask of storage.</summary>
public interface IHealthStore
{
    /// <summary>
    /// Writes and commits one tiny row (the time of the probe), as every write does: it fails as a publish would on a
    /// full disk, a read-only file system or a database that is down, where a read might still succeed.
    /// </summary>
    Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether every migration this build knows is applied to the database (readiness: <c>/health/ready</c>).</summary>
    Task<bool> MigrationsAppliedAsync(CancellationToken cancellationToken);
}
