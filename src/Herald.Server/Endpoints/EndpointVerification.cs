namespace Herald.Server.Endpoints;

/// <summary>How Herald proves that an endpoint's receiver wants its traffic (docs/DELIVERY.md, "Endpoint ownership verification").</summary>
public enum VerificationMethod
{
    /// <summary>No verification: deliveries start at once.</summary>
    None = 0,

    /// <summary>The CloudEvents webhook abuse-protection handshake: <c>OPTIONS</c> with <c>WebHook-Request-Origin</c>, or its callback variant.</summary>
    Handshake = 1,

    /// <summary>A signed POST carrying a challenge that the receiver echoes back.</summary>
    Ping = 2,
}

/// <summary>Where an endpoint's verification stands.</summary>
public enum VerificationStatus
{
    Pending = 0,
    Verified = 1,
    Failed = 2,
}

/// <summary>
/// An endpoint's ownership verification. While it is not <see cref="VerificationStatus.Verified"/> the endpoint's
/// deliveries are held (pending, not attempted); <see cref="EndpointVerifier"/> checks it until it succeeds or its
/// deadline (<see cref="StartedAt"/> + <c>Herald:Delivery:VerificationGiveUpAfter</c>) passes.
/// </summary>
public sealed record EndpointVerification
{
    public required VerificationMethod Method { get; init; }
    public required VerificationStatus Status { get; init; }

    /// <summary>When this round of verification began (create, URL change, method change or the verify route).</summary>
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>Why the last check did not verify the endpoint (no secret, no payload); null after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>When the verifier next looks at it; null once it is verified or failed.</summary>
    public DateTimeOffset? NextCheckAt { get; init; }

    /// <summary>SHA-256 (hex) of the one-time callback token of the last handshake; the token itself is never stored.</summary>
    public string? CallbackTokenHash { get; init; }

    /// <summary>The receiver answered the handshake without granting access: it will call the callback URL.</summary>
    public bool AwaitingCallback { get; init; }

    /// <summary>The receiver's <c>WebHook-Allowed-Rate</c> (requests per minute), when it sent a number.</summary>
    public int? AllowedRate { get; init; }

    /// <summary>True while deliveries to the endpoint wait.</summary>
    public bool HoldsDeliveries => Status != VerificationStatus.Verified;

    /// <summary>A new round: pending, checked at once.</summary>
    public static EndpointVerification Start(VerificationMethod method, DateTimeOffset now) => new()
    {
        Method = method,
        Status = VerificationStatus.Pending,
        StartedAt = now,
        NextCheckAt = now,
    };

    public static string MethodName(VerificationMethod method) => method switch
    {
        VerificationMethod.Handshake => "handshake",
        VerificationMethod.Ping => "ping",
        _ => "none",
    };

    public static VerificationMethod? ParseMethod(string? name) => name switch
    {
        "handshake" => VerificationMethod.Handshake,
        "ping" => VerificationMethod.Ping,
        "none" => VerificationMethod.None,
        _ => null,
    };

    public static string StatusName(VerificationStatus status) => status switch
    {
        VerificationStatus.Verified => "verified",
        VerificationStatus.Failed => "failed",
        _ => "pending",
    };

    public static VerificationStatus ParseStatus(string name) => name switch
    {
        "verified" => VerificationStatus.Verified,
        "failed" => VerificationStatus.Failed,
        _ => VerificationStatus.Pending,
    };
}
