using System.Security.Cryptography;
using System.Text;

namespace Herald.Cli.Listen;

/// <summary>
/// A Standard Webhooks signing secret (<c>whsec_</c> + base64 key), and the <c>v1</c> signature it makes: base64
/// HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>, exactly as Herald signs its own deliveries (docs/DELIVERY.md).
/// </summary>
internal sealed class WebhookSecret
{
    private const string Prefix = "whsec_";
    private readonly byte[] _key;

    private WebhookSecret(string text, byte[] key)
    {
        Text = text;
        _key = key;
    }

    /// <summary>The secret as the developer's app configures it (<c>whsec_…</c>).</summary>
    public string Text { get; }

    public static WebhookSecret Generate()
    {
        var key = RandomNumberGenerator.GetBytes(24);
        return new WebhookSecret(Prefix + Convert.ToBase64String(key), key);
    }

    public static WebhookSecret Parse(string text) =>
        TryParse(text, out var secret)
            ? secret
            : throw new UsageException("the secret must be whsec_ followed by a base64 key, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw.");

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebhookSecret? secret)
    {
        secret = null;
        var encoded = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
        var key = new byte[encoded.Length];
        if (encoded.Length == 0 || !Convert.TryFromBase64String(encoded, key, out var length) || length == 0)
        {
            return false;
        }

        secret = new WebhookSecret(text, key[..length]);
        return true;
    }

    /// <summary>The <c>webhook-signature</c> value for one request.</summary>
    public string Sign(string id, string timestamp, ReadOnlySpan<byte> body) => "v1," + Convert.ToBase64String(Hash(id, timestamp, body));

    /// <summary>
    /// Whether any <c>v1</c> entry of a (space-separated) <c>webhook-signature</c> header matches, compared in constant time.
    /// The timestamp's age is not checked: captured webhooks are verified after the fact.
    /// </summary>
    public bool Verify(string id, string timestamp, string signatures, ReadOnlySpan<byte> body)
    {
        // Compared as base64 text, not decoded bytes: decoding ignores a last character's unused bits, which would let
        // altered signatures pass.
        var expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(Hash(id, timestamp, body)));
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts is ["v1", var value] && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(value), expected))
            {
                return true;
            }
        }

        return false;
    }

    private byte[] Hash(string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(_key, content);
    }
}
