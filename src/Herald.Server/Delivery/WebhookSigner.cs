using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Herald.Server.Endpoints;

namespace Herald.Server.Delivery;

/// <summary>
/// Standard Webhooks signatures: <c>v1,</c> + base64 HMAC-SHA256, keyed with the base64-decoded secret,
/// over <c>{id}.{timestamp}.{body}</c>. During a rotation every valid key signs, newest first, separated by spaces.
/// </summary>
internal static class WebhookSigner
{
    public static string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IEnumerable<string> secrets)
    {
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content))));
    }

    private static byte[] KeyOf(string secret) => Convert.FromBase64String(secret.StartsWith(EndpointSecret.Prefix, StringComparison.Ordinal) ? secret[EndpointSecret.Prefix.Length..] : secret);
}
