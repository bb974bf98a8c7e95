using Herald.Server.Api;

namespace Herald.Server.Messages;

/// <summary>
/// The time fields of MessageIn, validated to Svix's documented bounds: <c>deliverAt</c> "must be at least one minute
/// and no more than 24 hours in the future"; <c>payloadRetentionPeriod</c> is 1–90 days and <c>payloadRetentionHours</c>
/// 1–2160 hours, "mutually exclusive". Outside those bounds the request is refused (422 naming the field), never
/// clamped: a client that asked for a schedule or a retention gets exactly it, or learns it did not.
/// </summary>
internal static class MessageLifecycle
{
    public static readonly TimeSpan MinDeliverAtAhead = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDeliverAtAhead = TimeSpan.FromHours(24);
    public const long MaxRetentionDays = 90;
    public const long MaxRetentionHours = 2160;

    /// <summary>Checks the fields against <paramref name="now"/> (the server's clock when the request arrived).</summary>
    public static void Validate(Validator v, MessageIn input, DateTimeOffset now)
    {
        if (input.DeliverAt is { } at)
        {
            if (at < now + MinDeliverAtAhead)
            {
                v.Add("body.deliverAt", "out_of_range", "must be at least one minute in the future.");
            }
            else if (at > now + MaxDeliverAtAhead)
            {
                v.Add("body.deliverAt", "out_of_range", "must be at most 24 hours in the future.");
            }
        }

        if (input.PayloadRetentionPeriod is not null && input.PayloadRetentionHours is not null)
        {
            v.Add("body.payloadRetentionHours", "mutually_exclusive", "cannot be set together with payloadRetentionPeriod; send one of them.");
        }

        if (input.PayloadRetentionPeriod is { } days && (days < 1 || days > MaxRetentionDays))
        {
            v.Add("body.payloadRetentionPeriod", "out_of_range", $"must be from 1 to {MaxRetentionDays} (days).");
        }

        if (input.PayloadRetentionHours is { } hours && (hours < 1 || hours > MaxRetentionHours))
        {
            v.Add("body.payloadRetentionHours", "out_of_range", $"must be from 1 to {MaxRetentionHours} (hours).");
        }
    }

    /// <summary>When a message published at <paramref name="now"/> loses its payload; the server's default when the request sets none.</summary>
    public static DateTimeOffset PayloadExpiresAt(MessageIn input, DateTimeOffset now, TimeSpan defaultRetention) =>
        now + (input.PayloadRetentionHours is { } hours ? TimeSpan.FromHours(hours)
            : input.PayloadRetentionPeriod is { } days ? TimeSpan.FromDays(days)
            : defaultRetention);

    /// <summary>The schedule as stored: milliseconds like every timestamp, so the answer reads back exactly.</summary>
    public static DateTimeOffset? DeliverAt(MessageIn input) =>
        input.DeliverAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()) : null;
}
