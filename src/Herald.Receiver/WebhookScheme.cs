using Herald.Receiver.Schemes;

namespace Herald.Receiver;

/// <summary>
/// A webhook signature scheme: which headers carry the id, timestamp and signatures, and what bytes are signed.
/// Use the static instances; each can also sign, for tests and for senders that are not Herald.
/// </summary>
public abstract class WebhookScheme
{
    private protected WebhookScheme(string name) => Name = name;

    /// <summary>Standard Webhooks (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>), as Herald sends.</summary>
    public static WebhookScheme StandardWebhooks { get; } = new StandardWebhooksScheme("StandardWebhooks", "webhook-");

    /// <summary>The Standard Webhooks scheme under Svix's header names (<c>svix-id</c>, <c>svix-timestamp</c>, <c>svix-signature</c>).</summary>
    public static WebhookScheme Svix { get; } = new StandardWebhooksScheme("Svix", "svix-");

    /// <summary>Stripe (<c>Stripe-Signature: t=…,v1=…</c>); the message id is the JSON body's <c>id</c>.</summary>
    public static WebhookScheme Stripe { get; } = new StripeScheme();

    /// <summary>GitHub (<c>X-Hub-Signature-256: sha256=…</c>, id from <c>X-GitHub-Delivery</c>); no timestamp.</summary>
    public static WebhookScheme GitHub { get; } = new GitHubScheme();

    /// <summary>Shopify (<c>X-Shopify-Hmac-Sha256</c>, id from <c>X-Shopify-Event-Id</c>); no timestamp.</summary>
    public static WebhookScheme Shopify { get; } = new ShopifyScheme();

    /// <summary>The scheme's name, e.g. <c>StandardWebhooks</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Computes the headers a sender of this scheme would attach to <paramref name="body"/>.
    /// Schemes without an id or timestamp header ignore those arguments where they do not apply.
    /// </summary>
    /// <param name="secret">The signing secret, in the form this scheme's senders hand out.</param>
    /// <param name="messageId">The message id (ignored by Stripe, whose id is inside the body).</param>
    /// <param name="timestamp">The send time (ignored by GitHub and Shopify).</param>
    /// <param name="body">The exact body bytes that will be sent.</param>
    /// <returns>Header names and values.</returns>
    public abstract IReadOnlyDictionary<string, string> Sign(string secret, string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Turns a secret as handed out by the provider into HMAC key bytes; throws <see cref="ArgumentException"/> when malformed.</summary>
    internal abstract byte[] DecodeKey(string secret);

    internal abstract WebhookVerificationResult Verify(ReadOnlySpan<byte> body, WebhookHeaders headers, IReadOnlyList<byte[]> keys, TimeSpan tolerance, DateTimeOffset now);
}
