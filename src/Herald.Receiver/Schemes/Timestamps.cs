using System.Globalization;

namespace Herald.Receiver.Schemes;

internal static class Timestamps
{
    public static DateTimeOffset? ParseUnixSeconds(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static bool WithinTolerance(DateTimeOffset timestamp, DateTimeOffset now, TimeSpan tolerance) =>
        (now - timestamp).Duration() <= tolerance;

    public static WebhookVerificationResult OutsideTolerance(DateTimeOffset timestamp, DateTimeOffset now, TimeSpan tolerance) =>
        WebhookVerificationResult.Failed(
            WebhookFailure.TimestampOutsideTolerance,
            $"The timestamp is {(now - timestamp).Duration().TotalSeconds:0} s from the receiver's clock; at most {tolerance.TotalSeconds:0} s is accepted.");

    public static string ToUnixSeconds(DateTimeOffset timestamp) =>
        timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
