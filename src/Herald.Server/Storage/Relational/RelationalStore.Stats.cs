using Dapper;

namespace Herald.Server.Storage.Relational;

internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
{
    /// <summary>The number of the bucket of <c>@bucketMs</c> milliseconds, counted from <c>@since</c>, that the time <paramref name="column"/> falls in.</summary>
    protected abstract string Bucket(string column);

    /// <summary>The aggregate "how many rows of the group <paramref name="condition"/> holds for", as a 64-bit integer.</summary>
    protected abstract string CountWhere(string condition);

    /// <summary>Ids sort by creation time, so a window of ids bounds a scan by the primary key; this much later covers an id made after its row's time.</summary>
    private static readonly TimeSpan IdSlack = TimeSpan.FromHours(1);

    public Task<long> CountActiveApplicationsAsync(bool includeDisabled, string? excludeHost, CancellationToken cancellationToken) =>
        ReadAsync(async c =>
        {
            var rows = await c.QueryAsync<(string AppId, string Url)>(
                "SELECT e.app_id, e.url FROM endpoints e JOIN applications a ON a.id = e.app_id WHERE NOT a.internal AND (@includeDisabled OR NOT e.disabled)",
                new { includeDisabled });
            // The host test is done on the parsed URL, as in CountEndpointsAsync.
            return (long)rows.Where(r => excludeHost is null || !Uri.TryCreate(r.Url, UriKind.Absolute, out var url)
                || !url.Host.Equals(excludeHost, StringComparison.OrdinalIgnoreCase)).Select(r => r.AppId).Distinct(StringComparer.Ordinal).Count();
        }, cancellationToken);

    public Task<IReadOnlyList<AttemptOutcomeCount>> CountAttemptOutcomesAsync(
        string applicationId, DateTimeOffset since, DateTimeOffset until, IReadOnlyList<string>? eventTypes, TimeSpan? bucket, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<AttemptOutcomeCount>>(async c =>
        {
            var types = eventTypes is { Count: > 0 } ? $" AND {In("m.event_type", "@eventTypes")}" : "";
            var rows = await c.QueryAsync<(long Bucket, string EventType, long Success, long Failure, long Canceled)>(
                $"""
                SELECT {Bucket("a.created_at")}, m.event_type, {CountWhere("a.status = 0")}, {CountWhere("a.status <> 0")}, CAST(0 AS bigint)
                FROM attempts a JOIN messages m ON m.id = a.message_id
                WHERE a.app_id = @applicationId AND a.id >= @attemptFrom AND a.id < @attemptTo
                  AND a.created_at >= @since AND a.created_at < @until{types}
                GROUP BY 1, 2
                UNION ALL
                SELECT {Bucket("d.created_at")}, m.event_type, CAST(0 AS bigint), CAST(0 AS bigint), COUNT(*)
                FROM deliveries d JOIN messages m ON m.id = d.message_id
                WHERE d.id >= @deliveryFrom AND d.id < @deliveryTo AND d.app_id = @applicationId AND d.status = 4
                  AND d.created_at >= @since AND d.created_at < @until{types}
                GROUP BY 1, 2
                """,
                new
                {
                    applicationId,
                    since = ToArg(since),
                    until = ToArg(until),
                    bucketMs = (long)(bucket ?? (until - since + TimeSpan.FromMilliseconds(1))).TotalMilliseconds,
                    attemptFrom = Ids.Floor(Ids.Attempt, since),
                    attemptTo = Ids.Floor(Ids.Attempt, until + IdSlack),
                    deliveryFrom = Ids.Floor(Ids.Delivery, since),
                    deliveryTo = Ids.Floor(Ids.Delivery, until + IdSlack),
                    eventTypes = ListArg(eventTypes),
                });
            return rows.Select(r => new AttemptOutcomeCount(r.Bucket, r.EventType, r.Success, r.Failure, r.Canceled)).ToList();
        }, cancellationToken);
}
