using System.Security.Cryptography;
using System.Text;

namespace Herald.Receiver.Schemes;

/// <summary>HMAC-SHA256 and the constant-time match every scheme shares.</summary>
internal static class Hmac
{
    public static byte[] Compute(byte[] key, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    public static byte[] Prefix(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// True when any candidate equals the HMAC under any key. Candidates are decoded bytes, compared with
    /// <see cref="CryptographicOperations.FixedTimeEquals"/> so that timing reveals nothing about the expected value.
    /// </summary>
    public static bool AnyMatches(IReadOnlyList<byte[]> keys, IReadOnlyList<byte[]> candidates, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body)
    {
        var matched = false;
        foreach (var key in keys)
        {
            var expected = Compute(key, prefix, body);
            foreach (var candidate in candidates)
            {
                // No early exit: the work done does not depend on where (or whether) a match is.
                matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
            }
        }

        return matched;
    }

    public static byte[]? TryFromBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    public static byte[]? TryFromHex(string text)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
