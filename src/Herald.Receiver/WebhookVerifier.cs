namespace Herald.Receiver;

/// <summary>
/// Verifies webhook requests of one <see cref="WebhookScheme"/> against one or more secrets (several during key rotation).
/// Thread-safe and cheap to share: keep one per endpoint.
/// </summary>
public sealed class WebhookVerifier
{
    private readonly WebhookScheme _scheme;
    private readonly byte[][] _keys;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier.</summary>
    /// <param name="scheme">The signature scheme the sender uses.</param>
    /// <param name="secrets">Every secret currently valid; a signature made with any of them is accepted.</param>
    /// <param name="tolerance">How far the signed timestamp may be from now, either way; default <see cref="DefaultTolerance"/>.</param>
    /// <param name="timeProvider">The clock for "now"; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">No secret was given, or a secret is not in the scheme's format.</exception>
    public WebhookVerifier(WebhookScheme scheme, IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(secrets);
        _scheme = scheme;
        _keys = [.. secrets.Select(scheme.DecodeKey)];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one secret is required.", nameof(secrets));
        }

        _tolerance = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(_tolerance, TimeSpan.Zero, nameof(tolerance));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a verifier for a single secret.</summary>
    /// <param name="scheme">The signature scheme the sender uses.</param>
    /// <param name="secret">The secret.</param>
    public WebhookVerifier(WebhookScheme scheme, string secret)
        : this(scheme, [secret])
    {
    }

    /// <summary>The default timestamp tolerance: five minutes either way, as the Standard Webhooks and Stripe libraries use.</summary>
    public static TimeSpan DefaultTolerance { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The scheme this verifier checks.</summary>
    public WebhookScheme Scheme => _scheme;

    /// <summary>Verifies a request.</summary>
    /// <param name="body">The raw body bytes exactly as received (not re-serialized JSON).</param>
    /// <param name="headers">The request headers; looked up case-insensitively.</param>
    /// <returns>The verified id and timestamp, or a typed failure.</returns>
    public WebhookVerificationResult Verify(ReadOnlySpan<byte> body, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return _scheme.Verify(body, WebhookHeaders.From(headers), _keys, _tolerance, _time.GetUtcNow());
    }

    /// <summary>Verifies a request whose headers are read through a delegate.</summary>
    /// <param name="body">The raw body bytes exactly as received.</param>
    /// <param name="getHeader">Returns a header's value by name (case-insensitively), or null when absent.</param>
    /// <returns>The verified id and timestamp, or a typed failure.</returns>
    public WebhookVerificationResult Verify(ReadOnlySpan<byte> body, Func<string, string?> getHeader)
    {
        ArgumentNullException.ThrowIfNull(getHeader);
        return _scheme.Verify(body, new WebhookHeaders(getHeader), _keys, _tolerance, _time.GetUtcNow());
    }
}
