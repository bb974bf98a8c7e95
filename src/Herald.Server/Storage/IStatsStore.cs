namespace Herald.Server.Storage;

/// <summary>
/// One count of <see cref="IStatsStore.CountAttemptOutcomesAsync"/>: in time bucket <paramref name="Bucket"/> (0 when
/// not bucketed), for messages of <paramref name="EventType"/>, how many attempts succeeded, failed, and how many
/// deliveries were canceled.
/// </summary>
public sealed record AttemptOutcomeCount(long Bucket, string EventType, long Success, long Failure, long Canceled);

/// <summary>Statistics computed from the rows Herald keeps (so they cover the history retention window, no more).</summary>
public interface IStatsStore
{
    /// <summary>
    /// Customer applications with at least one endpoint that counts: enabled (unless <paramref name="includeDisabled"/>)
    /// and whose URL's host is not <paramref name="excludeHost"/>.
    /// </summary>
    Task<long> CountActiveApplicationsAsync(bool includeDisabled, string? excludeHost, CancellationToken cancellationToken);

    /// <summary>
    /// Per event type (and per <paramref name="bucket"/>-long slice of the window counted from <paramref name="since"/>,
    /// when given): the application's attempts made in [since, until) that succeeded and that failed, and its deliveries
    /// created in the window that were canceled (payload expired or expunged before they were sent). Only messages of
    /// <paramref name="eventTypes"/> when given. Rows with nothing to count are left out.
    /// </summary>
    Task<IReadOnlyList<AttemptOutcomeCount>> CountAttemptOutcomesAsync(
        string applicationId, DateTimeOffset since, DateTimeOffset until, IReadOnlyList<string>? eventTypes, TimeSpan? bucket, CancellationToken cancellationToken);
}
