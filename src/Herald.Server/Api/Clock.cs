namespace Herald.Server.Api;

internal static class Clock
{
    /// <summary>Now, to the millisecond: the precision storage keeps, so an object reads back exactly as it was returned.</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
