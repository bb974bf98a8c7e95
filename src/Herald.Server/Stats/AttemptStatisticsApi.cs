using System.ComponentModel;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Stats;

/// <summary>
/// Svix's attempt statistics, counted from the attempt and delivery rows Herald keeps: a window older than
/// <c>Herald:Retention:HistoryRetention</c> counts nothing (those rows were deleted). Success and failure are attempts
/// (one per HTTP try, retries included); canceled are deliveries Herald canceled before sending them, because their
/// payload expired or was expunged.
/// </summary>
internal static class AttemptStatisticsApi
{
    /// <summary>The longest window counted at once (a year, as POST /stats/usage/app): each call reads the window's rows.</summary>
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    /// <summary>The most data points of one time series.</summary>
    private const int MaxPoints = 1000;

    /// <summary>Without startDate, a time series covers this many periods before endDate.</summary>
    private const int DefaultPoints = 30;

    public static void MapAttemptStatistics(this RouteGroupBuilder api, RouteGroupBuilder stats)
    {
        api.MapGet("/app/stats/count-active", CountActiveAsync).WithTags("Statistics").RequireAdmin()
            .WithSummary("Count the applications that have at least one active endpoint.")
            .WithDescription("An endpoint counts unless it is disabled (exclude_disabled, default true) or points to play.svix.com "
                + "(exclude_svix_play, default true). Admin only.");
        api.MapGet("/app/{app_id}/stats/attempts", AppAttemptsAsync).WithTags("Statistics")
            .WithSummary("Count an application's attempts in a window: succeeded, failed, canceled, per event type.")
            .WithDescription("since and until (required, until after since, at most 366 days apart) bound the window [since, until). "
                + "Counts come from the attempts Herald keeps, so a window older than Herald:Retention:HistoryRetention counts nothing. "
                + "Success and failure count attempts (retries included); canceled counts deliveries created in the window that Herald canceled "
                + "before sending them (payload expired or expunged).");
        stats.MapGet("/app/{app_id}/attempt", AttemptTimeSeriesAsync)
            .WithSummary("An application's attempts per day, hour or five minutes: succeeded, failed, canceled.")
            .WithDescription("The window [startDate, endDate) is widened to whole periods (UTC); endDate defaults to now and startDate to "
                + $"{DefaultPoints} periods before endDate; at most {MaxPoints} periods. Counted as GET /app/{{app_id}}/stats/attempts. Admin only.");
    }

    private static async Task<Ok<ActiveAppCount>> CountActiveAsync(
        IStatsStore store, HttpContext context,
        [Description("true (default) leaves out endpoints whose URL host is play.svix.com.")] bool? exclude_svix_play,
        [Description("true (default) counts only enabled endpoints; false counts every endpoint.")] bool? exclude_disabled)
    {
        var count = await store.CountActiveApplicationsAsync(
            includeDisabled: exclude_disabled == false, exclude_svix_play == false ? null : "play.svix.com", context.RequestAborted);
        return TypedResults.Ok(new ActiveAppCount(count));
    }

    private static async Task<Ok<AppAttemptStatsOut>> AppAttemptsAsync(
        CurrentApplication app, IStatsStore store, HttpContext context,
        [Description("Start of the window (inclusive, required; ISO 8601 date-time).")] DateTimeOffset? since,
        [Description("End of the window (exclusive, required; ISO 8601 date-time).")] DateTimeOffset? until,
        [FromQuery(Name = "event_types"), Description("Only messages of these event types (repeat the parameter or separate with commas).")] string[]? eventTypes)
    {
        var application = app.Value;
        var v = new Validator();
        if (v.Required("query.since", since) & v.Required("query.until", until))
        {
            CheckWindow(v, since!.Value, until!.Value, "query.until");
        }

        var types = EventTypes(v, eventTypes);
        v.ThrowIfInvalid();
        var counts = await store.CountAttemptOutcomesAsync(application.Id, since!.Value, until!.Value, types, bucket: null, context.RequestAborted);
        var byType = counts.GroupBy(c => c.EventType, StringComparer.Ordinal).ToDictionary(
            g => g.Key, g => new AppAttemptEventTypeStats(g.Sum(c => c.Success), g.Sum(c => c.Failure), g.Sum(c => c.Canceled)), StringComparer.Ordinal);
        return TypedResults.Ok(new AppAttemptStatsOut
        {
            ByEventType = byType,
            TotalSuccess = byType.Values.Sum(s => s.Success),
            TotalFailure = byType.Values.Sum(s => s.Failure),
            TotalCanceled = byType.Values.Sum(s => s.Canceled),
            Since = since.Value,
            Until = until.Value,
        });
    }

