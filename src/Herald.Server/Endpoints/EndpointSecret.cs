using System.Security.Cryptography;

namespace Herald.Server.Endpoints;

/// <summary>Endpoint signing secrets: <c>whsec_</c> + base64 of 24 to 75 random bytes (the Standard Webhooks form).</summary>
internal static class EndpointSecret
{
    public const string Prefix = "whsec_";
    public const int MinBytes = 24;
    public const int MaxBytes = 75;

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool IsValid(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[128];
        return Convert.TryFromBase64String(secret[Prefix.Length..], bytes, out var length) && length is >= MinBytes and <= MaxBytes;
    }

    public const string Rule = "must be 'whsec_' followed by the base64 of 24 to 75 bytes.";
}
