namespace Herald.Server.Endpoints;

/// <summary>
/// An endpoint's ownership verification, shaped like Svix's status objects: deliveries wait while it is `pending`,
/// and fail (the endpoint disabled) when it turned `failed`.
/// </summary>
public sealed record EndpointVerificationOut
{
    /// <summary>`pending`, `verified` or `failed`.</summary>
    public required string Status { get; init; }
    /// <summary>`handshake` (CloudEvents webhook abuse protection) or `ping` (a signed challenge).</summary>
    public required string Method { get; init; }
    /// <summary>When this round of verification began.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>When the receiver proved it wants the traffic; null until then.</summary>
    public DateTimeOffset? VerifiedAt { get; init; }
    /// <summary>Why the last check failed; null when none did (or after a success).</summary>
    public string? LastError { get; init; }
    /// <summary>True when the receiver answered the handshake without granting access: it is to call the callback URL it was given.</summary>
    public required bool AwaitingCallback { get; init; }
    /// <summary>The receiver's `WebHook-Allowed-Rate` (requests per minute), when it sent a number; reported, not enforced (use throttleRate).</summary>
    public int? AllowedRate { get; init; }

    public static EndpointVerificationOut? From(EndpointVerification? v) => v is null ? null : new()
    {
        Status = EndpointVerification.StatusName(v.Status),
        Method = EndpointVerification.MethodName(v.Method),
        StartedAt = v.StartedAt,
        VerifiedAt = v.VerifiedAt,
        LastError = v.LastError,
        AwaitingCallback = v.AwaitingCallback,
        AllowedRate = v.AllowedRate,
    };
}