    private static async Task<Ok<AttemptStatisticsResponse>> AttemptTimeSeriesAsync(
        CurrentApplication app, IStatsStore store, TimeProvider time, HttpContext context,
        [Description("Start of the window (ISO 8601 date-time); default: 30 periods before endDate. Rounded down to a whole period.")] DateTimeOffset? startDate,
        [Description("End of the window (ISO 8601 date-time); default now. Rounded up to a whole period.")] DateTimeOffset? endDate,
        [Description("The length of each data point: OneDay (default), OneHour or FiveMinutes.")] StatisticsPeriod? period,
        [FromQuery(Name = "event_types"), Description("Only messages of these event types (repeat the parameter or separate with commas).")] string[]? eventTypes)
    {
        var application = app.Value;
        var v = new Validator();
        var length = (period ?? StatisticsPeriod.OneDay) switch
        {
            StatisticsPeriod.OneHour => TimeSpan.FromHours(1),
            StatisticsPeriod.FiveMinutes => TimeSpan.FromMinutes(5),
            _ => TimeSpan.FromDays(1),
        };
        var end = Ceiling(endDate ?? time.GetUtcNow(), length);
        var start = Floor(startDate ?? end - (length * DefaultPoints), length);
        if (end <= start)
        {
            v.Add("query.endDate", "invalid_value", "must be after startDate.");
        }
        else if ((end - start) / length > MaxPoints)
        {
            v.Add("query.startDate", "out_of_range", $"the window may hold at most {MaxPoints} periods of {period ?? StatisticsPeriod.OneDay}.");
        }

        var types = EventTypes(v, eventTypes);
        v.ThrowIfInvalid();
        var points = (int)((end - start) / length);
        long[] success = new long[points], failure = new long[points], canceled = new long[points];
        foreach (var count in await store.CountAttemptOutcomesAsync(application.Id, start, end, types, length, context.RequestAborted))
        {
            if (count.Bucket >= 0 && count.Bucket < points)
            {
                success[count.Bucket] += count.Success;
                failure[count.Bucket] += count.Failure;
                canceled[count.Bucket] += count.Canceled;
            }
        }

        return TypedResults.Ok(new AttemptStatisticsResponse(start, end, period ?? StatisticsPeriod.OneDay, new AttemptStatisticsData(success, failure, canceled)));
    }

    private static void CheckWindow(Validator v, DateTimeOffset since, DateTimeOffset until, string untilLocation)
    {
        if (until <= since)
        {
            v.Add(untilLocation, "invalid_value", "must be after since.");
        }
        else if (until - since > MaxWindow)
        {
            v.Add(untilLocation, "out_of_range", "the window may span at most 366 days.");
        }
    }

    /// <summary>The SDK joins arrays with commas; repeated parameters work too. Duplicates count once (Svix: uniqueItems).</summary>
    private static List<string>? EventTypes(Validator v, string[]? eventTypes)
    {
        var names = (eventTypes ?? []).SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToList();
        v.Names("query.event_types", names, 256);
        return names.Count > 0 ? names : null;
    }

    private static DateTimeOffset Floor(DateTimeOffset value, TimeSpan length) =>
        new(value.UtcTicks - (value.UtcTicks % length.Ticks), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset value, TimeSpan length) =>
        value.UtcTicks % length.Ticks == 0 ? value.ToUniversalTime() : Floor(value, length) + length;
}
