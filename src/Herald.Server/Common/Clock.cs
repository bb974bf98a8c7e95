namespace Herald.Server.Common;

internal static class Clock
{
    /// <summary>Now, to the millisecond: the precision storage keeps, so an object reads back exactly as it was returned.</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>ISO 8601 in UTC to the millisecond (<c>2026-11-26T18:36:48.943Z</c>), for timestamps inside webhook payloads.</summary>
    public static string ToIso(this DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
