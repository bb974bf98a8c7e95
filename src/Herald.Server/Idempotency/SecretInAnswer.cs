namespace Herald.Server.Idempotency;

/// <summary>
/// Route metadata: the answer carries a secret (an API key, an app-portal token). <see cref="IdempotencyMiddleware"/>
/// runs such a request as if it had no <c>Idempotency-Key</c>: storing the answer for replay would keep the secret in
/// clear in the database for a day. Refusing the header instead would break every Svix SDK, which sends one on each
/// POST. The cost: a retry with the same key makes a second token rather than replaying the first.
/// </summary>
internal sealed record SecretInAnswer
{
    public static readonly SecretInAnswer Instance = new();
}

internal static class SecretInAnswerExtensions
{
    /// <summary>Marks a route whose answer holds a secret: it is never stored for <c>Idempotency-Key</c> replays.</summary>
    public static TBuilder WithSecretInAnswer<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SecretInAnswer.Instance);
}
