namespace Herald.Receiver.AspNetCore;

/// <summary>A verified, first-seen webhook, as handed to a handler.</summary>
/// <typeparam name="T">The payload's record type.</typeparam>
public sealed record WebhookDelivery<T>
{
    /// <summary>The verified message id (null when the scheme or request carries none).</summary>
    public required string? MessageId { get; init; }

    /// <summary>The signed timestamp (null for schemes without one).</summary>
    public required DateTimeOffset? Timestamp { get; init; }

    /// <summary>The payload, bound from the verified JSON body.</summary>
    public required T Payload { get; init; }

    /// <summary>The raw body bytes that were verified.</summary>
    public required ReadOnlyMemory<byte> RawBody { get; init; }
}
