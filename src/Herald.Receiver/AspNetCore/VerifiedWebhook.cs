namespace Herald.Receiver.AspNetCore;

/// <summary>What the webhook endpoint filter verified; read it with <see cref="WebhookEndpointExtensions.GetVerifiedWebhook"/>.</summary>
/// <param name="MessageId">The verified message id, or null.</param>
/// <param name="Timestamp">The signed timestamp, or null.</param>
/// <param name="RawBody">The raw body bytes that were verified.</param>
public sealed record VerifiedWebhook(string? MessageId, DateTimeOffset? Timestamp, ReadOnlyMemory<byte> RawBody);
