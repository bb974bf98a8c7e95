using System.Text.Json.Serialization;

namespace Herald.Server.Stats;

/// <summary>Svix's ActiveAppCount.</summary>
/// <param name="Count">Applications with at least one endpoint that counts (see the route's parameters).</param>
public sealed record ActiveAppCount(long Count);

/// <summary>Svix's AppAttemptEventTypeStats: one event type's outcomes in the window.</summary>
/// <param name="Success">Attempts that succeeded (2xx).</param>
/// <param name="Failure">Attempts that failed.</param>
/// <param name="Canceled">Deliveries Herald canceled before sending them (payload expired or expunged).</param>
public sealed record AppAttemptEventTypeStats(long Success, long Failure, long Canceled);

/// <summary>Svix's AppAttemptStatsOut (its field names are snake_case, as Svix's).</summary>
public sealed record AppAttemptStatsOut
{
    /// <summary>The outcomes per event type, for the event types that had any.</summary>
    [JsonPropertyName("by_event_type")]
    public required IReadOnlyDictionary<string, AppAttemptEventTypeStats> ByEventType { get; init; }

    /// <summary>Attempts that succeeded, over every event type.</summary>
    [JsonPropertyName("total_success")]
    public required long TotalSuccess { get; init; }

    /// <summary>Attempts that failed, over every event type.</summary>
    [JsonPropertyName("total_failure")]
    public required long TotalFailure { get; init; }

    /// <summary>Deliveries canceled before they were sent, over every event type.</summary>
    [JsonPropertyName("total_canceled")]
    public required long TotalCanceled { get; init; }

    /// <summary>Start of the window (inclusive), as asked.</summary>
    [JsonPropertyName("since")]
    public required DateTimeOffset Since { get; init; }

    /// <summary>End of the window (exclusive), as asked.</summary>
    [JsonPropertyName("until")]
    public required DateTimeOffset Until { get; init; }
}

/// <summary>Svix's StatisticsPeriod: the length of one data point.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StatisticsPeriod>))]
public enum StatisticsPeriod
{
    /// <summary>One day (UTC midnight to midnight).</summary>
    OneDay,

    /// <summary>One hour.</summary>
    OneHour,

    /// <summary>Five minutes.</summary>
    FiveMinutes,
}

/// <summary>Svix's AttemptStatisticsData: one number per period of the window, oldest first.</summary>
/// <param name="SuccessCount">Attempts that succeeded, per period.</param>
/// <param name="FailureCount">Attempts that failed, per period.</param>
/// <param name="CanceledCount">Deliveries created in the period that Herald canceled before sending them, per period.</param>
public sealed record AttemptStatisticsData(IReadOnlyList<long> SuccessCount, IReadOnlyList<long> FailureCount, IReadOnlyList<long> CanceledCount);

/// <summary>Svix's AttemptStatisticsResponse.</summary>
/// <param name="StartDate">Start of the first period (the asked startDate, rounded down to a whole period).</param>
/// <param name="EndDate">End of the last period (the asked endDate, rounded up to a whole period).</param>
/// <param name="Period">The length of each period.</param>
/// <param name="Data">The counts, one per period.</param>
public sealed record AttemptStatisticsResponse(DateTimeOffset StartDate, DateTimeOffset EndDate, StatisticsPeriod Period, AttemptStatisticsData Data);
