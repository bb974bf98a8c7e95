using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Retention;

/// <summary>How long Herald keeps what it stored. Bound from <c>Herald:Retention</c>, validated at start.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Herald:Retention";

    /// <summary>
    /// How long a message's payload is kept when the publisher sets neither <c>payloadRetentionPeriod</c> nor
    /// <c>payloadRetentionHours</c>: 1 hour to 90 days (Svix's bounds). Default 90 days, Svix's default.
    /// </summary>
    public TimeSpan DefaultPayloadRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long attempts, messages whose payload is gone (with their finished deliveries), and background tasks
    /// after they ended, are kept; at least 1 day. Default 90 days. Past it the rows are deleted, so the database stops growing under a steady load.
    /// </summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the retention job runs (1 minute to 1 day).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows changed per transaction, so a purge never holds the writer (and publishing) for long.</summary>
    [Range(10, 10_000)]
    public int BatchSize { get; set; } = 500;
}
