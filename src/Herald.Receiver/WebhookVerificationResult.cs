namespace Herald.Receiver;

/// <summary>The outcome of verifying one webhook request: either verified (with its id and timestamp) or a typed failure.</summary>
public sealed record WebhookVerificationResult
{
    private WebhookVerificationResult()
    {
    }

    /// <summary>True when a signature matched and the timestamp (if the scheme has one) is within tolerance.</summary>
    public bool IsVerified => Failure is null;

    /// <summary>The verified message id (used for deduplication); null when the scheme or request carries none.</summary>
    public string? MessageId { get; private init; }

    /// <summary>The signed timestamp; null for schemes without one (GitHub, Shopify).</summary>
    public DateTimeOffset? Timestamp { get; private init; }

    /// <summary>Why verification failed; null when verified.</summary>
    public WebhookFailure? Failure { get; private init; }

    /// <summary>A human-readable reason for the failure, safe to return to the sender (never contains a secret or signature).</summary>
    public string? FailureMessage { get; private init; }

    internal static WebhookVerificationResult Verified(string? messageId, DateTimeOffset? timestamp) =>
        new() { MessageId = messageId, Timestamp = timestamp };

    internal static WebhookVerificationResult Failed(WebhookFailure failure, string message) =>
        new() { Failure = failure, FailureMessage = message };
}
