namespace Herald.Receiver.Schemes;

/// <summary>
/// Schemes that sign only the raw body with the secret's UTF-8 bytes and carry no timestamp
/// (GitHub, Shopify); the id comes from a separate header that is stable across redeliveries.
/// </summary>
internal abstract class BodyOnlyScheme(string name, string signatureHeader, string idHeader) : WebhookScheme(name)
{
    public override IReadOnlyDictionary<string, string> Sign(string secret, string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body) =>
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [signatureHeader] = Encode(Hmac.Compute(DecodeKey(secret), [], body)),
            [idHeader] = messageId,
        };

    internal override byte[] DecodeKey(string secret) =>
        string.IsNullOrEmpty(secret) ? throw new ArgumentException($"A {Name} secret cannot be empty.", nameof(secret)) : Hmac.Prefix(secret);

    internal override WebhookVerificationResult Verify(ReadOnlySpan<byte> body, WebhookHeaders headers, IReadOnlyList<byte[]> keys, TimeSpan tolerance, DateTimeOffset now)
    {
        if (headers[signatureHeader] is not { } header)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MissingHeader, $"The {signatureHeader} header is missing.");
        }

        var candidates = new List<byte[]>();
        foreach (var entry in header.Split(' ', ',').Where(e => e.Length > 0))
        {
            if (Decode(entry) is { } decoded)
            {
                candidates.Add(decoded);
            }
        }

        if (candidates.Count == 0)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MalformedHeader, $"The {signatureHeader} header holds no signature in the expected format.");
        }

        return Hmac.AnyMatches(keys, candidates, [], body)
            ? WebhookVerificationResult.Verified(headers[idHeader], timestamp: null)
            : WebhookVerificationResult.Failed(WebhookFailure.NoMatchingSignature, $"The {signatureHeader} signature does not match the body under the configured secrets.");
    }

    protected abstract string Encode(byte[] mac);

    protected abstract byte[]? Decode(string entry);
}

/// <summary>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>, id <c>X-GitHub-Delivery</c>.</summary>
internal sealed class GitHubScheme() : BodyOnlyScheme("GitHub", "X-Hub-Signature-256", "X-GitHub-Delivery")
{
    private const string Prefix = "sha256=";

    protected override string Encode(byte[] mac) => Prefix + Convert.ToHexStringLower(mac);

    protected override byte[]? Decode(string entry) =>
        entry.StartsWith(Prefix, StringComparison.Ordinal) ? Hmac.TryFromHex(entry[Prefix.Length..]) : null;
}

/// <summary>Shopify: <c>X-Shopify-Hmac-Sha256: &lt;base64&gt;</c>, id <c>X-Shopify-Event-Id</c>.</summary>
internal sealed class ShopifyScheme() : BodyOnlyScheme("Shopify", "X-Shopify-Hmac-Sha256", "X-Shopify-Event-Id")
{
    protected override string Encode(byte[] mac) => Convert.ToBase64String(mac);

    protected override byte[]? Decode(string entry) => Hmac.TryFromBase64(entry);
}
